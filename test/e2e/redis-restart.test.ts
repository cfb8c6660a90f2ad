/**
 * Redis restarted (AOF on) in the middle of a sweep: workers and the producer reconnect by
 * themselves and the sweep completes with every trial exactly once.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { writeSyntheticUcr } from '../../src/data/synthetic.js';
import { exited, logEvents, runCli, spawnCli, waitFor } from '../helpers.js';
import { freePort } from '../../src/demo/local-redis.js';

let server: ChildProcess | undefined;
const workers: ReturnType<typeof spawnCli>[] = [];

async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], {
    stdio: 'ignore',
  });
  const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => 200, maxRetriesPerRequest: null });
  probe.on('error', () => undefined);
  await probe.ping();
  probe.disconnect();
  return child;
}

after(async () => {
  for (const w of workers) w.kill('SIGKILL');
  server?.kill('SIGKILL');
});

test('a Redis restart mid-sweep loses and doubles nothing', async (t) => {
  if (spawnSync('redis-server', ['--version']).error) return t.skip('redis-server is not installed');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-restart-'));
  const port = await freePort();
  server = await startRedis(port, dir);
  const env = { REDIS_URL: `redis://127.0.0.1:${port}`, LSW_PREFIX: 'lsw' };

  const { train } = await writeSyntheticUcr(dir, { trainSize: 16, testSize: 4, timesteps: 6, seed: 1 });
  const spec = path.join(dir, 'sweep.yaml');
  // A dry-run sweep large enough to be in flight when Redis goes down.
  await writeFile(
    spec,
    [
      'name: restart',
      `dataset: { train: ${train} }`,
      'dryRun: true',
      'method: random',
      'count: 12000',
      'parameters:',
      '  depth: { min: 1, max: 60 }',
      '  width: { min: 1, max: 4000 }',
      '  dropout: { min: 0, max: 0.9 }',
    ].join('\n'),
  );
  const producer = spawnCli(['enqueue', spec, '--json'], env);
  workers.push(spawnCli(['worker', '--concurrency', '4'], env), spawnCli(['worker', '--concurrency', '4'], env));

  const probe = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  probe.on('error', () => undefined);
  // Restart while the producer is still adding jobs and workers are already training.
  await waitFor(async () => ((await probe.keys('lsw:sweep:*:trials')).length > 0 ? true : undefined), 60_000, 'the sweep record');
  probe.disconnect();
  assert.equal(producer.exitCode, null, 'the producer is still enqueueing when Redis goes down');
  server.kill('SIGTERM'); // redis-server flushes the AOF on SIGTERM
  await exited(server);
  await new Promise((r) => setTimeout(r, 1500));
  server = await startRedis(port, dir);

  assert.equal(await exited(producer), 0, producer.output());
  const { sweepId, trials } = JSON.parse(
    producer
      .output()
      .split('\n')
      .find((l) => l.startsWith('{"sweepId'))!,
  ) as { sweepId: string; trials: number };
  const counts = await waitFor(
    async () => {
      const r = await runCli(['status', sweepId, '--json'], env);
      if (r.code !== 0) return undefined;
      const c = JSON.parse(r.stdout) as Record<string, number>;
      return c.completed! + c.failed! === c.total ? c : undefined;
    },
    180_000,
    'the sweep to complete after the restart',
  );
  assert.deepEqual(counts, { total: trials, waiting: 0, active: 0, completed: trials, failed: 0, cancelled: 0, pruned: 0 });

  // One result per trial, for every trial of the sweep.
  const check = new Redis(env.REDIS_URL);
  const [trialIds, resultIds] = await Promise.all([
    check.hkeys(`lsw:sweep:${sweepId}:trials`),
    check.hkeys(`lsw:sweep:${sweepId}:results`),
  ]);
  check.disconnect();
  assert.equal(trialIds.length, trials);
  assert.deepEqual(resultIds.sort(), trialIds.sort());

  for (const w of workers) w.kill('SIGTERM');
  assert.deepEqual(await Promise.all(workers.map(exited)), [0, 0]);
  // At-least-once delivery: a job whose completion was cut off by the restart may be
  // delivered again and overwrite its own result record; none may end failed.
  const events = workers.flatMap((w) => logEvents(w.output()));
  assert.deepEqual(
    events.filter((e) => e.event === 'trial.end' && !['completed', 'already-done'].includes(e.status!)),
    [],
  );
  const completions = events.filter((e) => e.event === 'trial.end');
  const perJob = new Set(completions.map((e) => e.jobId));
  console.log(
    `${trials} trials, ${completions.length - perJob.size} re-run, ${trials - perJob.size} completed with the restart cutting off the job's own completion`,
  );
});
