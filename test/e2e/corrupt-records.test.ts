/**
 * Records in Redis that views cannot trust: one that does not parse is skipped and named (CLI:
 * a warning on stderr; /api/sweeps: `skipped`), and escape sequences stored in records never
 * reach the terminal raw. Real sweeps (dry run, a real worker) under a prefix of their own; the
 * damage is written straight into their records.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { Keys } from '../../src/store/keys.js';
import { REDIS_URL, deletePrefix, enqueueAndTrain, exited, runCli, spawnCli, uniquePrefix, waitFor } from '../helpers.js';

const prefix = uniquePrefix();
const env = { REDIS_URL, LSW_PREFIX: prefix };
const keys = new Keys(prefix);
/** OSC 0 (set the window title) and CSI 2J (clear the screen). */
const ESCAPES = '\x1b]0;pwned\x07\x1b[2J';
let redis: Redis;
let dir: string;
let good: string;
let broken: string;
let corruptTrial: string;
let dashboard: ReturnType<typeof spawnCli> | undefined;

async function spec(name: string, widths: number[]): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(
    file,
    `name: ${name}\ndataset: { train: train.csv, protocol: holdout, validationSplit: 0.5 }\nparameters: { depth: [1, 2], width: [${widths.join(', ')}] }\ndryRun: true\n`,
  );
  return file;
}

function assertNoRawEscapes(text: string, what: string): void {
  // eslint-disable-next-line no-control-regex -- looking for control characters
  assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(text), `${what} holds raw control characters: ${JSON.stringify(text)}`);
}

before(async () => {
  redis = new Redis(REDIS_URL);
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-corrupt-'));
  await writeFile(path.join(dir, 'train.csv'), 'label,t0,t1,t2\n0,1,2,3\n1,2,3,4\n0,1,2,2\n1,2,3,3\n0,1,1,3\n1,2,2,4\n');
  good = await enqueueAndTrain(await spec('good', [4, 8]), env, 4);
  broken = await enqueueAndTrain(await spec('broken', [5]), env, 2);

  // 1. The whole record of one sweep is not JSON any more.
  await redis.set(keys.sweep(broken), '{"sweepId": "truncat');
  // 2. One result of the good sweep fails its schema; another carries escapes in its worker name.
  const ids = await redis.hkeys(keys.results(good));
  corruptTrial = ids[0]!;
  await redis.hset(keys.results(good), corruptTrial, JSON.stringify({ trialId: 5 }));
  const other = JSON.parse((await redis.hget(keys.results(good), ids[1]!))!) as Record<string, unknown>;
  await redis.hset(keys.results(good), ids[1]!, JSON.stringify({ ...other, worker: `evil${ESCAPES}host` }));
  // 3. A failure whose reason carries escapes (valid in every other way).
  await redis.hset(
    keys.failures(good),
    ids[2]!,
    JSON.stringify({
      sweepId: good,
      trialId: ids[2],
      config: other.config,
      reason: `boom${ESCAPES}`,
      attempts: 3,
      failedAt: new Date().toISOString(),
    }),
  );
});

after(async () => {
  if (dashboard && dashboard.exitCode === null) {
    dashboard.kill('SIGTERM');
    await exited(dashboard);
  }
  await deletePrefix(redis, prefix);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('a corrupt record is skipped and named', () => {
  test('sweeps lists the others and warns with the key', async () => {
    for (const args of [['sweeps'], ['sweeps', '--json']]) {
      const r = await runCli(args, env);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.includes(good), r.stdout);
      assert.ok(!r.stdout.includes(broken), 'the corrupt sweep is not listed');
      assert.match(r.stderr, new RegExp(`warning: skipped a corrupt record at ${keys.sweep(broken)}: not JSON`));
    }
    const json = JSON.parse((await runCli(['sweeps', '--json'], env)).stdout) as Array<{ sweepId: string }>;
    assert.deepEqual(
      json.map((s) => s.sweepId),
      [good],
    );
  });

  test('leaderboard shows the other results and warns with the key and field', async () => {
    for (const args of [
      ['leaderboard', good],
      ['leaderboard', good, '--json'],
      ['leaderboard', good, '--csv'],
    ]) {
      const r = await runCli(args, env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`warning: skipped a corrupt record at ${keys.results(good)} field ${corruptTrial}: `));
      assert.ok(!r.stdout.includes(corruptTrial.slice(0, 8)), `${args.join(' ')} shows the corrupt result`);
    }
    const rows = JSON.parse((await runCli(['leaderboard', good, '--json'], env)).stdout) as unknown[];
    assert.equal(rows.length, 3);
  });

  test('the corrupt sweep itself: one line naming its key, exit 1', async () => {
    const r = await runCli(['status', broken], env);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`corrupt record in Redis at ${keys.sweep(broken)}: not JSON`));
  });

  test('/api/sweeps answers 200 with the others and names the corrupt one in skipped', async () => {
    dashboard = spawnCli(['dashboard', '--port', '0'], env);
    const first = await waitFor(
      async () =>
        dashboard!.output().includes('\n') ? dashboard!.output().split('\n')[0] : dashboard!.exitCode !== null ? 'exited' : undefined,
      15_000,
      'the dashboard',
    );
    const base = first.match(/^dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/)?.[1];
    assert.ok(base, dashboard.output());
    const res = await fetch(`${base}api/sweeps`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { sweeps: Array<{ sweepId: string }>; skipped: Array<{ key: string; reason: string }> };
    assert.deepEqual(
      body.sweeps.map((s) => s.sweepId),
      [good],
    );
    assert.ok(
      body.skipped.some((s) => s.key === keys.sweep(broken) && /not JSON/.test(s.reason)),
      JSON.stringify(body.skipped),
    );
    // The overview reads the best result of `good` only: the corrupt one is named when it ranks first.
    assert.ok(body.skipped.every((s) => s.key === keys.sweep(broken) || s.key === keys.results(good)));
    const lb = await fetch(`${base}api/sweeps/${good}/leaderboard`);
    assert.equal(lb.status, 200);
    assert.equal(((await lb.json()) as { rows: unknown[] }).rows.length, 3);
  });
});

describe('escape sequences stored in Redis never reach the terminal raw', () => {
  test('status, leaderboard (table, csv) and sweeps show them escaped', async () => {
    for (const args of [['status', good], ['leaderboard', good], ['leaderboard', good, '--csv'], ['sweeps']]) {
      const r = await runCli(args, env);
      assert.equal(r.code, 0, r.stderr);
      assertNoRawEscapes(r.stdout + r.stderr, args.join(' '));
    }
    const status = await runCli(['status', good], env);
    assert.ok(status.stdout.includes('boom\\x1b]0;pwned\\x07\\x1b[2J'), status.stdout);
    const table = await runCli(['leaderboard', good], env);
    assert.ok(table.stdout.includes('evil\\x1b]0;pwned\\x07\\x1b[2Jhost'), table.stdout);
    assert.ok(table.stdout.includes('boom\\x1b]0;pwned'), 'the failure line');
  });

  test('JSON output keeps the exact strings, escaped by JSON', async () => {
    const r = await runCli(['leaderboard', good, '--json'], env);
    assertNoRawEscapes(r.stdout, 'leaderboard --json');
    const rows = JSON.parse(r.stdout) as Array<{ worker: string }>;
    assert.ok(rows.some((row) => row.worker === `evil${ESCAPES}host`));
  });
});
