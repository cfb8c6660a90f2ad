/**
 * MiniRocket's fixed parameters (Dempster, Schmidt & Webb, KDD 2021): the 84 kernels of length 9,
 * the dilations, how the features are spread over them, and the low-discrepancy quantiles that
 * place the biases. Nothing here depends on the data except the series length.
 */

export const KERNEL_LENGTH = 9;
/** The paper's num_features = 10,000, rounded down to a multiple of the 84 kernels (9,996). */
export const TARGET_FEATURES = 10_000;
/** The paper caps the distinct dilations per kernel at 32. */
const MAX_DILATIONS = 32;

/**
 * The 84 kernels: every choice of 3 of the 9 positions (lexicographic order), those positions
 * weighted beta = 2 and the other six alpha = -1, so each kernel's weights sum to 0.
 */
export const KERNEL_INDICES: readonly (readonly [number, number, number])[] = (() => {
  const out: [number, number, number][] = [];
  for (let a = 0; a < KERNEL_LENGTH; a++) {
    for (let b = a + 1; b < KERNEL_LENGTH; b++) {
      for (let c = b + 1; c < KERNEL_LENGTH; c++) out.push([a, b, c]);
    }
  }
  return out;
})();
export const KERNEL_COUNT = KERNEL_INDICES.length; // 84

/**
 * Dilations 2^x for x evenly spaced from 0 to log2((T - 1) / 8), floored and deduplicated, and the
 * number of features (biases) each dilation gets per kernel: the count of the evenly spaced
 * exponents that fell on it, scaled so that the total per kernel is floor(10,000 / 84) = 119, the
 * remainder handed out one by one from the smallest dilation.
 */
export function dilationPlan(timesteps: number): { dilations: number[]; featuresPerDilation: number[] } {
  const perKernel = Math.floor(TARGET_FEATURES / KERNEL_COUNT);
  const slots = Math.min(perKernel, MAX_DILATIONS);
  const multiplier = perKernel / slots;
  // Series shorter than one undilated kernel still get dilation 1 (zero padding covers them).
  const maxExponent = Math.max(0, Math.log2((timesteps - 1) / (KERNEL_LENGTH - 1)));
  const counts = new Map<number, number>();
  for (let i = 0; i < slots; i++) {
    const exponent = slots === 1 ? 0 : (maxExponent * i) / (slots - 1);
    const d = Math.floor(2 ** exponent);
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  const dilations = [...counts.keys()].sort((a, b) => a - b);
  const featuresPerDilation = dilations.map((d) => Math.floor(counts.get(d)! * multiplier));
  let remainder = perKernel - featuresPerDilation.reduce((a, b) => a + b, 0);
  for (let i = 0; remainder > 0; i = (i + 1) % dilations.length, remainder--) featuresPerDilation[i]!++;
  return { dilations, featuresPerDilation };
}

/**
 * The quantile of feature i (1-based) is the fractional part of i * golden ratio: a
 * low-discrepancy sequence, so the biases of each kernel/dilation spread evenly over its outputs.
 */
export function featureQuantiles(count: number): Float64Array {
  const phi = (Math.sqrt(5) + 1) / 2;
  const q = new Float64Array(count);
  for (let i = 0; i < count; i++) q[i] = ((i + 1) * phi) % 1;
  return q;
}

/**
 * Padding alternates over the kernel/dilation combinations: combination (dilation index d,
 * kernel k) pools over the zero-padded output (all T positions) when (d + k) is even, and over
 * the valid part only (positions not touching the padding) when it is odd.
 */
export function paddingFlags(dilationCount: number): boolean[] {
  const flags: boolean[] = [];
  for (let d = 0; d < dilationCount; d++) for (let k = 0; k < KERNEL_COUNT; k++) flags.push((d + k) % 2 === 0);
  return flags;
}

/** Linear-interpolation quantile of sorted values (numpy's default). */
export function quantileSorted(sorted: Float32Array | Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}
