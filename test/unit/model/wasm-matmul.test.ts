import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  buildModel,
  disposeModel,
  getWasmFastMatMulStats,
  initBackend,
  installWasmFastMatMul,
  isWasmFastMatMulInstalled,
  resetWasmFastMatMulStats,
  uninstallWasmFastMatMul,
} from '../../../src/model/index.js';

function assertClose(got: Float32Array | number[], want: Float32Array | number[], rel = 1e-5, label = ''): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = rel * Math.max(1, Math.abs(want[i]!));
    assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `${label}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

/** Forward result and gradients wrt both operands, as plain arrays. */
function matMulAndGrads(aShape: number[], bShape: number[], tA: boolean, tB: boolean, op: 'matMul' | 'fused'): number[][] {
  return tf.tidy(() => {
    const a = tf.randomNormal(aShape, 0, 1, 'float32', 1);
    const b = tf.randomNormal(bShape, 0, 1, 'float32', 2);
    const f = (x: tf.Tensor, y: tf.Tensor) => {
      const p =
        op === 'matMul' ? tf.matMul(x, y, tA, tB) : tf.fused.matMul({ a: x, b: y, transposeA: tA, transposeB: tB, activation: 'relu' });
      return p.square().sum();
    };
    const out = f(a, b);
    const [da, db] = tf.grads(f)([a, b]);
    return [out, da!, db!].map((t) => Array.from(t.dataSync()));
  });
}

before(async () => {
  assert.equal(await initBackend('wasm', { wasmFastMatMul: true }), 'wasm');
});
after(() => {
  installWasmFastMatMul();
});

describe('wasm transposed matmul patch', () => {
  const shapes: [string, number[], number[]][] = [
    ['2d', [5, 7], [7, 3]],
    ['rank-3 batch', [3, 5, 7], [3, 7, 4]],
    ['rank-3 batch of one', [1, 6, 7], [1, 7, 2]],
  ];
  for (const op of ['matMul', 'fused'] as const) {
    for (const [name, aBase, bBase] of shapes) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          if (op === 'fused' && aBase.length !== bBase.length) continue;
          test(`${op} ${name} transposeA=${tA} transposeB=${tB}: patched == original (value + grads)`, () => {
            const swap = (s: number[], t: boolean) => (t ? [...s.slice(0, -2), s.at(-1)!, s.at(-2)!] : s);
            const aShape = swap(aBase, tA);
            const bShape = swap(bBase, tB);
            uninstallWasmFastMatMul();
            const want = matMulAndGrads(aShape, bShape, tA, tB, op);
            installWasmFastMatMul();
            const got = matMulAndGrads(aShape, bShape, tA, tB, op);
            got.forEach((g, i) => assertClose(g, want[i]!, 1e-5, `${op}#${i}`));
          });
        }
      }
    }
  }

  test('broadcast matMul (forward only: tfjs 4.22 has no broadcast matMul gradient)', () => {
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const run = () =>
        tf.tidy(() => {
          const a = tf.randomNormal(tA ? [2, 7, 5] : [2, 5, 7], 0, 1, 'float32', 1);
          const b = tf.randomNormal(tB ? [4, 7] : [7, 4], 0, 1, 'float32', 2);
          return Array.from(tf.matMul(a, b, tA, tB).dataSync());
        });
      uninstallWasmFastMatMul();
      const want = run();
      installWasmFastMatMul();
      assertClose(run(), want, 1e-5, `broadcast ${tA} ${tB}`);
    }
  });

  test('gradients of a residual LSTM loss match with and without the patch, and the patch is used', () => {
    const model = buildModel(
      { timesteps: 5, features: 4 },
      { depth: 3, width: 4, dropout: 0, recurrentDropout: 0, head: 'dense', seed: 3 },
    );
    const x = tf.randomNormal([6, 5, 4], 0, 1, 'float32', 4);
    const y = tf.tensor2d([0, 1, 0, 1, 1, 0], [6, 1]);
    const grads = () =>
      tf.tidy(() => {
        const { value, grads: g } = tf.variableGrads(() =>
          tf.losses.sigmoidCrossEntropy(y, (model.apply(x, { training: true }) as tf.Tensor).clipByValue(1e-6, 1 - 1e-6).log()),
        );
        return [
          value,
          ...Object.keys(g)
            .sort()
            .map((k) => g[k]!),
        ].map((t) => Array.from(t.dataSync()));
      });
    uninstallWasmFastMatMul();
    const want = grads();
    installWasmFastMatMul();
    resetWasmFastMatMulStats();
    const before = tf.memory().numTensors;
    const got = grads();
    assert.equal(tf.memory().numTensors, before, 'patched kernels leak no tensors');
    const stats = getWasmFastMatMulStats();
    assert.ok(stats.transposed > 0, `patched kernel not used: ${JSON.stringify(stats)}`);
    assert.ok(stats.calls >= stats.transposed);
    got.forEach((g, i) => assertClose(g, want[i]!, 1e-5, `grad#${i}`));
    tf.dispose([x, y]);
    disposeModel(model);
  });

  test('install/uninstall are idempotent and restore the original kernels', () => {
    installWasmFastMatMul();
    installWasmFastMatMul();
    assert.ok(isWasmFastMatMulInstalled());
    uninstallWasmFastMatMul();
    uninstallWasmFastMatMul();
    assert.ok(!isWasmFastMatMulInstalled());
    resetWasmFastMatMulStats();
    tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([2, 3]), false, true));
    assert.equal(getWasmFastMatMulStats().calls, 0);
    installWasmFastMatMul();
    tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([2, 3]), false, true));
    assert.deepEqual(getWasmFastMatMulStats(), { calls: 1, transposed: 1 });
  });
});
