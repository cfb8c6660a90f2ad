import jstat from 'jstat';
import { finite, mean, sampleStd } from '../util/stats.js';

/** Confidence of every interval lstm-sweep reports about a mean difference. */
export const CONFIDENCE = 0.95;

/** A mean over n values with its Student t interval (low/high null for a single value). */
export interface MeanInterval {
  n: number;
  mean: number;
  /** sample standard deviation (n - 1); null for one value */
  sd: number | null;
  /** t · sd / √n: the interval is mean ± halfWidth; null for one value */
  halfWidth: number | null;
  low: number | null;
  high: number | null;
  /** degrees of freedom of the t quantile, n - 1 */
  df: number;
  confidence: number;
}

/**
 * The two-sided quantile of Student's t with `df` degrees of freedom, from jstat (its inverse
 * incomplete beta agrees with R's qt to 1e-9; a hand-made table would stop at some df).
 */
export function tQuantile(df: number, confidence = CONFIDENCE): number {
  return jstat.jStat.studentt.inv(1 - (1 - confidence) / 2, df);
}

/**
 * The mean of the finite values and its interval, mean ± t(n-1) · sd / √n: the textbook interval
 * of a mean difference over pairs (a paired t interval). Undefined when no value is finite.
 */
export function meanInterval(values: readonly number[], confidence = CONFIDENCE): MeanInterval | undefined {
  const xs = finite(values);
  const n = xs.length;
  if (n === 0) return undefined;
  const m = mean(xs);
  if (n === 1) return { n, mean: m, sd: null, halfWidth: null, low: null, high: null, df: 0, confidence };
  const sd = sampleStd(xs);
  const halfWidth = (tQuantile(n - 1, confidence) * sd) / Math.sqrt(n);
  return { n, mean: m, sd, halfWidth, low: m - halfWidth, high: m + halfWidth, df: n - 1, confidence };
}
