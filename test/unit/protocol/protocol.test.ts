/** Validation protocols: stratified folds, k-fold cross-validation with refit, protocol resolution, seed ensembles. */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { CV_MAX_TRAIN } from '../../../src/data/dataset-spec.js';
import { stratifiedFolds } from '../../../src/data/split.js';
import { syntheticSplit, writeSyntheticUcr } from '../../../src/data/synthetic.js';
import type { Dataset } from '../../../src/data/types.js';
import { initBackend } from '../../../src/model/index.js';
import { prepareSweep } from '../../../src/producer/enqueue.js';
import { runProtocol, type Phase } from '../../../src/protocol/protocol-registry.js';
import { parseSpecText } from '../../../src/definition/load-spec.js';
import type { TrialConfig } from '../../../src/model/trial-config.js';
import type { EpochMetrics } from '../../../src/model/index.js';
import { TrialResultSchema } from '../../../src/store/records.js';
import { ensembleAccuracy, encodeTestPredictions } from '../../../src/store/test-predictions.js';
import { REDIS_URL, deletePrefix, enqueueAndTrain, runCli, uniquePrefix } from '../../helpers.js';

describe('stratified folds', () => {
  const split = { ...syntheticSplit({ n: 37, timesteps: 4, seed: 1 }) };
  split.y = split.y.map((_, i) => (i % 3 === 0 ? 1 : 0));

  test('every sample in exactly one fold, classes spread evenly, seeded', () => {
    const folds = stratifiedFolds(split, 5, 7);
    assert.equal(folds.length, 5);
    assert.deepEqual(
      folds.flat().sort((a, b) => a - b),
      Array.from({ length: 37 }, (_, i) => i),
    );
    for (const label of [0, 1]) {
      const counts = folds.map((f) => f.filter((i) => split.y[i] === label).length);
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `class ${label} per fold: ${counts}`);
    }
    assert.ok(Math.max(...folds.map((f) => f.length)) - Math.min(...folds.map((f) => f.length)) <= 1);
    assert.deepEqual(stratifiedFolds(split, 5, 7), folds);
    assert.notDeepEqual(stratifiedFolds(split, 5, 8), folds);
  });

  test('more folds than series is refused', () => {
    assert.throws(() => stratifiedFolds({ ...split, n: 3, y: split.y.subarray(0, 3) }, 5, 0), /needs at least 5 training series/);
  });
});

describe('cross-validation protocol', () => {
  before(async () => {
    await initBackend('cpu');
  });
  const dataset: Dataset = {
    train: syntheticSplit({ n: 40, timesteps: 12, seed: 3 }),
    test: syntheticSplit({ n: 30, timesteps: 12, seed: 4 }),
  };
  const config: TrialConfig = {
    depth: 1,
    width: 6,
    dropout: 0,
    recurrentDropout: 0,
    learningRate: 0.02,
    batchSize: 8,
    epochs: 8,
    patience: 2,
    head: 'dense',
    seed: 1,
  };

  test('k folds of all epochs, the budget from the mean fold curve, then one refit of that many epochs', async () => {
    const phases: Phase[] = [];
    const run = await runProtocol(
      config,
      dataset,
      { validationSplit: 0.2, splitSeed: 0, normalize: 'none', cvFolds: 4 },
      {
        onEpoch: (_e, phase) => {
          phases.push(phase);
        },
      },
    );
    const cv = run.cv!;
    assert.equal(cv.folds, 4);
    assert.equal(cv.perFold.length, 4);
    for (let f = 1; f <= 4; f++) {
      // patience is not applied to folds: every fold runs the full budget
      assert.equal(phases.filter((p) => p.kind === 'fold' && p.fold === f).length, config.epochs);
    }
    const refits = phases.filter((p) => p.kind === 'refit');
    assert.equal(refits.length, cv.epoch, 'the refit trains exactly the chosen budget');
    const lastFold = phases.map((p) => p.kind).lastIndexOf('fold');
    assert.ok(phases.findIndex((p) => p.kind === 'refit') > lastFold, 'refit comes last');
    const { trained } = run;
    assert.equal(trained.history.length, config.epochs, 'history is the mean curve over the folds');
    const best = Math.min(...trained.history.map((e) => e.valLoss));
    assert.equal(trained.history[cv.epoch - 1]!.valLoss, best, 'budget = lowest mean validation loss');
    const mean = (k: 'valLoss' | 'valAcc') => cv.perFold.reduce((s, p) => s + p[k], 0) / 4;
    assert.ok(Math.abs(trained.metrics.valLoss - mean('valLoss')) < 1e-9);
    assert.ok(Math.abs(trained.metrics.valAcc - mean('valAcc')) < 1e-9);
    assert.ok(cv.std.valLoss >= 0);
    assert.ok(Number.isFinite(trained.metrics.testAcc), 'test figures come from the refit');
    assert.equal(trained.testProbabilities!.length, 30);
    assert.equal(trained.bestEpoch, cv.epoch);
  });

  test("the folds' curves and the refit's are kept: what training reported, and their mean is the stored history", async () => {
    const reported = new Map<string, EpochMetrics[]>();
    const run = await runProtocol(
      config,
      dataset,
      { validationSplit: 0.2, splitSeed: 0, normalize: 'none', cvFolds: 3 },
      {
        onEpoch: (e, phase) => {
          const key = phase.kind === 'fold' ? `fold ${phase.fold}/${phase.folds}` : phase.kind;
          reported.set(key, [...(reported.get(key) ?? []), e]);
        },
      },
    );
    const cv = run.cv!;
    const kept = run.cvHistories!;
    assert.equal(kept.folds.length, 3);
    kept.folds.forEach((fold, f) => assert.deepEqual(fold, reported.get(`fold ${f + 1}/3`), `fold ${f + 1} as trained`));
    assert.deepEqual(kept.refit, reported.get('refit'), 'the refit as trained');
    assert.equal(kept.refit.length, cv.epoch, 'the refit ran the budget');
    const history = run.trained.history;
    for (const key of ['loss', 'valLoss', 'valAcc', 'valAuc', 'valBalancedAcc'] as const) {
      history.forEach((e, i) => {
        const mean = kept.folds.reduce((s, fold) => s + fold[i]![key]!, 0) / 3;
        assert.ok(Math.abs(e[key]! - mean) < 1e-12, `${key} at epoch ${i + 1}: ${e[key]} is the fold mean ${mean}`);
      });
    }
    kept.folds.forEach((fold, f) =>
      assert.equal(fold[cv.epoch - 1]!.valLoss, cv.perFold[f]!.valLoss, 'perFold is each curve at the budget'),
    );
    // what the store keeps, and reads back
    const parsed = TrialResultSchema.shape.cvHistories.parse(JSON.parse(JSON.stringify(kept)));
    assert.deepEqual(parsed, kept);
  });

  test('the budget follows the sweep metric when it is a validation metric', async () => {
    const settings = { validationSplit: 0.2, splitSeed: 0, normalize: 'none' as const, cvFolds: 4 };
    const byAcc = await runProtocol(config, dataset, { ...settings, metric: { name: 'valAcc', goal: 'maximize' } }, {});
    const accs = byAcc.trained.history.map((e) => e.valAcc);
    assert.equal(accs[byAcc.cv!.epoch - 1], Math.max(...accs));
    const byTest = await runProtocol(config, dataset, { ...settings, metric: { name: 'testAcc', goal: 'maximize' } }, {});
    const losses = byTest.trained.history.map((e) => e.valLoss);
    assert.equal(losses[byTest.cv!.epoch - 1], Math.min(...losses), 'a test metric never picks the budget');
  });

  /** Everything a run returns but its timings (durationMs, which differ between any two runs). */
  const untimed = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value, (key, v: unknown) =>
        key === 'durationMs' ? undefined : ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v,
      ),
    );

  test('folds trained at once (as the packed gpu engine runs them) give the sequential run, curve for curve', async () => {
    const small = { ...config, dropout: 0.2, recurrentDropout: 0.1, epochs: 4 };
    const settings = { validationSplit: 0.2, splitSeed: 0, normalize: 'none' as const, cvFolds: 3 };
    const order = (phases: Phase[]) => phases.map((p) => (p.kind === 'fold' ? p.fold : 0));
    const run = async (concurrentFolds: boolean) => {
      const phases: Phase[] = [];
      const result = await runProtocol(small, dataset, settings, {
        engine: 'fast',
        concurrentFolds,
        keepModel: false,
        onEpoch: (_e, phase) => {
          phases.push(phase);
        },
      });
      return { result, order: order(phases) };
    };
    const sequential = await run(false);
    const concurrent = await run(true);
    assert.deepEqual(sequential.order, [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, ...sequential.order.slice(12).map(() => 0)]);
    assert.ok(concurrent.order.indexOf(2) < concurrent.order.lastIndexOf(1), `the folds interleave: ${concurrent.order.join(' ')}`);
    assert.deepEqual(untimed(concurrent.result), untimed(sequential.result));
  });

  test('a fold that fails stops the folds training beside it, and its error is the one thrown', async () => {
    const reported: { fold: number; epoch: number }[] = [];
    const failure = new Error('fold 2 failed');
    await assert.rejects(
      runProtocol(
        { ...config, epochs: 6 },
        dataset,
        { validationSplit: 0.2, splitSeed: 0, normalize: 'none', cvFolds: 3 },
        {
          engine: 'fast',
          concurrentFolds: true,
          onEpoch: (e, phase) => {
            if (phase.kind !== 'fold') return;
            reported.push({ fold: phase.fold, epoch: e.epoch });
            if (phase.fold === 2 && e.epoch === 2) throw failure;
          },
        },
      ),
      (err: unknown) => err === failure,
    );
    assert.ok(reported.some((r) => r.fold === 1) && reported.some((r) => r.fold === 3), 'the other folds were training');
    // a fold stops at its next batch: at most the epoch it was finishing is reported after the failure
    assert.ok(
      reported.every((r) => r.epoch <= 3),
      `no fold trains on: ${JSON.stringify(reported)}`,
    );
  });

  test('holdout still applies patience and restores the best epoch', async () => {
    const run = await runProtocol(
      { ...config, epochs: 30, learningRate: 0.05 },
      dataset,
      { validationSplit: 0.25, splitSeed: 0, normalize: 'none' },
      {},
    );
    assert.equal(run.cv, undefined);
    assert.ok(run.trained.epochsRun <= 30);
    assert.equal(run.trained.metrics.valLoss, Math.min(...run.trained.history.map((e) => e.valLoss)));
  });
});

describe('protocol resolution at enqueue', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-protocol-'));
    await writeSyntheticUcr(path.join(dir, 'small'), { trainSize: 40, testSize: 10, timesteps: 8, seed: 1 });
    await writeSyntheticUcr(path.join(dir, 'tiny'), { trainSize: 6, testSize: 4, timesteps: 8, seed: 3 });
    await writeSyntheticUcr(path.join(dir, 'large'), { trainSize: CV_MAX_TRAIN + 1, testSize: 10, timesteps: 8, seed: 2 });
  });
  const prepare = (data: string, extra = '') =>
    prepareSweep({
      spec: parseSpecText(`name: p\ndataset: { train: ${data}/train.csv, test: ${data}/test.csv${extra} }\n`, 'spec.yaml'),
      baseDir: dir,
      file: path.join(dir, 'spec.yaml'),
    });
  const asha = '\nearlyTerminate: { type: asha }';

  test(`auto: cv from 2 * folds up to ${CV_MAX_TRAIN} training series, else holdout; holdout under ASHA`, async () => {
    assert.equal((await prepare('small')).spec.dataset.protocol, 'cv');
    assert.equal((await prepare('large')).spec.dataset.protocol, 'holdout');
    assert.equal((await prepare('tiny')).spec.dataset.protocol, 'holdout', 'fewer than 2 * folds series');
    const withAsha = await prepareSweep({
      spec: parseSpecText(`name: p\ndataset: { train: small/train.csv }${asha}\n`, 'spec.yaml'),
      baseDir: dir,
      file: path.join(dir, 'spec.yaml'),
    });
    assert.equal(withAsha.spec.dataset.protocol, 'holdout');
  });

  test('explicit choices are kept; cv with ASHA or with more folds than series is refused', async () => {
    assert.equal((await prepare('small', ', protocol: holdout')).spec.dataset.protocol, 'holdout');
    assert.equal((await prepare('large', ', protocol: cv, folds: 3')).spec.dataset.folds, 3);
    await assert.rejects(
      prepareSweep({
        spec: parseSpecText(`name: p\ndataset: { train: small/train.csv, protocol: cv }${asha}\n`, 'spec.yaml'),
        baseDir: dir,
        file: '',
      }),
      /use dataset.protocol: holdout with it/,
    );
    await assert.rejects(prepare('tiny', ', protocol: cv, folds: 10'), /dataset.folds is 10 but the train file has only 6 series/);
    assert.throws(() => parseSpecText('name: p\ndataset: { train: a.csv, protocol: kfold }\n', 'spec.yaml'), /protocol/);
  });
});

describe('seed ensembles', () => {
  test('the ensemble averages probabilities, not votes', () => {
    const labels = [1, 0, 1];
    // member A is right on 0 and 1, member B only on 2; averaged, the confident answers win
    const a = encodeTestPredictions(labels, Float32Array.from([0.9, 0.1, 0.45]));
    const b = encodeTestPredictions(labels, Float32Array.from([0.4, 0.6, 0.95]));
    assert.equal(ensembleAccuracy([a]), 2 / 3);
    assert.equal(ensembleAccuracy([a, b]), 1);
    const three = encodeTestPredictions([2, 0], Float32Array.from([0.2, 0.3, 0.5, 0.6, 0.3, 0.1]));
    assert.equal(three.classes, 3);
    assert.equal(ensembleAccuracy([three]), 1);
  });

  const prefix = uniquePrefix();
  after(async () => {
    const redis = new Redis(REDIS_URL);
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  test('a cv sweep over 2 seeds end to end: fold spread per trial, ensemble per configuration', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-ensemble-'));
    const data = await writeSyntheticUcr(dir, { trainSize: 40, testSize: 30, timesteps: 12, seed: 5 });
    const env = { REDIS_URL, LSW_PREFIX: prefix, LSW_CACHE_DIR: path.join(dir, 'cache') };
    const spec = path.join(dir, 'sweep.yaml');
    await writeFile(
      spec,
      [
        'name: ensemble',
        `dataset: { train: ${data.train}, test: ${data.test}, folds: 3 }`,
        'parameters: { depth: [1], width: [6, 8], epochs: [6], batchSize: [8], learningRate: [0.02] }',
        'seeds: [1, 2]',
      ].join('\n'),
    );
    const sweepId = await enqueueAndTrain(spec, env, 4);
    // The sweep's baseline row, once it is done, comes first: its kind tells it from the trials.
    const rows = (
      JSON.parse((await runCli(['leaderboard', sweepId, '--json'], env)).stdout) as Array<{
        kind: string;
        cv: { folds: number; epoch: number; std: Record<string, number> };
      }>
    ).filter((r) => r.kind === 'trial');
    assert.equal(rows.length, 4);
    for (const r of rows) {
      assert.equal(r.cv.folds, 3);
      assert.ok(r.cv.epoch >= 1 && r.cv.epoch <= 6);
      assert.ok(Number.isFinite(r.cv.std.valAuc));
    }
    const groups = (
      JSON.parse((await runCli(['leaderboard', sweepId, '--by-config', '--json'], env)).stdout) as Array<{
        kind: string;
        seeds: number[];
        ensembleTestAcc: number;
      }>
    ).filter((g) => g.kind === 'config');
    assert.equal(groups.length, 2);
    for (const g of groups) {
      assert.equal(g.seeds.length, 2);
      assert.ok(g.ensembleTestAcc >= 0 && g.ensembleTestAcc <= 1);
    }
    const table = await runCli(['leaderboard', sweepId], env);
    assert.match(table.stdout, /ensemble testAcc/);
    assert.match(table.stdout, /± /);
    assert.match(table.stdout, /\d+\/6 cv/);
  });
});
