/**
 * tfjs-layers' process-wide tensor-name registry stays bounded in a trainer that builds models
 * forever (src/model/tensor-names.ts): disposing a model forgets its names, and names stay unique
 * among live models, never reused, and training that goes through tfjs' executor caches (keyed by
 * tensor names) still gives the same result for the same seed.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { TrainingData } from '../../../src/data/types.js';
import { buildModel, disposeModel, initBackend, trainTrial, type ModelConfig } from '../../../src/model/index.js';
import { loadModel, saveModel } from '../../../src/model/saved-model.js';
import { tensorNameCount } from '../../../src/model/tensor-names.js';
import { syntheticSplit } from '../../../src/data/synthetic.js';
import { modelConfig } from '../../helpers.js';

const SHAPE = { timesteps: 6, features: 1 };
/** Every kind of network the plan makes: both heads, depth 1-3, k classes, input projection, no skips, patching. */
const KINDS: ModelConfig[] = [
  modelConfig({ depth: 1, width: 4 }),
  modelConfig({ depth: 3, width: 4, dropout: 0.2, recurrentDropout: 0.1 }),
  modelConfig({ depth: 2, width: 3, head: 'lstm' }),
  modelConfig({ depth: 2, width: 4, classes: 3 }),
  modelConfig({ depth: 2, width: 4, inputProjection: true }),
  modelConfig({ depth: 3, width: 2, residual: false }),
  modelConfig({ depth: 2, width: 4, patch: 4 }),
];

const namesOf = (m: tf.LayersModel) => [
  ...m.weights.map((w) => w.name),
  ...m.layers.flatMap((l) => l.inboundNodes.flatMap((n) => n.outputTensors.map((t) => t.name))),
];

before(async () => {
  await initBackend('cpu');
});

describe('tfjs-layers tensor-name registry', () => {
  test('is found in this tfjs build', () => {
    assert.equal(typeof tensorNameCount(), 'number');
  });

  test('stays the same size over rounds of building and disposing every kind of model', () => {
    const round = () => {
      for (const [i, c] of KINDS.entries()) disposeModel(buildModel(SHAPE, { ...c, seed: i + 1 }));
      return tensorNameCount();
    };
    const first = round();
    const sizes = Array.from({ length: 20 }, round);
    assert.deepEqual(
      sizes,
      sizes.map(() => first),
    );
  });

  test('models loaded from saved artifacts (predict, best --export) are forgotten too', async () => {
    const saved = await (async () => {
      const m = buildModel(SHAPE, KINDS[1]!);
      try {
        return await saveModel(m);
      } finally {
        disposeModel(m);
      }
    })();
    disposeModel(await loadModel(saved));
    const first = tensorNameCount();
    for (let i = 0; i < 10; i++) disposeModel(await loadModel(saved));
    assert.equal(tensorNameCount(), first);
  });

  test('names stay unique: never shared with a live model, never handed out twice', () => {
    const live = buildModel(SHAPE, KINDS[1]!);
    try {
      const seen = new Set(namesOf(live));
      for (let i = 0; i < 30; i++) {
        const m = buildModel(SHAPE, KINDS[i % KINDS.length]!);
        for (const name of namesOf(m)) {
          assert.ok(!seen.has(name), `${name} handed out twice`);
          seen.add(name);
        }
        disposeModel(m);
      }
      // the live model still works: its variables were never touched
      tf.tidy(() => assert.equal((live.predict(tf.zeros([1, SHAPE.timesteps, SHAPE.features])) as tf.Tensor).shape[0], 1));
    } finally {
      disposeModel(live);
    }
  });

  test('the layers engine (tfjs executor caches keyed by tensor names) trains the same after many models', async () => {
    const split = (n: number, seed: number) => syntheticSplit({ n, timesteps: SHAPE.timesteps, seed });
    const data: TrainingData = { train: split(32, 1), validation: split(16, 2) };
    const config = { ...modelConfig({ depth: 2, width: 4 }), learningRate: 0.01, batchSize: 8, epochs: 2, patience: 0 };
    const a = await trainTrial(config, data, { engine: 'layers' });
    for (let i = 0; i < 5; i++) await trainTrial({ ...config, seed: i + 10 }, data, { engine: 'layers' });
    const b = await trainTrial(config, data, { engine: 'layers' });
    assert.deepEqual(b.metrics, a.metrics);
    assert.equal(tf.memory().numTensors, 0);
  });
});
