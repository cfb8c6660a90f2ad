/**
 * Train-time augmentation (`augment`) of one training batch, before it reaches the engine, so
 * both engines train on the very same values. Seeded by the trial seed (its own stream): a
 * trial stays deterministic. Validation, test and predict never see it. Magnitudes follow Um
 * et al. 2017 and Iwana & Uchida 2021 for z-normalised series:
 *
 * - `jitter`: x + N(0, 0.03^2), independently per value;
 * - `scaling`: x * s, one s ~ N(1, 0.1^2) per series;
 * - `slice`: window slicing (Le Guennec et al. 2016): a random window of round(0.9 T) steps
 *   stretched back to T steps by linear interpolation (series shorter than 3 steps: unchanged).
 */
import type { Split } from '../data/types.js';
import type { Rng } from '../util/rng.js';
import type { Augmentation } from './trial-config.js';

export const JITTER_SIGMA = 0.03;
export const SCALING_SIGMA = 0.1;
export const SLICE_FRACTION = 0.9;

/** Standard normal draw (Box-Muller). */
function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function augmentSeries(kind: Augmentation, src: Float32Array, dst: Float32Array, T: number, F: number, rng: Rng): void {
  if (kind === 'jitter') {
    for (let j = 0; j < src.length; j++) dst[j] = src[j]! + JITTER_SIGMA * gaussian(rng);
  } else if (kind === 'scaling') {
    const s = 1 + SCALING_SIGMA * gaussian(rng);
    for (let j = 0; j < src.length; j++) dst[j] = src[j]! * s;
  } else if (kind === 'slice' && T >= 3) {
    const W = Math.max(2, Math.round(SLICE_FRACTION * T));
    const start = Math.floor(rng() * (T - W + 1));
    for (let t = 0; t < T; t++) {
      const pos = start + (t * (W - 1)) / (T - 1);
      const i0 = Math.floor(pos);
      const i1 = Math.min(i0 + 1, start + W - 1);
      const frac = pos - i0;
      for (let f = 0; f < F; f++) dst[t * F + f] = src[i0 * F + f]! * (1 - frac) + src[i1 * F + f]! * frac;
    }
  } else {
    dst.set(src);
  }
}

/** Rows `indices[start..end)` of `split` as a fresh, augmented batch (the split is not touched). */
export function augmentBatch(kind: Augmentation, split: Split, indices: Int32Array, start: number, end: number, rng: Rng): Split {
  const { timesteps: T, features: F } = split;
  const row = T * F;
  const n = end - start;
  const x = new Float32Array(n * row);
  const y = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[start + k]!;
    y[k] = split.y[i]!;
    augmentSeries(kind, split.x.subarray(i * row, (i + 1) * row), x.subarray(k * row, (k + 1) * row), T, F, rng);
  }
  return { n, timesteps: T, features: F, x, y };
}
