/**
 * What the engine tests share: the architectures every engine is checked on, the relative error
 * they are checked with, and a small seeded two-class dataset with a signal to learn.
 */
import type { Split } from '../../../src/data/types.js';
import type { ModelConfig } from '../../../src/model/index.js';
import { createRng } from '../../../src/util/rng.js';

export interface EngineCase {
  name: string;
  T: number;
  F: number;
  classes: number;
  config: Omit<ModelConfig, 'seed' | 'dropout' | 'recurrentDropout' | 'classes'>;
}

/** The architectures the fast engine is checked on against tfjs-layers, and the gpu engine against the fast one. */
export const ENGINE_CASES: EngineCase[] = [
  { name: 'residual, layer 0 without skip (F != width)', T: 7, F: 3, classes: 2, config: { depth: 3, width: 4, head: 'dense' } },
  { name: 'residual, layer 0 with skip (F == width)', T: 6, F: 5, classes: 2, config: { depth: 2, width: 5, head: 'dense' } },
  { name: 'plain stack (residual false)', T: 6, F: 5, classes: 2, config: { depth: 2, width: 5, head: 'dense', residual: false } },
  {
    name: 'input projection + softmax over 3 classes',
    T: 5,
    F: 3,
    classes: 3,
    config: { depth: 3, width: 6, head: 'dense', inputProjection: true },
  },
  { name: 'lstm head (LSTM(1, sigmoid) replaces the last block)', T: 5, F: 4, classes: 2, config: { depth: 3, width: 4, head: 'lstm' } },
  { name: 'depth 1, one time step', T: 1, F: 2, classes: 2, config: { depth: 1, width: 3, head: 'dense' } },
  { name: 'width 10, depth 8 (the benchmark shape)', T: 9, F: 10, classes: 2, config: { depth: 8, width: 10, head: 'dense' } },
  { name: 'width 17 (no multiple of 4)', T: 4, F: 6, classes: 2, config: { depth: 2, width: 17, head: 'dense' } },
];

/** ||a - b|| / ||b|| */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
}

/** n rows of (T, F) uniform noise in [-1, 1), labels alternating 0/1; class 1 carries `amplitude` sin(j). */
export function signalSplit(n: number, T: number, F: number, seed: number, amplitude = 0.5): Split {
  const rng = createRng(seed);
  const y = Float32Array.from({ length: n }, (_, i) => i % 2);
  const x = new Float32Array(n * T * F);
  for (let i = 0; i < n; i++) for (let j = 0; j < T * F; j++) x[i * T * F + j] = rng() * 2 - 1 + (y[i]! ? amplitude * Math.sin(j) : 0);
  return { n, timesteps: T, features: F, x, y };
}
