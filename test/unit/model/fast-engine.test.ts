import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Split, TrainingData } from '../../../src/data/types.js';
import { createEngine } from '../../../src/model/engines/engine-registry.js';
import { copyWeightsFromModel } from '../../../src/model/fast/layers-bridge.js';
import { FastNetwork } from '../../../src/model/fast/network.js';
import { planNetwork } from '../../../src/model/network-plan.js';
import { getHead } from '../../../src/model/heads/head-registry.js';
import { buildModel, disposeModel, initBackend, trainTrial, type ModelConfig } from '../../../src/model/index.js';
import { balancedClassWeights } from '../../../src/model/train.js';
import { loadModel, saveModel } from '../../../src/model/saved-model.js';
import type { TrialConfig } from '../../../src/model/trial-config.js';
import { createRng } from '../../../src/util/rng.js';
import { ENGINE_CASES, relError, signalSplit, type EngineCase } from './engine-fixture.js';

const TOL = 1e-4;

type Case = EngineCase;
const CASES = ENGINE_CASES;

function inputs(n: number, c: Case, seed = 11): { x: Float32Array; y: Float32Array } {
  const rng = createRng(seed);
  return {
    x: Float32Array.from({ length: n * c.T * c.F }, () => rng() * 2 - 1),
    y: Float32Array.from({ length: n }, (_, i) => i % c.classes),
  };
}

/** The tfjs-layers loss of `model` (as compiled by the layers engine), with autograd. */
function referenceLossAndGrads(model: tf.LayersModel, x: tf.Tensor3D, y: Float32Array, classes: number) {
  const n = y.length;
  const { value, grads } = tf.variableGrads(() => {
    const out = model.apply(x, { training: true }) as tf.Tensor;
    if (getHead('dense', classes).loss === 'binaryCrossentropy')
      return tf.mean(tf.metrics.binaryCrossentropy(tf.tensor2d(y, [n, 1]), out)) as tf.Scalar;
    return tf.mean(tf.metrics.categoricalCrossentropy(tf.oneHot(tf.tensor1d(y, 'int32'), classes), out)) as tf.Scalar;
  });
  return { loss: value.dataSync()[0]!, grads };
}

describe('fast engine equals the tfjs-layers model (dropout off)', () => {
  before(async () => {
    await initBackend('cpu');
  });

  for (const c of CASES) {
    test(c.name, () => {
      const n = 5;
      const config: ModelConfig = { ...c.config, dropout: 0, recurrentDropout: 0, seed: 3, classes: c.classes };
      const shape = { timesteps: c.T, features: c.F };
      const model = buildModel(shape, config);
      const { x, y } = inputs(n, c);
      const net = new FastNetwork(planNetwork(shape, config), { maxBatch: 8, seed: 1 });
      copyWeightsFromModel(net, model);
      net.setInput(x, [0, 1, 2, 3, 4]);
      const probs = net.forward(true).slice();
      const loss = net.backward(y);

      const xt = tf.tensor3d(x, [n, c.T, c.F]);
      const ref = model.predict(xt) as tf.Tensor;
      assert.equal(probs.length, ref.size);
      assert.ok(relError(probs, ref.dataSync()) < TOL, `outputs differ: ${relError(probs, ref.dataSync())}`);
      const expected = referenceLossAndGrads(model, xt, y, c.classes);
      assert.ok(Math.abs(loss - expected.loss) / expected.loss < TOL, `loss ${loss} vs ${expected.loss}`);
      assert.equal(Object.keys(expected.grads).length, net.slots.length);
      for (const slot of net.slots) {
        const variable = model.getLayer(slot.layer).weights[slot.index]!;
        const refGrad = expected.grads[(variable.read() as tf.Variable).name]!.dataSync();
        const mine = net.grads.subarray(slot.offset, slot.offset + slot.size);
        const err = relError(mine, refGrad);
        assert.ok(err < TOL, `${slot.layer}[${slot.index}] gradient differs by ${err}`);
      }
      tf.dispose([xt, ref, ...Object.values(expected.grads)]);
      disposeModel(model);
    });
  }

  test('Adam steps equal tfjs trainOnBatch', async () => {
    const c = CASES[1]!;
    const config: ModelConfig = { ...c.config, dropout: 0, recurrentDropout: 0, seed: 5, classes: 2 };
    const shape = { timesteps: c.T, features: c.F };
    const reference = buildModel(shape, config);
    reference.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
    const net = new FastNetwork(planNetwork(shape, config), { maxBatch: 8, seed: 1 });
    copyWeightsFromModel(net, reference);
    const { x, y } = inputs(6, c, 21);
    const xt = tf.tensor3d(x, [6, c.T, c.F]);
    const yt = tf.tensor2d(y, [6, 1]);
    for (let step = 0; step < 5; step++) {
      const refLoss = (await reference.trainOnBatch(xt, yt)) as number;
      net.setInput(x, [0, 1, 2, 3, 4, 5]);
      net.forward(true);
      const loss = net.backward(y);
      net.adam(0.01);
      assert.ok(Math.abs(loss - refLoss) / refLoss < TOL, `step ${step}: loss ${loss} vs ${refLoss}`);
    }
    for (const slot of net.slots) {
      const w = reference.getLayer(slot.layer).getWeights()[slot.index]!.dataSync();
      const err = relError(net.params.subarray(slot.offset, slot.offset + slot.size), w);
      assert.ok(err < TOL, `${slot.layer}[${slot.index}] after 5 steps differs by ${err}`);
    }
    tf.dispose([xt, yt]);
    disposeModel(reference);
  });
});

describe('fast engine with dropout', () => {
  for (const [dropout, recurrentDropout] of [
    [0.3, 0],
    [0, 0.3],
    [0.25, 0.25],
  ] as const) {
    test(`gradients match finite differences with fixed masks (dropout ${dropout}, recurrent ${recurrentDropout})`, () => {
      const c: Case = { name: '', T: 6, F: 4, classes: 2, config: { depth: 3, width: 4, head: 'dense' } };
      const config: ModelConfig = { ...c.config, dropout, recurrentDropout, seed: 9, classes: 2 };
      const shape = { timesteps: c.T, features: c.F };
      const model = buildModel(shape, config);
      const net = new FastNetwork(planNetwork(shape, config), { maxBatch: 8, seed: 4 });
      copyWeightsFromModel(net, model);
      disposeModel(model);
      const { x, y } = inputs(8, c, 5);
      net.setInput(x, [0, 1, 2, 3, 4, 5, 6, 7]);
      net.forward(true);
      net.backward(y);
      const grad = net.grads.slice();
      const rng = createRng(17);
      const direction = Float32Array.from(grad, () => rng() * 2 - 1);
      const base = net.params.slice();
      const lossAt = (eps: number) => {
        for (let i = 0; i < base.length; i++) net.params[i] = base[i]! + eps * direction[i]!;
        net.forward(true, false);
        return net.backward(y);
      };
      const eps = 1e-3;
      const numeric = (lossAt(eps) - lossAt(-eps)) / (2 * eps);
      const analytic = grad.reduce((s, g, i) => s + g * direction[i]!, 0);
      assert.ok(
        Math.abs(numeric - analytic) <= 1e-2 * Math.abs(analytic),
        `directional derivative ${analytic} vs finite difference ${numeric}`,
      );
    });
  }

  test('masks apply only in training, are drawn fresh per batch and can be replayed', () => {
    const c: Case = { name: '', T: 5, F: 8, classes: 2, config: { depth: 1, width: 8, head: 'dense' } };
    const config: ModelConfig = { ...c.config, dropout: 0.5, recurrentDropout: 0, seed: 2, classes: 2 };
    const shape = { timesteps: c.T, features: c.F };
    const net = new FastNetwork(planNetwork(shape, config), { maxBatch: 64, seed: 8 });
    const model = buildModel(shape, config);
    copyWeightsFromModel(net, model);
    disposeModel(model);
    const { x } = inputs(64, c);
    net.setInput(
      x,
      Array.from({ length: 64 }, (_, i) => i),
    );
    const inference = net.forward(false).slice();
    assert.deepEqual(net.forward(false).slice(), inference, 'inference is deterministic');
    const train1 = net.forward(true).slice();
    const train2 = net.forward(true).slice();
    assert.notDeepEqual(train1, inference);
    assert.notDeepEqual(train1, train2, 'fresh masks per batch');
    assert.deepEqual(net.forward(true, false).slice(), train2, 'replayed masks give the same output');
  });
});

describe('fast engine inside trainTrial', () => {
  const T = 10;
  const F = 3;
  const split = (n: number, seed: number): Split => signalSplit(n, T, F, seed);
  const testSplit = split(40, 3);
  const data: TrainingData = { train: split(96, 1), validation: split(32, 2), test: testSplit };
  const config = (over: Partial<TrialConfig> = {}): TrialConfig => ({
    depth: 2,
    width: 6,
    dropout: 0,
    recurrentDropout: 0,
    learningRate: 0.01,
    batchSize: 16,
    epochs: 4,
    patience: 0,
    head: 'dense',
    seed: 3,
    ...over,
  });

  test('without dropout the fast and layers engines follow the same learning curve', async () => {
    const fast = await trainTrial(config(), data, { engine: 'fast' });
    const layers = await trainTrial(config(), data, { engine: 'layers' });
    assert.equal(fast.engine, 'fast');
    assert.equal(layers.engine, 'layers');
    for (let e = 0; e < 4; e++) {
      const a = fast.history[e]!;
      const b = layers.history[e]!;
      assert.ok(Math.abs(a.loss - b.loss) / b.loss < 1e-3, `epoch ${e + 1} loss ${a.loss} vs ${b.loss}`);
      assert.ok(Math.abs(a.valLoss - b.valLoss) / b.valLoss < 1e-3, `epoch ${e + 1} valLoss ${a.valLoss} vs ${b.valLoss}`);
    }
    assert.equal(fast.metrics.testAcc, layers.metrics.testAcc);
  });

  test('balanced class weights: both engines weigh the loss the same way', async () => {
    const imbalanced = (s: Split): Split => ({ ...s, y: s.y.map((_, i) => (i % 4 === 0 ? 1 : 0)) });
    const skewed: TrainingData = { train: imbalanced(data.train), validation: imbalanced(data.validation), test: imbalanced(testSplit) };
    assert.deepEqual(balancedClassWeights(skewed.train.y, 2), [96 / (2 * 72), 96 / (2 * 24)]);
    const cfg = config({ classWeight: 'balanced', epochs: 3 });
    const fast = await trainTrial(cfg, skewed, { engine: 'fast' });
    const layers = await trainTrial(cfg, skewed, { engine: 'layers' });
    const unweighted = await trainTrial(config({ epochs: 3 }), skewed, { engine: 'fast' });
    for (let e = 0; e < 3; e++) {
      const [a, b] = [fast.history[e]!, layers.history[e]!];
      assert.ok(Math.abs(a.loss - b.loss) / b.loss < 1e-3, `epoch ${e + 1} loss ${a.loss} vs ${b.loss}`);
      assert.ok(Math.abs(a.valLoss - b.valLoss) / b.valLoss < 1e-3, `epoch ${e + 1} valLoss ${a.valLoss} vs ${b.valLoss}`);
    }
    assert.notEqual(fast.history[0]!.loss, unweighted.history[0]!.loss, 'the weights change the training loss');
  });

  test('gradient clipping: both engines clip the global norm the same way', async () => {
    const cfg = config({ clipNorm: 0.05, epochs: 3, learningRate: 0.05 });
    const fast = await trainTrial(cfg, data, { engine: 'fast' });
    const layers = await trainTrial(cfg, data, { engine: 'layers' });
    const unclipped = await trainTrial(config({ epochs: 3, learningRate: 0.05 }), data, { engine: 'fast' });
    for (let e = 0; e < 3; e++) {
      const [a, b] = [fast.history[e]!, layers.history[e]!];
      assert.ok(Math.abs(a.valLoss - b.valLoss) / b.valLoss < 1e-3, `epoch ${e + 1} valLoss ${a.valLoss} vs ${b.valLoss}`);
    }
    assert.notEqual(fast.history[2]!.valLoss, unclipped.history[2]!.valLoss, 'clipping changes training');
  });

  test('the exported layers model predicts what the engine predicts', async () => {
    const cfg = config({ dropout: 0.2, recurrentDropout: 0.1, head: 'dense' });
    const shape = { timesteps: T, features: F };
    const model = buildModel(shape, { ...cfg, classes: 2 });
    const engine = createEngine('fast', model, { shape, config: { ...cfg, classes: 2 }, dropoutSeed: 1 });
    const indices = Int32Array.from({ length: data.train.n }, (_, i) => i);
    for (let start = 0; start < data.train.n; start += 16) await engine.trainBatch(data.train, indices, start, start + 16);
    const mine = await engine.predict(testSplit);
    const saved = await saveModel(await engine.model());
    engine.release(false);
    const loaded = await loadModel(saved);
    const theirs = tf.tidy(() => (loaded.predict(tf.tensor3d(testSplit.x, [testSplit.n, T, F])) as tf.Tensor).dataSync());
    disposeModel(loaded);
    assert.ok(relError(mine, theirs) < 1e-5, `predictions differ by ${relError(mine, theirs)}`);
  });

  test('trainTrial with the fast engine is deterministic and frees every tensor', async () => {
    const before = tf.memory().numTensors;
    const a = await trainTrial(config({ dropout: 0.2, recurrentDropout: 0.2 }), data, { engine: 'fast' });
    const b = await trainTrial(config({ dropout: 0.2, recurrentDropout: 0.2 }), data, { engine: 'fast' });
    assert.deepEqual(
      a.history.map(({ durationMs: _d, ...rest }) => rest),
      b.history.map(({ durationMs: _d, ...rest }) => rest),
    );
    assert.equal(tf.memory().numTensors, before);
  });
});
