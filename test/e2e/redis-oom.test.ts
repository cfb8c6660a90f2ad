/**
 * Redis out of memory (`maxmemory` reached, `noeviction`), on a redis-server of the test's own
 * (ports 6400-6409): enqueue stops with a clear message and leaves nothing that the next enqueue
 * does not complete; `status`, `sweeps` and `leaderboard` keep answering while writes are refused;
 * a trial that meets a full Redis is retried later, never failed for good. Real CLI, real workers.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { writeSyntheticUcr } from '../../src/data/synthetic.js';
import { exited, runCli, spawnCli, uniquePrefix, waitFor } from '../helpers.js';

const PORT = 6401;
const URL = `redis://127.0.0.1:${PORT}`;
let server: ChildProcess;
let redis: Redis;
let dir: string;
let train: string;

before(async () => {
  assert.equal(spawnSync('redis-server', ['--version']).status, 0, 'redis-server must be installed for this test');
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-oom-'));
  server = spawn(
    'redis-server',
    ['--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--dir', dir],
    { stdio: 'ignore' },
  );
  redis = new Redis(URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  redis.on('error', () => undefined);
  await waitFor(async () => ((await redis.ping().catch(() => undefined)) === 'PONG' ? true : undefined), 10_000, 'redis-server to answer');
  ({ train } = await writeSyntheticUcr(dir, { trainSize: 64, testSize: 16, timesteps: 24, seed: 5 }));
});

after(async () => {
  redis.disconnect();
  server.kill('SIGKILL');
  await exited(server);
});

async function usedMemory(): Promise<number> {
  return Number(/^used_memory:(\d+)$/m.exec(await redis.info('memory'))![1]);
}

async function setMaxMemory(bytes: number): Promise<void> {
  await redis.config('SET', 'maxmemory', String(bytes));
}

function cli(args: string[], env: NodeJS.ProcessEnv) {
  return runCli(args, { REDIS_URL: URL, ...env });
}

async function writeSpec(name: string, lines: string[]): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  // baseline: none: these tests are about trials (the reference job has its own tests)
  await writeFile(
    file,
    [`name: ${name}`, `dataset: { train: ${train}, protocol: holdout, validationSplit: 0.25 }`, 'baseline: none', ...lines].join('\n'),
  );
  return file;
}

async function statusJson(sweepId: string, env: NodeJS.ProcessEnv): Promise<Record<string, number>> {
  const r = await cli(['status', sweepId, '--json'], env);
  assert.equal(r.code, 0, `status while Redis is full: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, number>;
}

const OOM_MESSAGE = /Redis is out of memory \(maxmemory [\d.]+[KMG]?, used [\d.]+[KMG]?, policy noeviction\)/;

describe('Redis out of memory', () => {
  test('enqueue of 5,000 trials into a nearly full Redis: a clear error, an honest status, and the next enqueue completes it', async () => {
    const env = { LSW_PREFIX: uniquePrefix() };
    const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    const spec = await writeSpec('oom-enqueue', [
      `parameters: { depth: [${range(50).join(',')}], width: [${range(100).join(',')}] }`,
      'dryRun: true',
    ]);
    // Room for the sweep and its trials, not for 5,000 jobs.
    await setMaxMemory((await usedMemory()) + 4 * 1024 * 1024);

    const failed = await cli(['enqueue', spec, '--json'], env);
    assert.notEqual(failed.code, 0, 'enqueue must fail');
    assert.match(failed.stderr, OOM_MESSAGE);
    assert.doesNotMatch(failed.stderr, /user_script|EXECABORT/);
    assert.equal(failed.stderr.trim().split('\n').length, 1, failed.stderr);

    // Reads answer while writes are refused, and count only jobs that exist.
    const sweeps = await cli(['sweeps', '--json'], env);
    assert.equal(sweeps.code, 0, sweeps.stderr);
    const [row] = JSON.parse(sweeps.stdout) as { sweepId: string; total: number; notQueued?: number }[];
    assert.ok(row, 'the sweep was stored whole');
    const sweepId = row.sweepId;
    const jobs = await redis.llen(`${env.LSW_PREFIX}:trials:wait`);
    assert.ok(jobs < 5000, `only part of the jobs fit (${jobs})`);
    const counts = await statusJson(sweepId, env);
    assert.equal(counts.total, 5000);
    assert.ok(counts.notQueued! > 0, JSON.stringify(counts));
    assert.equal(counts.waiting! + counts.notQueued!, 5000, JSON.stringify(counts));
    assert.ok(counts.waiting! <= jobs, `waiting ${counts.waiting} counts only jobs that exist (${jobs})`);
    const text = await cli(['status', sweepId], env);
    assert.match(text.stdout, new RegExp(`not queued ${counts.notQueued}[\\s\\S]*enqueue --resume ${sweepId}`));
    const board = await cli(['leaderboard', sweepId], env);
    assert.equal(board.code, 0, board.stderr);

    // Memory freed: enqueueing the same spec again adds exactly the missing jobs.
    await setMaxMemory(0);
    const again = await cli(['enqueue', spec, '--json'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), { sweepId, trials: 5000, enqueued: 5000 - jobs });
    assert.equal(await redis.llen(`${env.LSW_PREFIX}:trials:wait`), 5000);
    assert.deepEqual(await statusJson(sweepId, env), {
      total: 5000,
      waiting: 5000,
      active: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      pruned: 0,
    });
    const resumed = await cli(['enqueue', '--resume', sweepId, '--json'], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((JSON.parse(resumed.stdout) as { enqueued: number }).enqueued, 0);
    await redis.flushall(); // this test's own redis-server, not the shared one
  });

  test('a full Redis during training: reads keep working, trials wait and then finish, none fails', async () => {
    await setMaxMemory(0);
    const env = { LSW_PREFIX: uniquePrefix(), LSW_CACHE_DIR: path.join(dir, 'cache') };
    const spec = await writeSpec('oom-train', [
      'parameters: { width: [6, 8], depth: [1, 2], epochs: [60], patience: [0] }',
      'retry: { attempts: 3, backoffMs: 500 }',
    ]);
    const enq = await cli(['enqueue', spec, '--json'], env);
    assert.equal(enq.code, 0, enq.stderr);
    const { sweepId } = JSON.parse(enq.stdout) as { sweepId: string };
    const worker = spawnCli(['worker', '--concurrency', '1', '--grace', '5'], { REDIS_URL: URL, ...env });
    try {
      await waitFor(async () => ((await statusJson(sweepId, env)).active! > 0 ? true : undefined), 60_000, 'a trial to start');
      // Below what Redis holds: every write is refused from now on.
      await setMaxMemory((await usedMemory()) - 64 * 1024);
      const fullUntil = Date.now() + 15_000;
      while (Date.now() < fullUntil) {
        const counts = await statusJson(sweepId, env);
        assert.equal(counts.failed, 0, JSON.stringify(counts));
        for (const args of [['sweeps'], ['leaderboard', sweepId]]) {
          const r = await cli(args, env);
          assert.equal(r.code, 0, `${args[0]} while Redis is full: ${r.stderr}`);
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      await setMaxMemory(0);
      const end = await waitFor(
        async () => {
          const c = await statusJson(sweepId, env);
          return c.completed! + c.failed! === 4 ? c : undefined;
        },
        240_000,
        'every trial to end',
      );
      assert.equal(end.failed, 0, `no trial fails for Redis memory: ${worker.output().slice(-3000)}`);
      assert.equal(end.completed, 4);
      assert.match(worker.output(), /Redis is out of memory/, 'the worker says what happened');
    } finally {
      worker.kill('SIGKILL');
      await exited(worker);
      await setMaxMemory(0);
    }
  });
});
