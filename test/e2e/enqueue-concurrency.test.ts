/**
 * Producers enqueueing the same spec at the same moment (real CLI processes): each reports the
 * jobs it added itself, so their counts add up to the sweep's trials, and every trial has
 * exactly one job.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { writeSyntheticUcr } from '../../src/data/synthetic.js';
import { REDIS_URL, deletePrefix, runCli, uniquePrefix } from '../helpers.js';

const prefix = uniquePrefix();
const env: NodeJS.ProcessEnv = { REDIS_URL, LSW_PREFIX: prefix };
let redis: Redis;
let dir: string;

before(async () => {
  redis = new Redis(REDIS_URL);
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-concurrent-'));
});

after(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

test('four producers of one 4,000-trial spec at once report counts that add up to 4,000', async () => {
  const { train } = await writeSyntheticUcr(dir, { trainSize: 40, testSize: 10, timesteps: 12, seed: 1 });
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const spec = path.join(dir, 'four.yaml');
  await writeFile(
    spec,
    [
      'name: four',
      `dataset: { train: ${train} }`,
      `parameters: { depth: [${range(40).join(',')}], width: [${range(100).join(',')}] }`,
      'dryRun: true',
    ].join('\n'),
  );
  for (let round = 0; round < 2; round++) {
    const runs = await Promise.all(Array.from({ length: 4 }, () => runCli(['enqueue', spec, '--json'], env)));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const reports = runs.map((r) => JSON.parse(r.stdout) as { sweepId: string; trials: number; enqueued: number });
    assert.equal(new Set(reports.map((r) => r.sweepId)).size, 1);
    const added = reports.map((r) => r.enqueued);
    // The first round adds every job once between them; the second finds them all queued.
    assert.equal(
      added.reduce((a, b) => a + b, 0),
      round === 0 ? 4000 : 0,
      `reported ${added.join(' + ')}`,
    );
    assert.equal(await redis.llen(`${prefix}:trials:wait`), 4000);
    const status = await runCli(['status', reports[0]!.sweepId, '--json'], env);
    assert.deepEqual(JSON.parse(status.stdout), {
      total: 4000,
      waiting: 4000,
      active: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      pruned: 0,
    });
  }
});
