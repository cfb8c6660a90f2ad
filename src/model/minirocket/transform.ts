/**
 * The MiniRocket transform: for every dilation and kernel, the convolution of a series with the
 * kernel (zero padded, "same" length), and per bias the proportion of positive values (PPV) of
 * output - bias. With weights -1 and 2 a kernel's output is -sum(all 9 taps) + 3 * (its 3 taps),
 * so per dilation the 9 shifted copies of the series (times 3, "gamma") and the negated sum of
 * them ("alpha") are computed once and each kernel costs 3 additions per position.
 */
import type { Rng } from '../../util/rng.js';
import type { Split } from '../../data/types.js';
import { KERNEL_COUNT, KERNEL_INDICES, KERNEL_LENGTH, featureQuantiles, quantileSorted } from './kernels.js';
import { writePpv } from './ppv.js';

/** Everything the transform needs, decoded (see model-file.ts for the stored form). */
export interface TransformParams {
  timesteps: number;
  /** channels of the input */
  features: number;
  dilations: number[];
  featuresPerDilation: number[];
  /** per combination (dilation index * 84 + kernel): pool over all positions (true) or the valid part */
  padding: boolean[];
  /** per combination: how many channels it sums */
  channelCounts: number[];
  /** the channels of each combination, concatenated in combination order */
  channelIndices: number[];
  /** one per feature, in feature order (dilation, kernel, bias) */
  biases: Float32Array;
}

export const featureCount = (featuresPerDilation: readonly number[]): number =>
  KERNEL_COUNT * featuresPerDilation.reduce((a, b) => a + b, 0);

/** Work buffers for one series, reused across series (no allocation per element). */
export class Scratch {
  readonly series: Float32Array;
  readonly alpha: Float32Array;
  readonly gamma: Float32Array;
  readonly out: Float32Array;
  constructor(
    readonly timesteps: number,
    readonly features: number,
  ) {
    this.series = new Float32Array(features * timesteps);
    this.alpha = new Float32Array(features * timesteps);
    this.gamma = new Float32Array(KERNEL_LENGTH * features * timesteps);
    this.out = new Float32Array(timesteps);
  }

  /** Copies sample i of `x` ((n, T, F) row-major) as F contiguous channels. */
  load(x: Float32Array, i: number): void {
    const { timesteps: T, features: F, series } = this;
    const base = i * T * F;
    for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) series[f * T + t] = x[base + t * F + f]!;
  }

  /** alpha[f][t] = -sum_j x_f[t + (j - 4) d], gamma[j][f][t] = 3 x_f[t + (j - 4) d], zero outside the series. */
  prepare(dilation: number): void {
    const { timesteps: T, features: F, series, alpha, gamma } = this;
    const half = (KERNEL_LENGTH - 1) / 2;
    alpha.fill(0);
    for (let j = 0; j < KERNEL_LENGTH; j++) {
      const shift = (j - half) * dilation;
      for (let f = 0; f < F; f++) {
        const g = (j * F + f) * T;
        const s = f * T;
        const lo = Math.max(0, -shift);
        const hi = Math.min(T, T - shift);
        for (let t = 0; t < lo; t++) gamma[g + t] = 0;
        for (let t = Math.max(hi, 0); t < T; t++) gamma[g + t] = 0;
        for (let t = lo; t < hi; t++) {
          const v = series[s + t + shift]!;
          gamma[g + t] = 3 * v;
          alpha[s + t]! -= v;
        }
      }
    }
  }

  /** out[t] = kernel k's output, summed over the given channels (after prepare). */
  convolve(k: number, channels: readonly number[], from: number, count: number): Float32Array {
    const { timesteps: T, features: F, alpha, gamma, out } = this;
    const [i0, i1, i2] = KERNEL_INDICES[k]!;
    for (let c = from; c < from + count; c++) {
      const f = channels[c]!;
      const a = f * T;
      const g0 = (i0 * F + f) * T;
      const g1 = (i1 * F + f) * T;
      const g2 = (i2 * F + f) * T;
      if (c === from) for (let t = 0; t < T; t++) out[t] = alpha[a + t]! + gamma[g0 + t]! + gamma[g1 + t]! + gamma[g2 + t]!;
      else for (let t = 0; t < T; t++) out[t]! += alpha[a + t]! + gamma[g0 + t]! + gamma[g1 + t]! + gamma[g2 + t]!;
    }
    return out;
  }
}

/**
 * Random parts of the fit: per combination a set of channels (multivariate: 2^U(0, log2(min(F, 9) + 1))
 * channels, floored, drawn without replacement; univariate: channel 0), then biases at the
 * low-discrepancy quantiles of the combination's output on one randomly drawn training series.
 */
export function fitTransform(
  train: Split,
  plan: { dilations: number[]; featuresPerDilation: number[]; padding: boolean[] },
  rng: Rng,
): TransformParams {
  const { timesteps: T, features: F, n } = train;
  const combos = plan.dilations.length * KERNEL_COUNT;
  const channelCounts: number[] = [];
  const channelIndices: number[] = [];
  const maxChannels = Math.min(F, KERNEL_LENGTH);
  const pool = Array.from({ length: F }, (_, f) => f);
  for (let c = 0; c < combos; c++) {
    if (F === 1) {
      channelCounts.push(1);
      channelIndices.push(0);
      continue;
    }
    const count = Math.min(maxChannels, Math.max(1, Math.floor(2 ** (rng() * Math.log2(maxChannels + 1)))));
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(rng() * (F - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    channelCounts.push(count);
    channelIndices.push(...pool.slice(0, count).sort((a, b) => a - b));
  }
  const total = featureCount(plan.featuresPerDilation);
  const quantiles = featureQuantiles(total);
  const biases = new Float32Array(total);
  const scratch = new Scratch(T, F);
  const sorted = new Float32Array(T);
  let feature = 0;
  let channelFrom = 0;
  for (let d = 0; d < plan.dilations.length; d++) {
    const perCombo = plan.featuresPerDilation[d]!;
    for (let k = 0; k < KERNEL_COUNT; k++) {
      const c = d * KERNEL_COUNT + k;
      scratch.load(train.x, Math.floor(rng() * n));
      scratch.prepare(plan.dilations[d]!);
      sorted.set(scratch.convolve(k, channelIndices, channelFrom, channelCounts[c]!));
      sorted.sort();
      for (let b = 0; b < perCombo; b++, feature++) biases[feature] = quantileSorted(sorted, quantiles[feature]!);
      channelFrom += channelCounts[c]!;
    }
  }
  return { timesteps: T, features: F, ...plan, channelCounts, channelIndices, biases };
}

/**
 * Writes the PPV features of series [start, end) of `split` into `out` (row-major, one row of
 * featureCount values per series, row 0 = series `start`).
 */
export function transformRange(
  params: TransformParams,
  split: Split,
  start: number,
  end: number,
  out: Float32Array,
  scratch?: Scratch,
): void {
  const T = params.timesteps;
  const total = params.biases.length;
  const s = scratch ?? new Scratch(T, params.features);
  const { biases, channelCounts, channelIndices, padding } = params;
  for (let i = start; i < end; i++) {
    s.load(split.x, i);
    let feature = 0;
    let channelFrom = 0;
    const row = (i - start) * total;
    for (let d = 0; d < params.dilations.length; d++) {
      const dilation = params.dilations[d]!;
      s.prepare(dilation);
      const perCombo = params.featuresPerDilation[d]!;
      // Valid part: positions whose 9 taps all fall inside the series (whole series if there are none).
      const pad = ((KERNEL_LENGTH - 1) / 2) * dilation;
      const validFrom = T - 2 * pad > 0 ? pad : 0;
      const validTo = T - 2 * pad > 0 ? T - pad : T;
      for (let k = 0; k < KERNEL_COUNT; k++) {
        const c = d * KERNEL_COUNT + k;
        const conv = s.convolve(k, channelIndices, channelFrom, channelCounts[c]!);
        channelFrom += channelCounts[c]!;
        const from = padding[c] ? 0 : validFrom;
        const to = padding[c] ? T : validTo;
        writePpv(conv, from, to, biases, feature, perCombo, out, row + feature);
        feature += perCombo;
      }
    }
  }
}
