/**
 * A packing worker (`worker --pack K`, the mode of `--engine gpu`) with real worker processes, the
 * real Redis and real training: K jobs at once in ONE trainer process, each with its own lock,
 * progress and exactly one result; kill -9 and SIGTERM mid-pack lose and double nothing; a failed
 * trial fails alone. And what the worker says of the host's WebGPU adapters (SwiftShader here).
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { writeSyntheticUcr } from '../../src/data/synthetic.js';
import { TRIAL_QUEUE, TrialProgressSchema } from '../../src/queue/trial-job.js';
import { gpuTestEnv } from '../gpu-fixture.js';
import { REDIS_URL, childPids, deletePrefix, exited, isAlive, logEvents, runCli, spawnCli, uniquePrefix, waitFor } from '../helpers.js';
import { sweepCli } from '../sweep-cli.js';

/** The engine the packing workers train with: the packed WebGPU engine, on SwiftShader. */
const PACK_ENGINE = 'gpu';
const K = 3;
const PACK_WORKER = ['worker', '--engine', PACK_ENGINE, '--pack', String(K)];

const prefix = uniquePrefix();
const env: NodeJS.ProcessEnv = { REDIS_URL, LSW_PREFIX: prefix, ...gpuTestEnv() };
let redis: Redis;
let queue: Queue;
let dir: string;
let train: string;
let testFile: string;

before(async () => {
  redis = new Redis(REDIS_URL);
  queue = new Queue(TRIAL_QUEUE, { connection: redis, prefix });
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-pack-'));
  env.LSW_CACHE_DIR = path.join(dir, 'cache');
  ({ train, test: testFile } = await writeSyntheticUcr(dir, { trainSize: 48, testSize: 16, timesteps: 16, seed: 3 }));
});

after(async () => {
  await queue.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

/**
 * Long enough (several seconds for a pack of K on SwiftShader, ~0.6 s an epoch in a worker) to stop a worker
 * mid-pack, short enough for the next worker to finish soon.
 */
const LONG_EPOCHS = 10;

/**
 * K trials of one architecture (one pack) that differ in learning rate, as a sweep's trials do;
 * one batch per epoch (SwiftShader pays per pass, not per row).
 */
function packOf(epochs: number): string[] {
  return [
    'parameters:',
    '  depth: [1]',
    '  width: [6]',
    '  batchSize: [64]',
    `  epochs: [${epochs}]`,
    '  patience: [0]',
    '  learningRate: [0.01, 0.02, 0.03]',
  ];
}

const cli = () => sweepCli(dir, env);
const sweep = (name: string, lines: string[], trainFile = train, testPart = `, test: ${testFile}`): Promise<string> =>
  cli().enqueue(name, `{ train: ${trainFile}${testPart}, validationSplit: 0.25 }`, lines);
const status = (sweepId: string) => cli().status(sweepId);
const untilEnded = (sweepId: string, timeoutMs?: number) => cli().untilEnded(sweepId, timeoutMs);

/** Waits until `count` jobs of the sweep are active at once, each having reported epoch `epoch` or later. */
function untilTrainingTogether(sweepId: string, count: number, epoch: number): Promise<string[]> {
  return waitFor(
    async () => {
      const training = (await queue.getJobs(['active'])).filter((job) => {
        const p = TrialProgressSchema.safeParse(job.progress);
        return job.id?.startsWith(sweepId) && p.success && p.data.epoch >= epoch;
      });
      return training.length >= count ? training.map((job) => job.id!) : undefined;
    },
    60_000,
    `${count} trials of ${sweepId} training at once`,
  );
}

async function results(sweepId: string): Promise<Record<string, { attempts: number; worker: string; finishedAt: string }>> {
  const all = await redis.hgetall(`${prefix}:sweep:${sweepId}:results`);
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, JSON.parse(v)]));
}

describe('packing worker', () => {
  test(`takes ${K} jobs at once into one trainer process; each trial reports progress and has exactly one result`, async () => {
    const sweepId = await sweep('together', packOf(4));
    const w = spawnCli(PACK_WORKER, env);
    let trainers: number[] | undefined;
    try {
      const ids = await untilTrainingTogether(sweepId, K, 1);
      assert.equal(ids.length, K);
      trainers = await childPids(w.pid!);
      assert.equal(trainers.length, 1, 'one trainer process trains the whole pack');
      assert.deepEqual([(await untilEnded(sweepId)).completed], [K]);
      const stored = Object.values(await results(sweepId));
      assert.equal(stored.length, K);
      for (const r of stored) assert.equal(r.attempts, 1);
      const ready = logEvents(w.output()).find((e) => e.event === 'worker.ready');
      assert.equal(ready?.pack, K);
      assert.equal(ready?.engine, PACK_ENGINE);
      const ends = logEvents(w.output()).filter((e) => e.event === 'trial.end');
      assert.deepEqual(
        ends.map((e) => e.status),
        ends.map(() => 'completed'),
      );
    } finally {
      w.kill('SIGTERM');
      assert.equal(await exited(w), 0);
    }
    assert.equal(logEvents(w.output()).find((e) => e.event === 'worker.stopped')?.handedBack, 0);
    assert.ok(trainers && !trainers.some(isAlive), 'the idle trainer stops with its worker');

    // the best trial exports as a standard tfjs-layers model, and predict scores the test file as the worker did
    const exportDir = path.join(dir, 'packed-best');
    const best = await runCli(['best', sweepId, '--export', exportDir, '--json'], env);
    assert.equal(best.code, 0, best.stderr);
    const summary = JSON.parse(best.stdout) as { metrics: { testAcc: number }; engine?: string };
    const predicted = await runCli(['predict', '--model', exportDir, '--data', testFile], env);
    assert.equal(predicted.code, 0, predicted.stderr);
    const accuracy = Number(/accuracy ([0-9.]+)/.exec(predicted.stdout)![1]);
    assert.ok(Math.abs(accuracy - summary.metrics.testAcc) < 1e-9, `${accuracy} vs ${summary.metrics.testAcc}`);
  });

  test('kill -9 mid-pack: the trainer exits with its worker; another worker finishes every trial of the pack once', async () => {
    const sweepId = await sweep('kill9', packOf(LONG_EPOCHS));
    const a = spawnCli(PACK_WORKER, env);
    await untilTrainingTogether(sweepId, K, 2);
    const trainers = await childPids(a.pid!);
    assert.equal(trainers.length, 1);
    a.kill('SIGKILL');
    await exited(a);
    await waitFor(async () => (trainers.some(isAlive) ? undefined : true), 5_000, 'the orphaned trainer to exit');
    const b = spawnCli(PACK_WORKER, env);
    try {
      const counts = await untilEnded(sweepId);
      assert.deepEqual([counts.completed, counts.failed], [K, 0]);
      const stored = Object.values(await results(sweepId));
      assert.equal(stored.length, K);
      for (const r of stored) {
        assert.equal(r.attempts, 2, 're-delivered once');
        assert.match(r.worker, new RegExp(`:${b.pid}$`));
      }
    } finally {
      b.kill('SIGTERM');
      await exited(b);
    }
  });

  test('SIGTERM past --grace hands the whole pack back and stops the trainer; a later worker finishes it', async () => {
    const sweepId = await sweep('sigterm', packOf(LONG_EPOCHS));
    const a = spawnCli([...PACK_WORKER, '--grace', '1'], env);
    const ids = await untilTrainingTogether(sweepId, K, 1);
    const trainers = await childPids(a.pid!);
    a.kill('SIGTERM');
    assert.equal(await exited(a), 0);
    assert.equal(logEvents(a.output()).find((e) => e.event === 'worker.stopped')?.handedBack, K);
    assert.ok(!trainers.some(isAlive), 'no trainer keeps training a handed-back trial');
    for (const id of ids) assert.equal(await (await queue.getJob(id))!.getState(), 'waiting');
    assert.deepEqual(await status(sweepId), { total: K, waiting: K, active: 0, completed: 0, failed: 0, cancelled: 0, pruned: 0 });

    const b = spawnCli(PACK_WORKER, env);
    try {
      const counts = await untilEnded(sweepId);
      assert.deepEqual([counts.completed, counts.failed], [K, 0]);
      assert.equal(Object.keys(await results(sweepId)).length, K);
    } finally {
      b.kill('SIGTERM');
      await exited(b);
    }
  });

  test('the trainer process dies mid-pack: every trial it held fails with the reason and is retried in a fresh trainer', async () => {
    const sweepId = await sweep('crash', [...packOf(LONG_EPOCHS), 'retry: { attempts: 2, backoffMs: 200 }']);
    const w = spawnCli(PACK_WORKER, env);
    try {
      await untilTrainingTogether(sweepId, K, 1);
      const [trainer] = await childPids(w.pid!);
      process.kill(trainer!, 'SIGKILL');
      const counts = await untilEnded(sweepId);
      assert.deepEqual([counts.completed, counts.failed], [K, 0]);
      for (const r of Object.values(await results(sweepId))) assert.equal(r.attempts, 2);
      const retried = logEvents(w.output()).filter((e) => e.event === 'trial.end' && e.status === 'retrying');
      assert.equal(retried.length, K);
      for (const e of retried)
        assert.match(String(e.reason), new RegExp(`pack trainer process ${trainer} was killed \\(SIGKILL\\) while training ${K} trial`));
      const [fresh] = await childPids(w.pid!);
      assert.ok(fresh !== undefined && fresh !== trainer, 'a fresh trainer trained the retries');
    } finally {
      w.kill('SIGTERM');
      await exited(w);
    }
  });

  test('a trial that fails fails alone: the rest of its pack trains on in the same trainer process', async () => {
    // Deterministic failure: the dataset its job names is gone from Redis (the other trials' is there).
    const gone = path.join(dir, 'gone.csv');
    await writeFile(gone, `label,t0,t1,t2\n${Array.from({ length: 8 }, (_, i) => `${i % 2},${i},2,1`).join('\n')}\n`);
    const bad = await sweep('fails', ['parameters:', '  depth: [1]', '  width: [6]', '  epochs: [40]'], gone, '');
    const { datasetHash } = JSON.parse((await redis.get(`${prefix}:sweep:${bad}`))!) as { datasetHash: string };
    await redis.del(`${prefix}:dataset:${datasetHash}`);
    const good = await sweep(
      'goes-on',
      packOf(10).map((l) => l.replace('[0.01, 0.02, 0.03]', '[0.01, 0.02]')),
    );
    const w = spawnCli(PACK_WORKER, env);
    try {
      const failed = await untilEnded(bad);
      assert.deepEqual([failed.completed, failed.failed], [0, 1]);
      const failedAt = Date.now();
      const trainers = await childPids(w.pid!);
      assert.equal(trainers.length, 1);
      assert.deepEqual([(await untilEnded(good)).completed], [K - 1]);
      for (const r of Object.values(await results(good))) {
        assert.equal(r.attempts, 1);
        assert.ok(Date.parse(r.finishedAt) > failedAt, 'the other trials were in flight when it failed, and went on');
      }
      assert.deepEqual(await childPids(w.pid!), trainers, 'the same trainer process trained on');
      const events = logEvents(w.output());
      assert.ok(!events.some((e) => e.event === 'trainer.retired' || e.event === 'trainer.exited'));
      assert.match(String(events.find((e) => e.event === 'trial.end' && e.status === 'failed')?.reason), /is not in Redis/);
    } finally {
      w.kill('SIGTERM');
      await exited(w);
    }
    const board = await runCli(['status', bad], env);
    assert.match(board.stdout, /after 1 attempt\(s\): DatasetUnavailableError/);
  });
});

describe('WebGPU adapters (SwiftShader)', () => {
  test('worker --help lists them', async () => {
    const r = await runCli(['worker', '--help'], gpuTestEnv());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^WebGPU adapters: 0: SwiftShader Device \(Subzero\) \(vulkan, CPU emulation\)$/m);
    const none = await runCli(['worker', '--help'], { VK_ICD_FILENAMES: path.join(dir, 'no-such-icd.json') });
    assert.match(none.stdout, /^WebGPU adapters: none \(.+\)$/m);
  });

  test('--engine gpu: --gpu N must name an adapter, and there must be one (exit 2, touching nothing)', async () => {
    const r = await runCli(['worker', '--engine', 'gpu', '--gpu', '99'], { ...env, ...gpuTestEnv() });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--gpu 99: this host has 1 WebGPU adapter\(s\): 0: SwiftShader Device \(Subzero\) \(vulkan, CPU emulation\)/);
    const none = await runCli(['worker', '--engine', 'gpu'], { ...env, VK_ICD_FILENAMES: path.join(dir, 'no-such-icd.json') });
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /--engine gpu: no WebGPU adapter on this host/);
    const both = await runCli(['worker', '--pack', '4', '--concurrency', '2'], env);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--concurrency 2 .* does not combine with it/);
  });

  test('--engine auto does not pick gpu for a CPU emulation, and says why', async () => {
    const w = spawnCli(['worker'], { ...env, ...gpuTestEnv() });
    try {
      const ready = await waitFor(async () => logEvents(w.output()).find((e) => e.event === 'worker.ready'), 30_000, 'the worker to start');
      assert.equal(ready.engine, 'auto');
      assert.equal(ready.concurrency, 1);
      assert.match(String(ready.engineReason), /no hardware WebGPU adapter \(found: 0: SwiftShader Device/);
    } finally {
      w.kill('SIGTERM');
      await exited(w);
    }
  });
});
