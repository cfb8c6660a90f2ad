/** Mean and spread over the finite values only (an AUC of a single-class split is NaN, not a number to average). */

export function finite(values: readonly number[]): number[] {
  return values.filter(Number.isFinite);
}

/** Mean of the finite values; NaN when there are none. */
export function mean(values: readonly number[]): number {
  const xs = finite(values);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Sample standard deviation (n - 1) of the finite values; 0 for fewer than two. */
export function sampleStd(values: readonly number[]): number {
  const xs = finite(values);
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, v) => s + (v - m) ** 2, 0) / (xs.length - 1));
}
