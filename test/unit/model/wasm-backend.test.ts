import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { initBackend, isWasmFastMatMulInstalled } from '../../../src/model/index.js';

const require = createRequire(import.meta.url);
const installed = (pkg: string): boolean => {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
};
const nativeInstalled = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node');

test('explicit tensorflow without tfjs-node throws an install hint', { skip: nativeInstalled && 'tfjs-node is installed' }, async () => {
  await assert.rejects(initBackend('tensorflow'), (err: Error) => {
    assert.match(err.message, /npm install @tensorflow\/tfjs-node-gpu@4\.22\.0/);
    assert.match(err.message, /CUDA 11\.2/);
    assert.match(err.message, /cuDNN 8\.1/);
    assert.match(err.message, /@tensorflow\/tfjs-node/);
    return true;
  });
});

test('auto falls back to wasm and is idempotent', { skip: nativeInstalled && 'tfjs-node is installed' }, async () => {
  assert.equal(await initBackend('auto'), 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(await initBackend('auto'), 'wasm');
  assert.ok(isWasmFastMatMulInstalled(), 'matmul patch installed by default');
});

test('wasm fast matmul can be disabled by option and by LSW_WASM_FAST_MATMUL=0', async () => {
  assert.equal(await initBackend('wasm', { wasmFastMatMul: false }), 'wasm');
  assert.ok(!isWasmFastMatMulInstalled());
  assert.equal(await initBackend('wasm'), 'wasm');
  assert.ok(isWasmFastMatMulInstalled());
  process.env.LSW_WASM_FAST_MATMUL = '0';
  try {
    await initBackend('wasm');
    assert.ok(!isWasmFastMatMulInstalled());
  } finally {
    delete process.env.LSW_WASM_FAST_MATMUL;
  }
  await initBackend('wasm');
  assert.ok(isWasmFastMatMulInstalled());
});

test('switching to cpu and back', async () => {
  assert.equal(await initBackend('cpu'), 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(await initBackend('cpu'), 'cpu');
  assert.equal(await initBackend('wasm'), 'wasm');
  const sum = tf.tidy(
    () =>
      tf
        .matMul(tf.ones([2, 3]), tf.ones([2, 3]), false, true)
        .sum()
        .dataSync()[0],
  );
  assert.equal(sum, 12);
});

test('unknown choice is rejected', async () => {
  await assert.rejects(initBackend('gpu' as never), /unknown backend 'gpu'/);
});
