/**
 * The gpu engine inside trainTrial, on SwiftShader: trials trained packed follow exactly the
 * histories they follow alone (early stopping and epoch budgets included), the exported model is
 * a standard tfjs-layers model that predicts what the engine measured, a trial that diverges
 * fails alone, and without dropout it takes the fast engine's steps.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Split, TrainingData } from '../../../src/data/types.js';
import { disposeModel, initBackend, trainTrial, type TrainResult } from '../../../src/model/index.js';
import { accuracy } from '../../../src/model/metrics.js';
import { loadModel, saveModel } from '../../../src/model/saved-model.js';
import type { TrialConfig } from '../../../src/model/trial-config.js';
import { NonFiniteLossError } from '../../../src/util/errors.js';
import { configureProcessPacker } from '../../../src/model/gpu/packer.js';
import { gpuTestEnv } from '../../gpu-fixture.js';
import { signalSplit } from './engine-fixture.js';

const T = 12;
const F = 3;

const split = (n: number, seed: number): Split => signalSplit(n, T, F, seed, 0.6);

const data: TrainingData = { train: split(70, 1), validation: split(20, 2), test: split(30, 3) };
const config = (over: Partial<TrialConfig> = {}): TrialConfig => ({
  depth: 2,
  width: 6,
  dropout: 0.2,
  recurrentDropout: 0.1,
  learningRate: 0.02,
  batchSize: 16,
  epochs: 5,
  patience: 0,
  head: 'dense',
  seed: 3,
  ...over,
});

const curve = (r: TrainResult) => r.history.map(({ durationMs: _d, ...rest }) => rest);

describe('gpu engine inside trainTrial', () => {
  before(async () => {
    Object.assign(process.env, gpuTestEnv());
    // packs of 5 slots: SwiftShader runs every slot's workgroups, used or not
    configureProcessPacker({ capacity: 5 });
    await initBackend('cpu');
  });

  // one has a shorter budget, one may stop early (patience 1); a fifth, packed with them, diverges
  const configs = [
    config(),
    config({ seed: 9, learningRate: 0.05, dropout: 0, clipNorm: 0.5, classWeight: 'balanced' }),
    config({ seed: 4, epochs: 3, recurrentDropout: 0 }),
    config({ seed: 5, epochs: 8, patience: 1, learningRate: 0.2 }),
  ];

  test('trials trained packed follow exactly the histories they follow alone; one that diverges fails alone', async () => {
    const alone: TrainResult[] = [];
    for (const c of configs) alone.push(await trainTrial(c, data, { engine: 'gpu' }));
    const diverging = config({ seed: 23, learningRate: Infinity });
    const settled = await Promise.allSettled([...configs, diverging].map((c) => trainTrial(c, data, { engine: 'gpu' })));
    const failed = settled.pop()!;
    assert.equal(failed.status, 'rejected');
    assert.ok((failed as PromiseRejectedResult).reason instanceof NonFiniteLossError);
    const packed = settled.map((s) => {
      assert.equal(s.status, 'fulfilled');
      return (s as PromiseFulfilledResult<TrainResult>).value;
    });
    packed.forEach((p, i) => {
      assert.equal(p.engine, 'gpu');
      assert.deepEqual(curve(p), curve(alone[i]!), `trial ${i}: packed and alone differ`);
      assert.deepEqual(p.metrics, alone[i]!.metrics);
      assert.equal(p.epochsRun, alone[i]!.epochsRun);
    });
    assert.deepEqual(
      packed.map((p) => p.epochsRun),
      [5, 5, 3, packed[3]!.epochsRun],
    );
    assert.ok(packed[0]!.history[4]!.valLoss < packed[0]!.history[0]!.valLoss, 'it learns');
  });

  test('the exported model is a standard tfjs-layers model that reproduces the test accuracy', async () => {
    const r = await trainTrial(config({ epochs: 3 }), data, { engine: 'gpu', keepModel: true });
    const saved = await saveModel(r.model!);
    disposeModel(r.model!);
    const loaded = await loadModel(saved);
    const test = data.test!;
    const probs = tf.tidy(() => (loaded.predict(tf.tensor3d(test.x, [test.n, T, F])) as tf.Tensor).dataSync() as Float32Array);
    disposeModel(loaded);
    assert.equal(accuracy(test.y, probs), r.metrics.testAcc);
    let max = 0;
    for (let i = 0; i < test.n; i++) max = Math.max(max, Math.abs(probs[i]! - r.testProbabilities![i]!));
    assert.ok(max < 1e-5, `tfjs and the engine predict ${max} apart`);
  });

  test('without dropout it takes the fast engine steps', async () => {
    const c = config({ dropout: 0, recurrentDropout: 0, epochs: 3, clipNorm: 1 });
    const [gpu, fast] = [await trainTrial(c, data, { engine: 'gpu' }), await trainTrial(c, data, { engine: 'fast' })];
    for (let e = 0; e < 3; e++) {
      const [a, b] = [gpu.history[e]!, fast.history[e]!];
      assert.ok(Math.abs(a.loss - b.loss) / b.loss < 1e-4, `epoch ${e + 1} loss ${a.loss} vs ${b.loss}`);
      assert.ok(Math.abs(a.valLoss - b.valLoss) / b.valLoss < 1e-4, `epoch ${e + 1} valLoss ${a.valLoss} vs ${b.valLoss}`);
    }
  });
});
