import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Split, TrainingData } from '../../../src/data/types.js';
import type { TrialConfig } from '../../../src/model/trial-config.js';
import { createRng } from '../../../src/util/rng.js';
import { countParams, disposeModel, initBackend, NonFiniteLossError, trainTrial, type EpochMetrics } from '../../../src/model/index.js';

const T = 12;
const F = 2;

/** Class 1 has a positive mean shift; `signal` 0 gives random labels (nothing to learn). */
function makeSplit(n: number, seed: number, signal = 0.6): Split {
  const rng = createRng(seed);
  const x = new Float32Array(n * T * F);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng() < 0.5 ? 0 : 1;
    for (let j = 0; j < T * F; j++) x[i * T * F + j] = (rng() - 0.5) * 2 + y[i]! * signal;
  }
  return { n, timesteps: T, features: F, x, y };
}

const data: TrainingData = { train: makeSplit(64, 1), validation: makeSplit(32, 2), test: makeSplit(32, 3) };

const config = (over: Partial<TrialConfig> = {}): TrialConfig => ({
  depth: 2,
  width: 4,
  dropout: 0,
  recurrentDropout: 0,
  learningRate: 0.01,
  batchSize: 16,
  epochs: 6,
  patience: 0,
  head: 'dense',
  seed: 7,
  ...over,
});

const strip = (h: EpochMetrics[]) => h.map(({ durationMs: _d, ...rest }) => rest);

before(async () => {
  assert.equal(await initBackend('wasm'), 'wasm');
});

describe('trainTrial', () => {
  test('learns a separable task; no tensor outlives the trial', async () => {
    const before = tf.memory().numTensors;
    const epochs: number[] = [];
    const r = await trainTrial(config(), data, { onEpoch: (e) => void epochs.push(e.epoch) });
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(epochs, [1, 2, 3, 4, 5, 6]);
    assert.equal(r.history.length, 6);
    assert.equal(r.epochsRun, 6);
    assert.equal(r.stoppedEarly, false);
    assert.ok(r.history.at(-1)!.loss < r.history[0]!.loss, 'training loss decreases');
    assert.ok(r.metrics.valAuc > 0.8, `valAuc ${r.metrics.valAuc}`);
    assert.ok(r.metrics.testAuc! > 0.8, `testAuc ${r.metrics.testAuc}`);
    assert.equal(r.params, countParams({ timesteps: T, features: F }, config()));
    assert.equal(r.backend, 'wasm');
    const best = r.history[r.bestEpoch - 1]!;
    assert.equal(best.valLoss, Math.min(...r.history.map((h) => h.valLoss)));
    assert.equal(r.metrics.valLoss, best.valLoss);
    for (const h of r.history) assert.ok(h.durationMs > 0 && Number.isFinite(h.valAcc));
  });

  test('lstm head trains too', async () => {
    const before = tf.memory().numTensors;
    const r = await trainTrial(config({ head: 'lstm', epochs: 4, learningRate: 0.03 }), data);
    assert.equal(tf.memory().numTensors, before);
    assert.ok(r.metrics.valAuc > 0.8, `valAuc ${r.metrics.valAuc}`);
  });

  test('same seed gives an identical history (with dropout), another seed a different one', async () => {
    const c = config({ epochs: 3, dropout: 0.2, recurrentDropout: 0.2 });
    const before = tf.memory().numTensors;
    const a = await trainTrial(c, data);
    const b = await trainTrial(c, data);
    const other = await trainTrial({ ...c, seed: 8 }, data);
    assert.equal(tf.memory().numTensors, before, 'dropout masks are freed too');
    assert.deepEqual(strip(a.history), strip(b.history));
    assert.notDeepEqual(strip(a.history), strip(other.history));
  });

  test('trainings interleaved in one process (a packing worker) give the histories each gives alone', async () => {
    const configs = [config({ epochs: 3, dropout: 0.2, recurrentDropout: 0.2 }), config({ epochs: 4, dropout: 0.3, seed: 9, width: 5 })];
    const alone = [];
    for (const c of configs) alone.push(await trainTrial(c, data));
    // Each epoch awaits its onEpoch: the two trainings take turns, as the trials of one pack trainer do.
    const turns: number[] = [];
    const together = await Promise.all(
      configs.map((c, i) => trainTrial(c, data, { onEpoch: () => new Promise<void>((r) => setImmediate(() => r(void turns.push(i)))) })),
    );
    assert.ok(turns.indexOf(1) < turns.lastIndexOf(0), `the trainings overlapped: ${turns.join(' ')}`);
    for (const [i, r] of together.entries()) assert.deepEqual(strip(r.history), strip(alone[i]!.history), `trial ${i}`);
  });

  test('early stopping with patience 1 restores the best weights', async () => {
    // random labels + a big learning rate: the validation loss soon stops improving
    const noisy: TrainingData = { train: makeSplit(48, 4, 0), validation: makeSplit(32, 5, 0) };
    noisy.test = noisy.validation;
    const r = await trainTrial(config({ epochs: 30, patience: 1, learningRate: 0.05, width: 8 }), noisy);
    assert.equal(r.stoppedEarly, true);
    assert.ok(r.epochsRun < 30);
    assert.equal(r.history.length, r.epochsRun);
    assert.equal(r.bestEpoch, r.epochsRun - 1);
    // test == validation data, evaluated with the restored weights: equals the best epoch
    assert.ok(Math.abs(r.metrics.testLoss! - r.history[r.bestEpoch - 1]!.valLoss) < 1e-6);
    assert.equal(r.metrics.valLoss, r.history[r.bestEpoch - 1]!.valLoss);
  });

  test('patience 0 runs every epoch', async () => {
    const noisy: TrainingData = { train: makeSplit(32, 4, 0), validation: makeSplit(16, 5, 0) };
    const r = await trainTrial(config({ epochs: 5, patience: 0, learningRate: 0.05 }), noisy);
    assert.equal(r.epochsRun, 5);
    assert.equal(r.stoppedEarly, false);
    assert.equal(r.metrics.testAuc, undefined);
  });

  test('a NaN loss throws NonFiniteLossError and frees everything', async () => {
    const bad = makeSplit(32, 6);
    bad.x[5] = NaN;
    const before = tf.memory().numTensors;
    await assert.rejects(trainTrial(config(), { train: bad, validation: data.validation }), (err: unknown) => {
      assert.ok(err instanceof NonFiniteLossError);
      assert.equal(err.name, 'NonFiniteLossError');
      assert.equal(err.epoch, 1);
      // tfjs clips NaN probabilities inside its BCE, so the training loss may stay finite;
      // the validation loss (computed here, NaN-propagating) catches it at the latest
      assert.match(err.message, /non-finite (training|validation) loss/);
      return true;
    });
    assert.equal(tf.memory().numTensors, before);
  });

  test('abort signal stops the trial', async () => {
    const ctrl = new AbortController();
    const before = tf.memory().numTensors;
    await assert.rejects(trainTrial(config({ epochs: 50 }), data, { signal: ctrl.signal, onEpoch: () => ctrl.abort() }), {
      name: 'AbortError',
    });
    assert.equal(tf.memory().numTensors, before);
  });

  test('keepModel returns the trained model; Math.random outside the trial is not seeded', async () => {
    const r = await trainTrial(config({ epochs: 1 }), data, { keepModel: true });
    const seeded = createRng(config().seed);
    const draws = [Math.random(), Math.random(), Math.random()];
    assert.notDeepEqual(draws, [seeded(), seeded(), seeded()]);
    assert.ok(r.model);
    const p = tf.tidy(() => (r.model!.predict(tf.zeros([1, T, F])) as tf.Tensor).dataSync()[0]!);
    assert.ok(p > 0 && p < 1);
    disposeModel(r.model);
  });

  test('rejects mismatched splits', async () => {
    await assert.rejects(trainTrial(config(), { train: data.train, validation: { ...data.validation, features: 3 } }), /shape/);
  });
});

describe('multi-class (softmax head)', () => {
  test('three classes train a softmax with sparse categorical cross-entropy and learn', async () => {
    const { classesOf, trainTrial } = await import('../../../src/model/train.js');
    const { createRng } = await import('../../../src/util/rng.js');
    // class c: a constant offset of 1.5*c on top of noise
    const make = (n: number, seed: number) => {
      const rng = createRng(seed);
      const T = 8;
      const x = new Float32Array(n * T);
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        y[i] = i % 3;
        for (let t = 0; t < T; t++) x[i * T + t] = 1.5 * y[i]! + (rng() - 0.5);
      }
      return { n, timesteps: T, features: 1, x, y };
    };
    const data = { train: make(60, 1), validation: make(30, 2), test: make(30, 3) };
    assert.equal(classesOf(data), 3);
    const config = {
      depth: 1,
      width: 8,
      dropout: 0,
      recurrentDropout: 0,
      learningRate: 0.03,
      batchSize: 16,
      epochs: 15,
      patience: 0,
      head: 'dense',
      seed: 1,
    } as const;
    const before = tf.memory().numTensors;
    const r = await trainTrial(config, data);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(r.params, 4 * (8 * (1 + 8) + 8) + 8 * 3 + 3);
    assert.ok(r.metrics.valAcc > 0.8, `valAcc ${r.metrics.valAcc}`);
    assert.ok(r.metrics.testAuc! > 0.9, `testAuc ${r.metrics.testAuc}`);
    await assert.rejects(trainTrial({ ...config, head: 'lstm' }, data), /lstm head is binary only/);
  });
});
