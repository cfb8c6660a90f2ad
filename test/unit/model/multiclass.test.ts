/** A 4-class dataset end to end: softmax head, worker, leaderboard, export and predict. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { REDIS_URL, REPO_ROOT, deletePrefix, enqueueAndTrain, runCli, uniquePrefix } from '../../helpers.js';

const BASIC_MOTIONS = path.resolve(REPO_ROOT, '..', 'shared', 'datasets', 'BasicMotions');
const prefix = uniquePrefix();
after(async () => {
  const redis = new Redis(REDIS_URL);
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

test('BasicMotions (4 classes, long format): trained with a softmax, exported, predicted', async (t) => {
  if (!existsSync(path.join(BASIC_MOTIONS, 'train.csv'))) return t.skip(`${BASIC_MOTIONS} not found`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-multiclass-'));
  const env = { REDIS_URL, LSW_PREFIX: prefix, LSW_CACHE_DIR: path.join(dir, 'cache') };
  const spec = path.join(dir, 'sweep.yaml');
  await writeFile(
    spec,
    [
      'name: basic-motions',
      `dataset: { train: ${BASIC_MOTIONS}/train.csv, test: ${BASIC_MOTIONS}/test.csv, format: long, validationSplit: 0.25, normalize: feature }`,
      'metric: { name: valBalancedAcc, goal: maximize }',
      'parameters: { depth: [1], width: [8], epochs: [6], batchSize: [8], learningRate: [0.02], patience: [0] }',
    ].join('\n'),
  );
  const sweepId = await enqueueAndTrain(spec, env, 1);
  const rows0 = JSON.parse((await runCli(['leaderboard', sweepId, '--json'], env)).stdout) as Array<{
    kind: string;
    metrics: Record<string, number>;
  }>;
  // the first row is the sweep's MiniRocket reference; this test is about the trained LSTM
  const row = rows0.find((r) => r.kind === 'trial');
  for (const name of ['valLoss', 'valAcc', 'valBalancedAcc', 'valAuc', 'testAcc', 'testAuc'])
    assert.ok(Number.isFinite(row!.metrics[name]), name);

  const exportDir = path.join(dir, 'model');
  assert.equal((await runCli(['best', sweepId, '--export', exportDir], env)).code, 0);
  const predicted = await runCli(
    ['predict', '--model', exportDir, '--data', `${BASIC_MOTIONS}/test.csv`, '--format', 'long', '--json'],
    env,
  );
  assert.equal(predicted.code, 0, predicted.stderr);
  const rows = JSON.parse(predicted.stdout) as Array<{ label: number; trueLabel: number; probabilities: number[] }>;
  assert.equal(rows.length, 40);
  assert.equal(rows[0]!.probabilities.length, 4);
  for (const r of rows) assert.ok(Math.abs(r.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4, 'softmax rows sum to 1');
  const accuracy = rows.filter((r) => r.label === r.trueLabel).length / rows.length;
  assert.ok(Math.abs(accuracy - row!.metrics.testAcc!) < 1e-9, `predict ${accuracy} vs worker ${row!.metrics.testAcc}`);
});
