import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { TrialConfig } from '../../../src/model/trial-config.js';
import {
  buildModel,
  countParams,
  disposeModel,
  formatSummary,
  initBackend,
  lstmParams,
  type ModelConfig,
} from '../../../src/model/index.js';
import { modelConfig } from '../../helpers.js';

const cfg = modelConfig;

function withModel<T>(shape: { timesteps: number; features: number }, c: ModelConfig, fn: (m: tf.LayersModel) => T): T {
  const model = buildModel(shape, c);
  try {
    return fn(model);
  } finally {
    disposeModel(model);
  }
}

const layersOf = (m: tf.LayersModel, cls: string) => m.layers.filter((l) => l.getClassName() === cls);

before(async () => {
  await initBackend('cpu');
});

describe('parameter counts', () => {
  const cases: [string, { timesteps: number; features: number }, Partial<TrialConfig>, number][] = [
    ['(32,10) w10 d8 dense (Keras: 6,731)', { timesteps: 32, features: 10 }, {}, 6731],
    ['(32,10) w10 d8 lstm head', { timesteps: 32, features: 10 }, { head: 'lstm' }, 7 * 840 + lstmParams(10, 1)],
    ['features != width', { timesteps: 5, features: 3 }, { depth: 3, width: 8 }, lstmParams(3, 8) + 2 * lstmParams(8, 8) + 9],
    ['depth 1 dense', { timesteps: 4, features: 10 }, { depth: 1 }, 840 + 11],
    ['depth 1 dense, features != width', { timesteps: 4, features: 2 }, { depth: 1, width: 5 }, lstmParams(2, 5) + 6],
    ['depth 1 lstm head', { timesteps: 4, features: 3 }, { depth: 1, head: 'lstm' }, lstmParams(3, 1)],
    [
      'depth 2 lstm head, features != width',
      { timesteps: 4, features: 3 },
      { depth: 2, width: 6, head: 'lstm' },
      lstmParams(3, 6) + lstmParams(6, 1),
    ],
  ];
  for (const [name, shape, over, expected] of cases) {
    test(name, () => {
      const c = cfg(over);
      assert.equal(countParams(shape, c), expected);
      withModel(shape, c, (m) => assert.equal(m.countParams(), expected));
    });
  }
  test('LSTM formula', () => {
    assert.equal(lstmParams(10, 10), 840);
    assert.equal(lstmParams(10, 1), 48);
  });
});

describe('wiring', () => {
  // Add layers: one per residual block whose input size equals width; the lstm head
  // replaces the last block (no skip there).
  const cases: [number, number, ModelConfig['head'], number][] = [];
  for (const depth of [1, 2, 3]) {
    for (const features of [4, 3]) {
      const eq = features === 4;
      cases.push([depth, features, 'dense', eq ? depth : depth - 1]);
      cases.push([depth, features, 'lstm', Math.max(0, eq ? depth - 1 : depth - 2)]);
    }
  }
  for (const [depth, features, head, adds] of cases) {
    test(`depth ${depth} features ${features} (width 4) head ${head}: ${adds} Add layers`, () => {
      withModel({ timesteps: 5, features }, cfg({ depth, width: 4, head }), (m) => {
        assert.equal(layersOf(m, 'Add').length, adds);
        const lstms = layersOf(m, 'LSTM');
        assert.equal(lstms.length, depth);
        assert.deepEqual(m.outputs[0]!.shape, [null, 1]);
        assert.equal(m.layers.at(-1)!.name, 'head');
        if (head === 'lstm') {
          // the head LSTM has 1 unit and is fed directly (no Add after it)
          assert.equal(m.layers.at(-1)!.getClassName(), 'LSTM');
        }
        const out = tf.tidy(() => (m.predict(tf.randomNormal([3, 5, features], 0, 1, 'float32', 7)) as tf.Tensor).dataSync());
        for (const p of out) assert.ok(p > 0 && p < 1, `output ${p} not in (0, 1)`);
      });
    });
  }

  test('layer names', () => {
    withModel({ timesteps: 6, features: 4 }, cfg({ depth: 2, width: 4 }), (m) => {
      const names = m.layers.map((l) => l.name);
      for (const n of ['input', 'lstm_0', 'add_0', 'lstm_1', 'last_step_1', 'add_1', 'head']) assert.ok(names.includes(n), n);
    });
  });

  test('same seed gives the same initial weights, another seed different ones', () => {
    const weights = (seed: number) =>
      withModel({ timesteps: 3, features: 2 }, cfg({ depth: 2, width: 3, seed }), (m) =>
        m.getWeights().map((w) => Array.from(w.dataSync())),
      );
    assert.deepEqual(weights(5), weights(5));
    assert.notDeepEqual(weights(5), weights(6));
  });
});

// ---- hand-computed forward pass (Keras LSTM: gates i, f, c, o; sigmoid recurrent activation)
type Mat = number[][];
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

function toMat(t: tf.Tensor): Mat {
  return t.arraySync() as Mat;
}

function lstmSeq(xs: Mat, W: Mat, U: Mat, b: number[], units: number, act: (v: number) => number): Mat {
  let h = new Array<number>(units).fill(0);
  let c = new Array<number>(units).fill(0);
  const out: Mat = [];
  for (const x of xs) {
    const z = b.map((bias, j) => bias + x.reduce((s, xv, k) => s + xv * W[k]![j]!, 0) + h.reduce((s, hv, k) => s + hv * U[k]![j]!, 0));
    const g = (gate: number, u: number) => z[gate * units + u]!;
    c = c.map((cv, u) => sigmoid(g(1, u)) * cv + sigmoid(g(0, u)) * act(g(2, u)));
    h = c.map((cv, u) => sigmoid(g(3, u)) * act(cv));
    out.push(h);
  }
  return out;
}

function reference(m: tf.LayersModel, x: number[][][], c: ModelConfig, features: number, skips = true): number[] {
  const w = (name: string) => m.getLayer(name).getWeights();
  return x.map((sample) => {
    let seq = sample;
    let size = features;
    const blocks = c.head === 'dense' ? c.depth : c.depth - 1;
    let vec: number[] = [];
    for (let i = 0; i < blocks; i++) {
      const [W, U, b] = w(`lstm_${i}`);
      const hs = lstmSeq(seq, toMat(W!), toMat(U!), Array.from(b!.dataSync()), c.width, Math.tanh);
      const residual = skips && size === c.width;
      if (c.head === 'dense' && i === blocks - 1) {
        vec = hs.at(-1)!.map((v, u) => v + (residual ? seq.at(-1)![u]! : 0));
      } else {
        seq = hs.map((h, t) => h.map((v, u) => v + (residual ? seq[t]![u]! : 0)));
      }
      size = c.width;
    }
    if (c.head === 'dense') {
      const [hk, hb] = w('head');
      const k = toMat(hk!);
      return sigmoid(hb!.dataSync()[0]! + vec.reduce((s, v, u) => s + v * k[u]![0]!, 0));
    }
    const [hk, hu, hb] = w('head');
    return lstmSeq(seq, toMat(hk!), toMat(hu!), Array.from(hb!.dataSync()), 1, sigmoid).at(-1)![0]!;
  });
}

describe('forward pass equals a hand-computed residual LSTM', () => {
  const cases: [string, number, ModelConfig][] = [
    ['depth 2, width 2, T 3 (both blocks residual)', 2, cfg({ depth: 2, width: 2, seed: 11 })],
    ['features 3 != width 2 (layer 0 without skip)', 3, cfg({ depth: 2, width: 2, seed: 12 })],
    ['lstm head', 2, cfg({ depth: 2, width: 2, head: 'lstm', seed: 13 })],
    ['depth 1', 2, cfg({ depth: 1, width: 2, seed: 14 })],
  ];
  for (const [name, features, c] of cases) {
    test(name, () => {
      withModel({ timesteps: 3, features }, c, (m) => {
        // non-trivial biases so every gate matters
        for (const layer of m.layers) {
          const ws = layer.getWeights();
          if (ws.length === 0) continue;
          const replaced = ws.map((t, i) => tf.randomUniform(t.shape, -0.5, 0.5, 'float32', 100 + i));
          layer.setWeights(replaced);
          tf.dispose(replaced);
        }
        const x = tf.randomNormal([4, 3, features], 0, 1.5, 'float32', 3);
        const xs = x.arraySync() as number[][][];
        const got = tf.tidy(() => Array.from((m.predict(x) as tf.Tensor).dataSync()));
        x.dispose();
        const want = reference(m, xs, c, features);
        for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-5, `sample ${i}: ${got[i]} vs ${want[i]}`);
        // ...and a model without the skip connections would not pass
        if (features === c.width) {
          const noSkip = reference(m, xs, c, features, false);
          assert.ok(noSkip.some((v, i) => Math.abs(v - got[i]!) > 1e-3));
        }
      });
    });
  }
});

test('summary ends with Keras-style totals', () => {
  withModel({ timesteps: 32, features: 10 }, cfg(), (m) => {
    const text = formatSummary(m);
    assert.match(text, /Layer \(type\)\s+Output Shape\s+Param #\s+Connected to/);
    assert.match(text, /lstm_0 \(LSTM\)\s+\(None, 32, 10\)\s+840\s+input\[0\]\[0\]/);
    assert.match(text, /head \(Dense\)\s+\(None, 1\)\s+11\s+add_7\[0\]\[0\]/);
    assert.deepEqual(text.split('\n').slice(-3), ['Total params: 6,731', 'Trainable params: 6,731', 'Non-trainable params: 0']);
  });
});

describe('serialization', () => {
  for (const head of ['dense', 'lstm'] as const) {
    test(`${head} head: save + plain tf.loadLayersModel give identical predictions`, async () => {
      const before = tf.memory().numTensors;
      const m = buildModel({ timesteps: 6, features: 4 }, cfg({ depth: 3, width: 4, head, dropout: 0.1, recurrentDropout: 0.1 }));
      let saved: tf.io.ModelArtifacts | undefined;
      await m.save(
        tf.io.withSaveHandler(async (artifacts) => {
          saved = artifacts;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      assert.ok(saved);
      const topology = JSON.stringify(saved.modelTopology);
      assert.doesNotMatch(topology, /Lambda/);
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved));
      const x = tf.randomNormal([5, 6, 4], 0, 1, 'float32', 9);
      const a = tf.tidy(() => Array.from((m.predict(x) as tf.Tensor).dataSync()));
      const b = tf.tidy(() => Array.from((loaded.predict(x) as tf.Tensor).dataSync()));
      assert.deepEqual(b, a);
      assert.equal(loaded.countParams(), m.countParams());
      x.dispose();
      disposeModel(m);
      disposeModel(loaded);
      assert.equal(tf.memory().numTensors, before);
    });
  }
});

describe('model options (residual, inputProjection)', () => {
  test('residual: false is a plain stacked LSTM with the same parameters', () => {
    const shape = { timesteps: 6, features: 4 };
    const plain = cfg({ depth: 3, width: 4, residual: false });
    withModel(shape, plain, (m) => {
      assert.equal(layersOf(m, 'Add').length, 0);
      assert.equal(m.countParams(), countParams(shape, plain));
      assert.equal(m.countParams(), countParams(shape, cfg({ depth: 3, width: 4 })));
    });
    withModel(shape, cfg({ depth: 3, width: 4 }), (m) => assert.equal(layersOf(m, 'Add').length, 3));
  });

  test('inputProjection gives layer 0 its skip connection when features != width', () => {
    const shape = { timesteps: 6, features: 3 };
    const projected = cfg({ depth: 2, width: 8, inputProjection: true });
    withModel(shape, projected, (m) => {
      assert.equal(layersOf(m, 'TimeDistributed').length, 1);
      assert.equal(layersOf(m, 'Add').length, 2);
      assert.equal(m.countParams(), 3 * 8 + 8 + 2 * lstmParams(8, 8) + 9);
      assert.equal(countParams(shape, projected), m.countParams());
    });
    withModel(shape, cfg({ depth: 2, width: 8 }), (m) => assert.equal(layersOf(m, 'Add').length, 1));
    // Nothing to project when the sizes already match.
    withModel({ timesteps: 6, features: 8 }, projected, (m) => assert.equal(layersOf(m, 'TimeDistributed').length, 0));
  });

  test('a projected model saves and loads as a standard tfjs-layers model', async () => {
    const model = buildModel({ timesteps: 5, features: 2 }, cfg({ depth: 2, width: 4, inputProjection: true }));
    try {
      let saved: tf.io.ModelArtifacts | undefined;
      await model.save(
        tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })),
      );
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
      const x = tf.randomNormal([3, 5, 2], 0, 1, 'float32', 4);
      const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
      assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
      tf.dispose([x, a, b]);
      loaded.dispose();
    } finally {
      disposeModel(model);
    }
  });
});
