/**
 * The richer search space (issue #15): input patching, learning-rate schedules and train-time
 * augmentation. Every option is checked on both engines (fast wasm vs tfjs-layers), for
 * determinism, and patching through export + predict.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Split, TrainingData } from '../../../src/data/types.js';
import { syntheticSplit } from '../../../src/data/synthetic.js';
import { augmentBatch, JITTER_SIGMA, SLICE_FRACTION } from '../../../src/model/augment.js';
import { copyWeightsFromModel } from '../../../src/model/fast/layers-bridge.js';
import { FastNetwork } from '../../../src/model/fast/network.js';
import { cosineRate, createLrScheduler, plateauPatience } from '../../../src/model/lr-schedule.js';
import { planNetwork, sequenceShape, trainingMemoryBytes } from '../../../src/model/network-plan.js';
import { parseSpecText } from '../../../src/definition/load-spec.js';
import { buildModel, disposeModel, initBackend, trainTrial, type ModelConfig } from '../../../src/model/index.js';
import { saveModel, writeModelDir } from '../../../src/model/saved-model.js';
import { normalizeTrialConfig, TrialConfigSchema, type TrialConfig } from '../../../src/model/trial-config.js';
import { trialIdOf } from '../../../src/definition/trials.js';
import { runProtocol } from '../../../src/protocol/protocol-registry.js';
import { createRng } from '../../../src/util/rng.js';
import { runCli } from '../../helpers.js';
import { relError, signalSplit } from './engine-fixture.js';

const randomSplit = (n: number, T: number, F: number, seed: number): Split => signalSplit(n, T, F, seed);

/** Random labels on noise: with a large rate the training loss plateaus early, the validation loss soon rises. */
const noise = (n: number, seed: number): Split => {
  const rng = createRng(seed);
  const x = Float32Array.from({ length: n * 16 }, () => rng() * 2 - 1);
  return { n, timesteps: 8, features: 2, x, y: Float32Array.from({ length: n }, () => (rng() < 0.5 ? 0 : 1)) };
};
const baseConfig = (over: Partial<TrialConfig> = {}): TrialConfig => ({
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

const strip = (h: { durationMs: number }[]) => h.map(({ durationMs: _d, ...rest }) => rest);

before(async () => {
  await initBackend('cpu');
});

describe('options in the config', () => {
  test('defaults leave the config id unchanged; zod refuses bad values with a clear message', () => {
    const plain = baseConfig();
    const spelled = { ...plain, patch: 1, lrSchedule: 'none', augment: 'none' } as TrialConfig;
    assert.deepEqual(normalizeTrialConfig(TrialConfigSchema.parse(spelled)), plain);
    assert.equal(trialIdOf(normalizeTrialConfig(spelled)), trialIdOf(plain));
    assert.notEqual(trialIdOf(normalizeTrialConfig({ ...plain, patch: 4 })), trialIdOf(plain));
    const error = (over: Record<string, unknown>) => {
      const r = TrialConfigSchema.safeParse({ ...plain, ...over });
      assert.equal(r.success, false);
      return r.error!.issues[0]!.message;
    };
    assert.match(error({ patch: 0 }), /patch must be at least 1/);
    assert.match(error({ patch: 2.5 }), /whole number/);
    assert.match(error({ lrSchedule: 'step' }), /lrSchedule must be one of none \| plateau \| cosine/);
    assert.match(error({ augment: 'mixup' }), /augment must be one of none \| jitter \| scaling \| slice/);
    const spec = (parameters: string) => () =>
      parseSpecText(`name: p\ndataset: { train: a.csv }\nparameters: { ${parameters} }\n`, 's.yaml');
    assert.throws(spec('patch: [0]'), /s\.yaml: parameters\.patch\[0\]: patch must be at least 1/);
    assert.throws(spec('lrSchedule: [step]'), /parameters\.lrSchedule\[0\]: lrSchedule must be one of/);
    assert.deepEqual(
      parseSpecText('name: p\ndataset: { train: a.csv }\nparameters: { patch: [1, 4], augment: [none, slice] }\n', 's.yaml').parameters,
      {
        patch: [1, 4],
        augment: ['none', 'slice'],
      },
    );
  });

  test('lstm-sweep model --patch shows the patching layers; a bad value exits 2 with the reason', async () => {
    const ok = await runCli(['model', '--timesteps', '10', '--features', '3', '--width', '8', '--depth', '2', '--patch', '4']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /patch_pad \(ZeroPadding2D\)\s+\(None, 12, 3, 1\)/);
    assert.match(ok.stdout, /patch \(Reshape\)\s+\(None, 3, 12\)/);
    const bad = await runCli(['model', '--timesteps', '10', '--features', '3', '--width', '8', '--depth', '2', '--patch', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /patch must be at least 1/);
  });
});

describe('input patching', () => {
  test('the plan: the stack reads (ceil(T/P), P*F); skips and the projection follow P*F', () => {
    const shape = { timesteps: 10, features: 3 };
    const cfg: ModelConfig = { depth: 2, width: 12, dropout: 0, recurrentDropout: 0, head: 'dense', seed: 1, patch: 4 };
    const plan = planNetwork(shape, cfg);
    assert.deepEqual(plan.patch, { size: 4, pad: 2, timesteps: 3, features: 12 });
    assert.deepEqual(sequenceShape(plan), { timesteps: 3, features: 12 });
    assert.equal(plan.blocks[0]!.inputSize, 12);
    assert.equal(plan.blocks[0]!.skip, true, 'P*F == width: layer 0 gets its skip');
    const projected = planNetwork(shape, { ...cfg, width: 8, inputProjection: true });
    assert.equal(projected.projection!.inputSize, 12);
    assert.equal(planNetwork(shape, { ...cfg, patch: 1 }).patch, null);
    assert.deepEqual(planNetwork(shape, { ...cfg, patch: 5 }).patch, { size: 5, pad: 0, timesteps: 2, features: 15 });
    const model = buildModel(shape, cfg);
    assert.equal(model.countParams(), plan.params);
    assert.deepEqual(model.getLayer('patch').outputShape, [null, 3, 12]);
    disposeModel(model);
    // the memory cap of enqueue follows the patched sequence: 3 steps instead of 10
    const unpatched = planNetwork(shape, { ...cfg, patch: 1 });
    assert.ok(trainingMemoryBytes(plan, 16).activations < trainingMemoryBytes(unpatched, 16).activations / 2);
  });

  test('the layers model patches as the row-major reshape of the zero-padded series', () => {
    const shape = { timesteps: 5, features: 2 };
    const model = buildModel(shape, { depth: 1, width: 3, dropout: 0, recurrentDropout: 0, head: 'dense', seed: 1, patch: 2 });
    const x = Float32Array.from({ length: 10 }, (_, i) => i + 1);
    const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer('patch').output as tf.SymbolicTensor });
    const out = tf.tidy(() => Array.from((sub.predict(tf.tensor3d(x, [1, 5, 2])) as tf.Tensor).dataSync()));
    assert.deepEqual(out, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0]);
    disposeModel(model);
  });

  const cases: { name: string; T: number; F: number; cfg: Partial<ModelConfig>; classes: number }[] = [
    { name: 'P=4 with padding (T=10)', T: 10, F: 3, cfg: { depth: 2, width: 5, patch: 4 }, classes: 2 },
    { name: 'P=5 without padding, P*F == width (skip from layer 0)', T: 10, F: 2, cfg: { depth: 2, width: 10, patch: 5 }, classes: 2 },
    { name: 'P=3 + input projection + softmax', T: 7, F: 2, cfg: { depth: 2, width: 4, patch: 3, inputProjection: true }, classes: 3 },
    { name: 'P=4 + lstm head', T: 9, F: 1, cfg: { depth: 2, width: 4, patch: 4, head: 'lstm' }, classes: 2 },
    { name: 'P > T: one patched step', T: 3, F: 2, cfg: { depth: 1, width: 4, patch: 8 }, classes: 2 },
  ];
  for (const c of cases) {
    test(`fast network equals the layers model: ${c.name}`, () => {
      const config = {
        depth: 1,
        width: 4,
        head: 'dense',
        ...c.cfg,
        dropout: 0,
        recurrentDropout: 0,
        seed: 2,
        classes: c.classes,
      } as ModelConfig;
      const shape = { timesteps: c.T, features: c.F };
      const model = buildModel(shape, config);
      const n = 5;
      const rng = createRng(4);
      const x = Float32Array.from({ length: n * c.T * c.F }, () => rng() * 2 - 1);
      const y = Float32Array.from({ length: n }, (_, i) => i % c.classes);
      const net = new FastNetwork(planNetwork(shape, config), { maxBatch: 8, seed: 1 });
      copyWeightsFromModel(net, model);
      net.setInput(x, [0, 1, 2, 3, 4]);
      const probs = net.forward(true).slice();
      const loss = net.backward(y);
      const xt = tf.tensor3d(x, [n, c.T, c.F]);
      const ref = model.predict(xt) as tf.Tensor;
      assert.ok(relError(probs, ref.dataSync()) < 1e-4, `outputs differ by ${relError(probs, ref.dataSync())}`);
      const { value, grads } = tf.variableGrads(() => {
        const out = model.apply(xt, { training: true }) as tf.Tensor;
        return (
          c.classes > 2
            ? tf.mean(tf.metrics.categoricalCrossentropy(tf.oneHot(tf.tensor1d(y, 'int32'), c.classes), out))
            : tf.mean(tf.metrics.binaryCrossentropy(tf.tensor2d(y, [n, 1]), out))
        ) as tf.Scalar;
      });
      const refLoss = value.dataSync()[0]!;
      assert.ok(Math.abs(loss - refLoss) / refLoss < 1e-4, `loss ${loss} vs ${refLoss}`);
      for (const slot of net.slots) {
        const variable = model.getLayer(slot.layer).weights[slot.index]!;
        const refGrad = grads[(variable.read() as tf.Variable).name]!.dataSync();
        const err = relError(net.grads.subarray(slot.offset, slot.offset + slot.size), refGrad);
        assert.ok(err < 1e-4, `${slot.layer}[${slot.index}] gradient differs by ${err}`);
      }
      tf.dispose([xt, ref, value, ...Object.values(grads)]);
      disposeModel(model);
    });
  }

  test('trainTrial: both engines follow the same curve with patch 3; same seed, same result', async () => {
    const data: TrainingData = { train: randomSplit(48, 11, 2, 1), validation: randomSplit(16, 11, 2, 2), test: randomSplit(16, 11, 2, 3) };
    const cfg = baseConfig({ patch: 3, epochs: 3 });
    const fast = await trainTrial(cfg, data, { engine: 'fast' });
    const layers = await trainTrial(cfg, data, { engine: 'layers' });
    for (let e = 0; e < 3; e++) {
      const [a, b] = [fast.history[e]!, layers.history[e]!];
      assert.ok(Math.abs(a.loss - b.loss) / b.loss < 1e-3, `epoch ${e + 1} loss ${a.loss} vs ${b.loss}`);
      assert.ok(Math.abs(a.valLoss - b.valLoss) / b.valLoss < 1e-3, `epoch ${e + 1} valLoss ${a.valLoss} vs ${b.valLoss}`);
    }
    const again = await trainTrial(cfg, data, { engine: 'fast' });
    assert.deepEqual(strip(again.history), strip(fast.history));
    const unpatched = await trainTrial(baseConfig({ epochs: 3 }), data, { engine: 'fast' });
    assert.notEqual(unpatched.params, fast.params);
  });
});

describe('learning-rate schedules', () => {
  test('cosine: learningRate in epoch 1, halfway at the middle, towards 1/100 at the end of the horizon', () => {
    assert.equal(cosineRate(0.01, 1, 10), 0.01);
    assert.ok(Math.abs(cosineRate(0.01, 6, 10) - 0.01 * (0.99 * 0.5 + 0.01)) < 1e-12);
    assert.ok(Math.abs(cosineRate(0.01, 11, 10) - 0.0001) < 1e-12);
    const s = createLrScheduler('cosine', 0.01, 10);
    const rates: number[] = [];
    for (let e = 1; e <= 10; e++) {
      rates.push(s.rate);
      s.endEpoch(e, 1);
    }
    assert.deepEqual(
      rates,
      Array.from({ length: 10 }, (_, i) => cosineRate(0.01, i + 1, 10)),
    );
    for (let i = 1; i < 10; i++) assert.ok(rates[i]! < rates[i - 1]!, 'strictly decreasing');
  });

  test('plateau: halves after `patience` epochs without a training-loss improvement, never below learningRate / 10', () => {
    assert.equal(plateauPatience(20), 2);
    assert.equal(plateauPatience(200), 7);
    assert.equal(plateauPatience(1500), 50, "Fawaz et al.'s 50 of 1500");
    const s = createLrScheduler('plateau', 0.008, 20); // patience 2
    const losses = [1, 0.9, 0.9, 0.95, 0.8, 0.85, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8];
    const rates = losses.map((loss, i) => {
      const r = s.rate;
      s.endEpoch(i + 1, loss);
      return r;
    });
    // no improvement after epochs 3, 4 -> halved from epoch 5; after 6, 7 -> epoch 8; 8, 9 -> epoch 10 (0.001 < min: 0.0008)
    assert.deepEqual(rates, [0.008, 0.008, 0.008, 0.008, 0.004, 0.004, 0.004, 0.002, 0.002, 0.001, 0.001, 0.0008, 0.0008, 0.0008]);
    assert.equal(s.rate, 0.0008);
  });

  const runs = {
    cosine: {
      data: { train: randomSplit(48, 8, 2, 5), validation: randomSplit(16, 8, 2, 6) },
      // clipNorm takes the layers engine through its own step (applyGradients), plateau through trainOnBatch
      cfg: baseConfig({ lrSchedule: 'cosine', epochs: 6, learningRate: 0.02, clipNorm: 1 }),
      expected: Array.from({ length: 6 }, (_, i) => cosineRate(0.02, i + 1, 6)),
    },
    plateau: {
      data: { train: noise(32, 5), validation: noise(16, 6) },
      // patience 2: the loss of epochs 3-4, 5-6 and 7-8 stays above epoch 2's by 0.01 or more
      cfg: baseConfig({ lrSchedule: 'plateau', epochs: 10, learningRate: 0.2, depth: 1, width: 4, batchSize: 8 }),
      expected: [0.2, 0.2, 0.2, 0.2, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025],
    },
  };
  for (const [lrSchedule, { data, cfg, expected }] of Object.entries(runs)) {
    test(`${lrSchedule}: both engines see the same rates and follow the same curve (Adam state kept)`, async () => {
      const fast = await trainTrial(cfg, data, { engine: 'fast' });
      const layers = await trainTrial(cfg, data, { engine: 'layers' });
      assert.deepEqual(fast.learningRates, expected);
      assert.deepEqual(layers.learningRates, expected);
      for (let e = 0; e < cfg.epochs; e++) {
        const [a, b] = [fast.history[e]!, layers.history[e]!];
        assert.ok(Math.abs(a.loss - b.loss) / b.loss < 1e-3, `epoch ${e + 1} loss ${a.loss} vs ${b.loss}`);
        assert.ok(Math.abs(a.valLoss - b.valLoss) / b.valLoss < 1e-3, `epoch ${e + 1} valLoss ${a.valLoss} vs ${b.valLoss}`);
      }
      const constant = await trainTrial({ ...cfg, lrSchedule: 'none' }, data, { engine: 'fast' });
      assert.deepEqual(constant.learningRates, Array(cfg.epochs).fill(cfg.learningRate));
      assert.notEqual(constant.history.at(-1)!.loss, fast.history.at(-1)!.loss, 'the schedule changes training');
    });
  }

  test('cross-validation: the refit of b epochs sees the first b rates of the folds (horizon = epochs)', async () => {
    // noise: the folds' validation loss is lowest early, so the budget is below the 8 epochs
    const config = baseConfig({ depth: 1, lrSchedule: 'cosine', epochs: 8, learningRate: 0.05, batchSize: 8 });
    const dataset = { train: noise(30, 3), test: noise(10, 4) };
    const run = await runProtocol(config, dataset, { validationSplit: 0.2, splitSeed: 0, normalize: 'none', cvFolds: 3 }, {});
    const budget = run.cv!.epoch;
    assert.ok(budget < 8, `budget ${budget}`);
    const folds = Array.from({ length: 8 }, (_, i) => cosineRate(0.05, i + 1, 8));
    assert.deepEqual(run.trained.learningRates, folds.slice(0, budget));
    // trainTrial's own default would squeeze the schedule into the budget instead
    const short = await trainTrial({ ...config, epochs: 3 }, { train: dataset.train, validation: dataset.train });
    assert.deepEqual(
      short.learningRates,
      [1, 2, 3].map((e) => cosineRate(0.05, e, 3)),
    );
    const cut = await trainTrial({ ...config, epochs: 3 }, { train: dataset.train, validation: dataset.train }, { scheduleEpochs: 8 });
    assert.deepEqual(cut.learningRates, folds.slice(0, 3));
  });
});

describe('augmentation', () => {
  const split = randomSplit(6, 20, 2, 9);
  const all = Int32Array.from({ length: 6 }, (_, i) => i);

  test('jitter, scaling, slice: what each does to a series; seeded; the split itself is untouched', () => {
    const original = split.x.slice();
    const rows = Int32Array.from([4, 1, 3]);
    for (const kind of ['jitter', 'scaling', 'slice'] as const) {
      const a = augmentBatch(kind, split, rows, 0, 3, createRng(1));
      const b = augmentBatch(kind, split, rows, 0, 3, createRng(1));
      const c = augmentBatch(kind, split, rows, 0, 3, createRng(2));
      assert.deepEqual(a, b, `${kind}: same seed, same batch`);
      assert.notDeepEqual(a.x, c.x, `${kind}: another seed, another batch`);
      assert.deepEqual(Array.from(a.y), [split.y[4], split.y[1], split.y[3]]);
      assert.equal(a.x.length, 3 * 40);
    }
    assert.deepEqual(split.x, original, 'the training split is never modified');
    const row = 40;
    const src = (i: number) => split.x.subarray(i * row, (i + 1) * row);
    const jitter = augmentBatch('jitter', split, all, 0, 6, createRng(3));
    const diffs = Array.from(jitter.x, (v, j) => v - split.x[j]!);
    const std = Math.sqrt(diffs.reduce((s, d) => s + d * d, 0) / diffs.length);
    assert.ok(std > JITTER_SIGMA * 0.7 && std < JITTER_SIGMA * 1.3, `jitter std ${std}`);
    const scaled = augmentBatch('scaling', split, all, 0, 6, createRng(3));
    for (let i = 0; i < 6; i++) {
      const ratios = Array.from(scaled.x.subarray(i * row, (i + 1) * row), (v, j) => v / src(i)[j]!);
      for (const r of ratios) assert.ok(Math.abs(r - ratios[0]!) < 1e-5, 'one factor per series');
      assert.notEqual(Math.round(ratios[0]! * 1e6), 1e6);
    }
    const sliced = augmentBatch('slice', split, all, 0, 6, createRng(3));
    const W = Math.round(SLICE_FRACTION * 20);
    for (let i = 0; i < 6; i++) {
      // the first and last steps are the window's ends: a window of W consecutive raw steps
      const s = src(i);
      const out = sliced.x.subarray(i * row, (i + 1) * row);
      const start = Array.from({ length: 20 - W + 1 }, (_, k) => k).find((k) => s[2 * k] === out[0] && s[2 * k + 1] === out[1]);
      assert.notEqual(start, undefined, `series ${i} starts at a raw step`);
      assert.equal(out[38], s[2 * (start! + W - 1)]);
      assert.equal(out[39], s[2 * (start! + W - 1) + 1]);
    }
  });

  for (const augment of ['jitter', 'scaling', 'slice'] as const) {
    test(`${augment}: both engines get the same batches (same curve); deterministic; training batches only`, async () => {
      const data: TrainingData = { train: randomSplit(32, 10, 2, 11), validation: randomSplit(16, 10, 2, 12) };
      const cfg = baseConfig({ augment, epochs: 3 });
      const fast = await trainTrial(cfg, data, { engine: 'fast', restoreBest: false, keepModel: true });
      const layers = await trainTrial(cfg, data, { engine: 'layers' });
      for (let e = 0; e < 3; e++) {
        const [a, b] = [fast.history[e]!, layers.history[e]!];
        assert.ok(Math.abs(a.loss - b.loss) / b.loss < 1e-3, `epoch ${e + 1} loss ${a.loss} vs ${b.loss}`);
        assert.ok(Math.abs(a.valLoss - b.valLoss) / b.valLoss < 1e-3, `epoch ${e + 1} valLoss ${a.valLoss} vs ${b.valLoss}`);
      }
      const again = await trainTrial(cfg, data, { engine: 'fast' });
      assert.deepEqual(strip(again.history), strip(fast.history));
      const plain = await trainTrial({ ...cfg, augment: 'none' }, data, { engine: 'fast' });
      assert.notEqual(plain.history[0]!.loss, fast.history[0]!.loss, 'augmentation changes the training batches');
      // the validation loss is that of the raw validation series (last epoch's weights, kept)
      const p = tf.tidy(() => (fast.model!.predict(tf.tensor3d(data.validation.x, [16, 10, 2])) as tf.Tensor).dataSync());
      const eps = 1e-7;
      const bce =
        -Array.from(p).reduce((s, q, i) => {
          const c = Math.min(1 - eps, Math.max(eps, q));
          return s + (data.validation.y[i]! ? Math.log(c) : Math.log(1 - c));
        }, 0) / 16;
      assert.ok(Math.abs(bce - fast.history[2]!.valLoss) < 1e-5, `raw validation loss ${bce} vs ${fast.history[2]!.valLoss}`);
      disposeModel(fast.model!);
    });
  }
});

describe('patching through export and predict', () => {
  test('best --export layout + predict on raw (T, F) series give the training code probabilities (series normalisation)', async () => {
    // raw-valued series (offset and scale per series), T = 30 patched by 4 (2 padded steps)
    const raw = (n: number, seed: number): Split => {
      const s = syntheticSplit({ n, timesteps: 30, seed });
      const x = s.x.map((v, j) => Math.fround(200 + 40 * v + 7 * Math.floor(j / 30)));
      return { ...s, x };
    };
    const dataset = { train: raw(40, 21), test: raw(12, 22) };
    const config = baseConfig({ patch: 4, epochs: 3, width: 8 });
    const run = await runProtocol(config, dataset, { validationSplit: 0.25, splitSeed: 0, normalize: 'series' }, { keepModel: true });
    const model = run.trained.model!;
    assert.equal(run.trained.engine, 'fast');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-patch-'));
    try {
      await writeModelDir(dir, await saveModel(model));
      disposeModel(model);
      await writeFile(path.join(dir, 'trial.json'), JSON.stringify({ config, normalization: run.normalization }));
      const csv = ['label,' + Array.from({ length: 30 }, (_, t) => `t${t}`).join(',')];
      for (let i = 0; i < 12; i++) csv.push([dataset.test.y[i], ...dataset.test.x.subarray(i * 30, (i + 1) * 30)].join(','));
      await writeFile(path.join(dir, 'test.csv'), csv.join('\n') + '\n');
      const out = await runCli(['predict', '--model', dir, '--data', path.join(dir, 'test.csv'), '--json']);
      assert.equal(out.code, 0, out.stderr);
      const rows = JSON.parse(out.stdout) as { probability: number; label: number }[];
      const predicted = rows.map((r) => r.probability);
      const trained = Array.from(run.trained.testProbabilities!);
      for (let i = 0; i < 12; i++) assert.ok(Math.abs(predicted[i]! - trained[i]!) < 1e-4, `series ${i}: ${predicted[i]} vs ${trained[i]}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
