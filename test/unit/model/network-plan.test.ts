import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import {
  buildModel,
  countParams,
  disposeModel,
  initBackend,
  lstmParams,
  planNetwork,
  type InputShape,
  type ModelConfig,
} from '../../../src/model/index.js';
import { FastNetwork } from '../../../src/model/fast/network.js';
import { weightSlots } from '../../../src/model/fast/plan.js';
import { trainingMemoryBytes } from '../../../src/model/network-plan.js';
import { modelConfig } from '../../helpers.js';

const cfg = modelConfig;

const skips = (shape: InputShape, c: ModelConfig) => planNetwork(shape, c).blocks.map((b) => b.skip);

before(async () => {
  await initBackend('cpu');
});

describe('network plan: blocks and skip connections', () => {
  test('(32, 10) width 10 depth 8 dense: every block residual, the last returns its last step', () => {
    const plan = planNetwork({ timesteps: 32, features: 10 }, cfg());
    assert.equal(plan.projection, null);
    assert.equal(plan.blocks.length, 8);
    plan.blocks.forEach((b, i) => {
      assert.deepEqual(b, {
        name: `lstm_${i}`,
        index: i,
        seedLayer: i,
        inputSize: 10,
        units: 10,
        activation: 'tanh',
        returnSequences: i < 7,
        skip: true,
        params: 840,
      });
    });
    assert.deepEqual(plan.head, {
      kind: 'dense',
      name: 'head',
      inputSize: 10,
      units: 1,
      activation: 'sigmoid',
      loss: 'binaryCrossentropy',
      seedLayer: 8,
      params: 11,
    });
    assert.equal(plan.params, 6731);
    assert.equal(plan.classes, 2);
    assert.deepEqual(plan.input, { timesteps: 32, features: 10 });
  });

  test('features != width: layer 0 reads the features and has no skip', () => {
    const plan = planNetwork({ timesteps: 5, features: 3 }, cfg({ depth: 3, width: 8 }));
    assert.deepEqual(
      plan.blocks.map((b) => b.inputSize),
      [3, 8, 8],
    );
    assert.deepEqual(skips({ timesteps: 5, features: 3 }, cfg({ depth: 3, width: 8 })), [false, true, true]);
    assert.equal(plan.blocks[0]!.params, lstmParams(3, 8));
  });

  test('depth 1: the only block returns its last step; its skip needs features == width', () => {
    const same = planNetwork({ timesteps: 4, features: 5 }, cfg({ depth: 1, width: 5 }));
    assert.deepEqual(
      same.blocks.map((b) => [b.returnSequences, b.skip]),
      [[false, true]],
    );
    const other = planNetwork({ timesteps: 4, features: 2 }, cfg({ depth: 1, width: 5 }));
    assert.deepEqual(
      other.blocks.map((b) => [b.returnSequences, b.skip]),
      [[false, false]],
    );
  });

  test('residual: false removes every skip connection and keeps the parameters', () => {
    const shape = { timesteps: 6, features: 4 };
    assert.deepEqual(skips(shape, cfg({ depth: 3, width: 4, residual: false })), [false, false, false]);
    assert.deepEqual(skips(shape, cfg({ depth: 3, width: 4 })), [true, true, true]);
    assert.equal(
      planNetwork(shape, cfg({ depth: 3, width: 4, residual: false })).params,
      planNetwork(shape, cfg({ depth: 3, width: 4 })).params,
    );
    assert.deepEqual(skips(shape, cfg({ depth: 2, width: 4, residual: false, inputProjection: true, head: 'lstm' })), [false]);
  });
});

describe('network plan: input projection', () => {
  test('features != width: TimeDistributed(Dense(width)) first, then layer 0 is residual too', () => {
    const plan = planNetwork({ timesteps: 6, features: 3 }, cfg({ depth: 2, width: 8, inputProjection: true }));
    assert.deepEqual(plan.projection, { name: 'input_projection', inputSize: 3, units: 8, seedLayer: -1, params: 3 * 8 + 8 });
    assert.deepEqual(
      plan.blocks.map((b) => [b.inputSize, b.skip]),
      [
        [8, true],
        [8, true],
      ],
    );
    assert.equal(plan.params, 3 * 8 + 8 + 2 * lstmParams(8, 8) + 9);
  });

  test('features == width: nothing to project', () => {
    assert.equal(planNetwork({ timesteps: 6, features: 8 }, cfg({ depth: 2, width: 8, inputProjection: true })).projection, null);
  });

  test('inputProjection false or absent: no projection', () => {
    assert.equal(planNetwork({ timesteps: 6, features: 3 }, cfg({ depth: 2, width: 8, inputProjection: false })).projection, null);
    assert.equal(planNetwork({ timesteps: 6, features: 3 }, cfg({ depth: 2, width: 8 })).projection, null);
  });
});

describe('network plan: heads', () => {
  test('dense over k > 2 classes is a softmax with sparse categorical cross-entropy', () => {
    const plan = planNetwork({ timesteps: 5, features: 4 }, cfg({ depth: 2, width: 4, classes: 3 }));
    assert.deepEqual(plan.head, {
      kind: 'softmax',
      name: 'head',
      inputSize: 4,
      units: 3,
      activation: 'softmax',
      loss: 'sparseCategoricalCrossentropy',
      seedLayer: 2,
      params: 4 * 3 + 3,
    });
    assert.equal(plan.classes, 3);
    assert.equal(plan.blocks.length, 2);
  });

  test('two classes (or classes absent) keep one sigmoid unit', () => {
    for (const classes of [undefined, 1, 2]) {
      const plan = planNetwork({ timesteps: 5, features: 4 }, cfg({ depth: 2, width: 4, ...(classes === undefined ? {} : { classes }) }));
      assert.equal(plan.head.kind, 'dense');
      assert.equal(plan.head.units, 1);
    }
  });

  test('lstm head replaces the last block: depth - 1 sequence blocks, then LSTM(1, sigmoid) without skip', () => {
    const plan = planNetwork({ timesteps: 32, features: 10 }, cfg({ head: 'lstm' }));
    assert.equal(plan.blocks.length, 7);
    assert.ok(plan.blocks.every((b) => b.returnSequences && b.skip));
    assert.deepEqual(plan.head, {
      kind: 'lstm',
      name: 'head',
      index: 7,
      seedLayer: 8,
      inputSize: 10,
      units: 1,
      activation: 'sigmoid',
      returnSequences: false,
      skip: false,
      loss: 'binaryCrossentropy',
      params: lstmParams(10, 1),
    });
    assert.equal(plan.params, 7 * 840 + lstmParams(10, 1));
  });

  test('lstm head at depth 1 reads the input directly (after the projection, if any)', () => {
    const raw = planNetwork({ timesteps: 4, features: 3 }, cfg({ depth: 1, head: 'lstm' }));
    assert.equal(raw.blocks.length, 0);
    assert.equal(raw.head.inputSize, 3);
    const projected = planNetwork({ timesteps: 4, features: 3 }, cfg({ depth: 1, width: 6, head: 'lstm', inputProjection: true }));
    assert.equal(projected.head.inputSize, 6);
    assert.equal(projected.params, 3 * 6 + 6 + lstmParams(6, 1));
  });

  test('the lstm head is binary only; unknown heads and bad shapes are refused', () => {
    assert.throws(() => planNetwork({ timesteps: 4, features: 3 }, cfg({ head: 'lstm', classes: 3 })), /lstm head is binary only/);
    assert.throws(
      () => planNetwork({ timesteps: 4, features: 3 }, cfg({ head: 'conv' as ModelConfig['head'] })),
      /unknown head 'conv' \(known: dense, lstm\)/,
    );
    assert.throws(() => planNetwork({ timesteps: 0, features: 3 }, cfg()), /invalid input shape: timesteps = 0/);
    assert.throws(() => planNetwork({ timesteps: 4, features: 2.5 }, cfg()), /invalid input shape: features = 2.5/);
  });

  test('is plain data and imports no tfjs (other engines read it too)', () => {
    const plan = planNetwork(
      { timesteps: 6, features: 3 },
      cfg({ depth: 3, width: 5, inputProjection: true, classes: 4, dropout: 0.2, recurrentDropout: 0.1 }),
    );
    assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan);
    assert.equal(plan.dropout, 0.2);
    assert.equal(plan.recurrentDropout, 0.1);
    const source = readFileSync(new URL('../../../src/model/network-plan.ts', import.meta.url), 'utf8');
    assert.doesNotMatch(source, /from '@tensorflow/);
  });
});

describe('network plan equals the tfjs-layers model', () => {
  const cases: [string, InputShape, Partial<ModelConfig>][] = [
    ['(32,10) w10 d8 dense', { timesteps: 32, features: 10 }, {}],
    ['(32,10) w10 d8 lstm head', { timesteps: 32, features: 10 }, { head: 'lstm' }],
    ['features != width', { timesteps: 5, features: 3 }, { depth: 3, width: 8 }],
    ['input projection', { timesteps: 5, features: 3 }, { depth: 2, width: 8, inputProjection: true }],
    ['input projection, lstm head', { timesteps: 5, features: 3 }, { depth: 3, width: 6, inputProjection: true, head: 'lstm' }],
    ['softmax over 4 classes', { timesteps: 5, features: 4 }, { depth: 2, width: 4, classes: 4 }],
    [
      'softmax, projection, no skips',
      { timesteps: 5, features: 2 },
      { depth: 3, width: 5, classes: 3, inputProjection: true, residual: false },
    ],
    ['depth 1 lstm head', { timesteps: 4, features: 3 }, { depth: 1, head: 'lstm' }],
    ['depth 1 dense, features != width', { timesteps: 4, features: 2 }, { depth: 1, width: 5 }],
    ['width 7 depth 4, no skips', { timesteps: 3, features: 7 }, { depth: 4, width: 7, residual: false }],
  ];
  for (const [name, shape, over] of cases) {
    test(name, () => {
      const c = cfg(over);
      const plan = planNetwork(shape, c);
      const parts = [...(plan.projection ? [plan.projection] : []), ...plan.blocks, plan.head];
      assert.equal(
        parts.reduce((s, p) => s + p.params, 0),
        plan.params,
      );
      assert.equal(countParams(shape, c), plan.params);
      // the fast engine's flat parameter buffer holds exactly the plan's parameters
      assert.equal(
        weightSlots(plan).reduce((s, w) => s + w.size, 0),
        plan.params,
      );
      const tensors = tf.memory().numTensors;
      const model = buildModel(shape, c);
      try {
        assert.equal(model.countParams(), plan.params);
        for (const part of parts) assert.equal(model.getLayer(part.name).countParams(), part.params, part.name);
        const lstms = [...plan.blocks, ...(plan.head.kind === 'lstm' ? [plan.head] : [])];
        assert.deepEqual(
          model.layers.filter((l) => l.getClassName() === 'LSTM').map((l) => l.name),
          lstms.map((b) => b.name),
        );
        for (const b of lstms) {
          const config = model.getLayer(b.name).getConfig();
          assert.equal(config.units, b.units, b.name);
          assert.equal(config.returnSequences, b.returnSequences, b.name);
          assert.equal(config.activation, b.activation, b.name);
        }
        const adds = model.layers.filter((l) => l.getClassName() === 'Add').map((l) => l.name);
        assert.deepEqual(
          adds,
          plan.blocks.filter((b) => b.skip).map((b) => `add_${b.index}`),
        );
        assert.equal(
          model.layers.some((l) => l.name === 'input_projection'),
          plan.projection !== null,
        );
        assert.deepEqual(model.outputs[0]!.shape, [null, plan.head.units]);
        if (plan.head.kind !== 'lstm') assert.equal(model.getLayer('head').getConfig().activation, plan.head.activation);
      } finally {
        disposeModel(model);
      }
      assert.equal(tf.memory().numTensors, tensors);
    });
  }
});

describe('training memory estimate', () => {
  test("trainingMemoryBytes covers the fast engine's buffers, within a factor of 2", () => {
    const cases: [InputShape, Partial<ModelConfig>, number][] = [
      [{ timesteps: 32, features: 10 }, { width: 10, depth: 8 }, 32],
      [{ timesteps: 24, features: 1 }, { width: 64, depth: 2, inputProjection: true }, 16],
      [{ timesteps: 100, features: 3 }, { width: 128, depth: 1, dropout: 0.2, recurrentDropout: 0.2 }, 64],
      [{ timesteps: 12, features: 4 }, { width: 16, depth: 3, head: 'lstm' }, 8],
    ];
    for (const [shape, over, batch] of cases) {
      const plan = planNetwork(shape, cfg(over));
      const net = new FastNetwork(plan, { maxBatch: batch, seed: 1 });
      const arenaBytes = (net as unknown as { arena: { bytes: number } }).arena.bytes;
      const estimate = trainingMemoryBytes(plan, batch).total;
      assert.ok(
        estimate >= arenaBytes && estimate <= 2 * arenaBytes,
        `${JSON.stringify(over)}: estimate ${estimate}, engine ${arenaBytes}`,
      );
    }
  });
});
