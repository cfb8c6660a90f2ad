/**
 * End to end through real parts: the built CLI, the real Redis, real worker processes with
 * sandboxed trainers, real training on a generated task.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { writeSyntheticUcr } from '../../src/data/synthetic.js';
import { TrialProgressSchema, TRIAL_QUEUE } from '../../src/queue/trial-job.js';
import { REDIS_URL, deletePrefix, exited, runCli, spawnCli, uniquePrefix, waitFor } from '../helpers.js';

const prefix = uniquePrefix();
const env = { REDIS_URL, LSW_PREFIX: prefix, LSW_CACHE_DIR: '' };
let redis: Redis;
let dir: string;
let specFile: string;
let testCsv: string;

before(async () => {
  redis = new Redis(REDIS_URL);
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-pipeline-'));
  const { train, test: testFile } = await writeSyntheticUcr(dir, { trainSize: 80, testSize: 40, timesteps: 16, seed: 5 });
  testCsv = testFile;
  specFile = path.join(dir, 'sweep.yaml');
  await writeFile(
    specFile,
    [
      'name: pipeline-test',
      `dataset: { train: ${path.basename(train)}, test: ${path.basename(testFile)}, format: ucr, validationSplit: 0.25, normalize: feature }`,
      'method: grid',
      'parameters:',
      '  depth: [1, 2]',
      '  width: [1, 6]',
      '  learningRate: [0.02]',
      '  batchSize: [16]',
      '  epochs: [10]',
      '  patience: [0]',
      'metric: { name: valAuc, goal: maximize }',
      'seeds: [7]',
      // The sweep's MiniRocket baseline has a test of its own (baseline.test.ts); here: trials only.
      'baseline: none',
    ].join('\n'),
  );
});

after(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

describe('sweep pipeline', () => {
  let sweepId: string;

  test('enqueue stores the sweep and queues one job per trial, idempotently', async () => {
    const first = await runCli(['enqueue', specFile, '--json'], env);
    assert.equal(first.code, 0, first.stderr);
    const summary = JSON.parse(first.stdout) as { sweepId: string; trials: number; enqueued: number };
    assert.match(summary.sweepId, /^pipeline-test-[0-9a-f]{10}$/);
    assert.equal(summary.trials, 4);
    assert.equal(summary.enqueued, 4);
    sweepId = summary.sweepId;

    const again = await runCli(['enqueue', specFile, '--json'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), { ...summary, enqueued: 0 });

    const status = await runCli(['status', sweepId, '--json'], env);
    assert.deepEqual(JSON.parse(status.stdout), { total: 4, waiting: 4, active: 0, completed: 0, failed: 0, cancelled: 0, pruned: 0 });
  });

  test('two worker processes train every trial; results, ranking and progress land in Redis', async () => {
    const workers = [spawnCli(['worker'], env), spawnCli(['worker'], env)];
    try {
      const counts = await waitFor(
        async () => {
          const r = await runCli(['status', sweepId, '--json'], env);
          const c = JSON.parse(r.stdout) as Record<string, number>;
          return c.completed! + c.failed! === 4 ? c : undefined;
        },
        180_000,
        'all 4 trials to finish',
      );
      assert.deepEqual(counts, { total: 4, waiting: 0, active: 0, completed: 4, failed: 0, cancelled: 0, pruned: 0 });
    } finally {
      for (const w of workers) w.kill('SIGTERM');
    }
    const codes = await Promise.all(workers.map(exited));
    assert.deepEqual(codes, [0, 0], workers.map((w) => w.output()).join('\n'));

    // One start and one end log line per trial, structured JSON (stdout is not a terminal).
    const events = workers
      .flatMap((w) => w.output().split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { event: string; status?: string });
    assert.equal(events.filter((e) => e.event === 'trial.start').length, 4);
    assert.equal(events.filter((e) => e.event === 'trial.end' && e.status === 'completed').length, 4);
    assert.equal(events.filter((e) => e.event === 'worker.stopped').length, 2);

    const lb = await runCli(['leaderboard', sweepId, '--json'], env);
    assert.equal(lb.code, 0, lb.stderr);
    const rows = JSON.parse(lb.stdout) as Array<{
      rank: number;
      trialId: string;
      config: { depth: number; width: number; epochs: number };
      metrics: Record<string, number>;
      epochs: number;
      durationMs: number;
      backend: string;
      engine: string;
      worker: string;
    }>;
    assert.equal(rows.length, 4);
    assert.deepEqual(
      rows.map((r) => r.rank),
      [1, 2, 3, 4],
    );
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1]!.metrics.valAuc! >= rows[i]!.metrics.valAuc!);
    assert.equal(new Set(rows.map((r) => `${r.config.depth}x${r.config.width}`)).size, 4);
    for (const row of rows) {
      assert.equal(row.backend, 'wasm');
      assert.equal(row.engine, 'fast', 'workers train with the fast engine by default');
      assert.equal(row.epochs, 10);
      assert.ok(row.durationMs > 0);
      assert.match(row.worker, /:\d+$/);
      for (const name of ['valLoss', 'valAcc', 'valAuc', 'valBalancedAcc', 'testLoss', 'testAcc', 'testAuc', 'testBalancedAcc']) {
        assert.ok(Number.isFinite(row.metrics[name]), `${name} of ${row.trialId}`);
      }
    }
    // The generated task is learnable: the best variant separates the classes.
    assert.ok(rows[0]!.metrics.valAuc! > 0.8, `best valAuc ${rows[0]!.metrics.valAuc}`);

    // Full per-epoch history is kept in the result record.
    const record = JSON.parse((await redis.hget(`${prefix}:sweep:${sweepId}:results`, rows[0]!.trialId))!);
    assert.equal(record.history.length, 10);
    assert.equal(record.attempts, 1);

    // Per-epoch progress was reported on the job.
    const queue = new Queue(TRIAL_QUEUE, { connection: redis, prefix });
    const job = await queue.getJob(`${sweepId}.${rows[0]!.trialId}`);
    await queue.close();
    // 24 training series: protocol auto cross-validates; the last report is the refit's last epoch
    const progress = TrialProgressSchema.parse(job?.progress);
    assert.equal(record.cv.folds, 5);
    assert.deepEqual([progress.epoch, progress.epochs, progress.refit], [record.cv.epoch, record.cv.epoch, true]);

    const csv = await runCli(['leaderboard', sweepId, '--csv'], env);
    const lines = csv.stdout.trim().split('\n');
    assert.equal(lines.length, 5);
    assert.match(lines[0]!, /^rank,trialId,depth,width/);

    const table = await runCli(['leaderboard', sweepId], env);
    assert.match(table.stdout, /valAuc ↑/);
    assert.match(table.stdout, /4\/4 trials done/);
  });

  test('best --export saves a standard tfjs-layers model; predict reproduces the test metrics', async () => {
    const exportDir = path.join(dir, 'best-model');
    const best = await runCli(['best', sweepId, '--export', exportDir, '--json'], env);
    assert.equal(best.code, 0, best.stderr);
    const summary = JSON.parse(best.stdout) as { trialId: string; metrics: { testAcc: number }; inputShape: unknown };
    assert.deepEqual(summary.inputShape, { timesteps: 16, features: 1 });
    const board = JSON.parse((await runCli(['leaderboard', sweepId, '--json'], env)).stdout) as Array<{ trialId: string }>;
    assert.equal(summary.trialId, board[0]!.trialId);

    // A plain tf.loadLayersModel reads the exported files.
    const tf = await import('@tensorflow/tfjs');
    const modelJson = JSON.parse(await readFile(path.join(exportDir, 'model.json'), 'utf8'));
    assert.deepEqual(modelJson.weightsManifest[0].paths, ['weights.bin']);
    const weights = await readFile(path.join(exportDir, 'weights.bin'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory(modelJson.modelTopology, modelJson.weightsManifest[0].weights, new Uint8Array(weights).buffer),
    );
    assert.deepEqual(model.inputs[0]!.shape, [null, 16, 1]);
    model.dispose();
    const trialFile = JSON.parse(await readFile(path.join(exportDir, 'trial.json'), 'utf8'));
    assert.equal(trialFile.trialId, summary.trialId);
    // `normalize: feature` kept the training split's statistics with the model, for predict.
    assert.equal(trialFile.normalization.mode, 'feature');
    assert.equal(trialFile.normalization.stats.mean.length, 1);

    // Predicting the test file gives the accuracy the worker recorded for the best weights.
    const predicted = await runCli(['predict', '--model', exportDir, '--data', testCsv], env);
    assert.equal(predicted.code, 0, predicted.stderr);
    const accuracy = Number(/accuracy ([0-9.]+)/.exec(predicted.stdout)![1]);
    assert.ok(Math.abs(accuracy - summary.metrics.testAcc) < 1e-9, `${accuracy} vs ${summary.metrics.testAcc}`);

    // Unlabelled series (no label column) get the same probabilities.
    const text = await readFile(testCsv, 'utf8');
    const unlabelled = path.join(dir, 'unlabelled.csv');
    await writeFile(
      unlabelled,
      text
        .split('\n')
        .map((l) => l.slice(l.indexOf(',') + 1))
        .join('\n'),
    );
    const a = JSON.parse((await runCli(['predict', '--model', exportDir, '--data', testCsv, '--json'], env)).stdout) as Array<{
      probability: number;
      label: number;
    }>;
    const b = JSON.parse((await runCli(['predict', '--model', exportDir, '--data', unlabelled, '--json'], env)).stdout) as Array<{
      probability: number;
      trueLabel?: number;
    }>;
    assert.equal(a.length, 40);
    assert.deepEqual(
      b.map((r) => r.probability),
      a.map((r) => r.probability),
    );
    assert.equal(b[0]!.trueLabel, undefined);

    // A file of another shape is refused clearly.
    const wrong = path.join(dir, 'wrong.csv');
    await writeFile(wrong, 'label,t0,t1\n0,1,2\n1,2,3\n');
    const refused = await runCli(['predict', '--model', exportDir, '--data', wrong], env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /shape \(2, 1\); the model expects \(16, 1\)/);
  });

  test('leaderboard --watch on a finished sweep prints once and ends', async () => {
    const watched = await runCli(['leaderboard', sweepId, '--watch', '--interval', '0.2'], env);
    assert.equal(watched.code, 0, watched.stderr);
    assert.match(watched.stdout, /4\/4 trials \| 0 active \| 0 failed \| ETA done/);
    assert.equal(watched.stdout.match(/ETA/g)!.length, 1);
  });

  test('results live in their own keys: deleting the BullMQ queue keeps the leaderboard', async () => {
    const queue = new Queue(TRIAL_QUEUE, { connection: redis, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
    const lb = await runCli(['leaderboard', sweepId, '--json'], env);
    assert.equal((JSON.parse(lb.stdout) as unknown[]).length, 4);
    // And a finished sweep is not re-queued by enqueueing it again.
    const again = await runCli(['enqueue', specFile, '--json'], env);
    assert.equal(JSON.parse(again.stdout).enqueued, 0);
  });
});
