import assert from 'node:assert/strict';
import { test } from 'node:test';
import { featureStats, normalizeSplit, normalizeTrainingData } from '../../../src/data/normalize.js';
import type { Split } from '../../../src/data/types.js';

/** n series of T steps and 2 features, feature f offset by 10*f, scaled by f+1. */
function split(n: number, T: number, shift = 0): Split {
  const F = 2;
  const x = new Float32Array(n * T * F);
  for (let i = 0; i < n; i++)
    for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) x[(i * T + t) * F + f] = 10 * f + (f + 1) * Math.sin(i + t) + shift;
  return { n, timesteps: T, features: F, x, y: new Float32Array(n) };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const column = (s: Split, f: number) => Array.from(s.x).filter((_, k) => k % s.features === f);

test('series: every series and feature to mean 0, std 1 over its own time steps', () => {
  const s = normalizeSplit(split(3, 20), 'series');
  for (let i = 0; i < 3; i++) {
    for (let f = 0; f < 2; f++) {
      const v = Array.from({ length: 20 }, (_, t) => s.x[(i * 20 + t) * 2 + f]!);
      assert.ok(Math.abs(mean(v)) < 1e-5);
      assert.ok(Math.abs(Math.sqrt(mean(v.map((a) => a * a))) - 1) < 1e-3);
    }
  }
});

test('feature: statistics of the training split only, applied to validation and test', () => {
  const data = { train: split(8, 10), validation: split(4, 10, 5), test: split(4, 10, -5) };
  const { data: out, stats } = normalizeTrainingData(data, 'feature');
  assert.deepEqual(stats, featureStats(data.train));
  for (const f of [0, 1]) {
    assert.ok(Math.abs(mean(column(out.train, f))) < 1e-5, 'train centred');
    // validation keeps its offset relative to train: its own statistics were not used
    assert.ok(mean(column(out.validation, f)) > 0.5);
    assert.ok(mean(column(out.test!, f)) < -0.5);
  }
  // New series at predict time get exactly the same transformation.
  assert.deepEqual(Array.from(normalizeSplit(data.test!, 'feature', stats).x), Array.from(out.test!.x));
  assert.throws(() => normalizeSplit(data.test!, 'feature'), /training statistics/);
  assert.equal(normalizeTrainingData(data, 'none').data, data);
});
