/**
 * Density estimators for the TPE sampler (src/search/tpe.ts): a smoothed frequency estimate over
 * categories and a Parzen mixture of truncated Gaussians plus a uniform prior over an interval.
 * Pure and dependency-free; all randomness comes from the `Rng` passed in.
 */
import type { Rng } from '../util/rng.js';

/** Weight of the prior component, relative to weight 1 per observation. */
const PRIOR_WEIGHT = 1;

/** Complementary error function (Numerical Recipes `erfcc`, fractional error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const ans = t * Math.exp(-z * z + poly);
  return x >= 0 ? ans : 2 - ans;
}

/** P(za <= Z <= zb) for a standard normal Z, computed on the tail side that keeps precision. */
export function normalMass(za: number, zb: number): number {
  if (zb <= za) return 0;
  let mass: number;
  if (za >= 0) mass = 0.5 * (erfc(za / Math.SQRT2) - erfc(zb / Math.SQRT2));
  else if (zb <= 0) mass = 0.5 * (erfc(-zb / Math.SQRT2) - erfc(-za / Math.SQRT2));
  else mass = 1 - 0.5 * erfc(zb / Math.SQRT2) - 0.5 * erfc(-za / Math.SQRT2);
  return Math.max(0, mass);
}

/** A standard normal draw (Box-Muller; consumes exactly two numbers from `rng`). */
function gaussian(rng: Rng): number {
  const u1 = 1 - rng(); // (0, 1]
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Smoothed frequencies over `size` categories: weight 1 (prior) + 1 per observation. */
export class CategoricalEstimator {
  private readonly weights: number[];
  private readonly total: number;

  constructor(size: number, observed: readonly number[]) {
    this.weights = Array.from({ length: size }, () => PRIOR_WEIGHT);
    for (const index of observed) this.weights[index] = (this.weights[index] ?? PRIOR_WEIGHT) + 1;
    this.total = this.weights.reduce((a, b) => a + b, 0);
  }

  logProb(index: number): number {
    return Math.log((this.weights[index] ?? 0) / this.total);
  }

  sample(rng: Rng): number {
    let u = rng() * this.total;
    for (let i = 0; i < this.weights.length; i++) {
      u -= this.weights[i]!;
      if (u < 0) return i;
    }
    return this.weights.length - 1;
  }
}

/**
 * Parzen estimator on [lo, hi]: one Gaussian per observation, truncated to the interval, plus a
 * uniform prior component; every component has weight 1. Bandwidths follow Bergstra et al. / Optuna:
 * each kernel's sigma is the larger distance to its sorted neighbours (interval ends count as
 * neighbours, except that the outermost kernels of 2+ points look inwards only), clipped to
 * [(hi - lo) / min(100, 1 + kernels), hi - lo] ("magic clip").
 */
export class NumericParzen {
  private readonly mus: number[];
  private readonly sigmas: number[];
  /** Mass of each Gaussian inside [lo, hi], to renormalize the truncation. */
  private readonly inside: number[];
  private readonly components: number;

  constructor(
    observed: readonly number[],
    private readonly lo: number,
    private readonly hi: number,
  ) {
    this.mus = [...observed];
    this.components = this.mus.length + 1;
    this.sigmas = bandwidths(this.mus, lo, hi);
    this.inside = this.mus.map((mu, i) => {
      const s = this.sigmas[i]!;
      return Math.max(normalMass((lo - mu) / s, (hi - mu) / s), 1e-300);
    });
  }

  private get width(): number {
    return this.hi - this.lo;
  }

  sample(rng: Rng): number {
    if (!(this.width > 0)) return this.lo;
    const j = Math.floor(rng() * this.components);
    if (j >= this.mus.length) return this.lo + rng() * this.width;
    const mu = this.mus[j]!;
    const sigma = this.sigmas[j]!;
    for (let attempt = 0; attempt < 100; attempt++) {
      const x = mu + sigma * gaussian(rng);
      if (x >= this.lo && x <= this.hi) return x;
    }
    return Math.min(this.hi, Math.max(this.lo, mu));
  }

  /** Log density at x (x inside [lo, hi]). */
  logPdf(x: number): number {
    if (!(this.width > 0)) return 0;
    let density = PRIOR_WEIGHT / this.width;
    for (let i = 0; i < this.mus.length; i++) {
      const s = this.sigmas[i]!;
      const z = (x - this.mus[i]!) / s;
      density += Math.exp(-0.5 * z * z) / (s * Math.sqrt(2 * Math.PI) * this.inside[i]!);
    }
    return Math.log(density / this.components);
  }

  /** Log probability of the sub-interval [a, b] (clipped to [lo, hi]). */
  logMass(a: number, b: number): number {
    if (!(this.width > 0)) return 0;
    const from = Math.max(this.lo, a);
    const to = Math.min(this.hi, b);
    let mass = (PRIOR_WEIGHT * Math.max(0, to - from)) / this.width;
    for (let i = 0; i < this.mus.length; i++) {
      const s = this.sigmas[i]!;
      const mu = this.mus[i]!;
      mass += normalMass((from - mu) / s, (to - mu) / s) / this.inside[i]!;
    }
    return Math.log(Math.max(mass, 1e-300) / this.components);
  }
}

/** Per-point kernel widths of the Parzen estimator on [lo, hi] (see NumericParzen). */
export function bandwidths(mus: readonly number[], lo: number, hi: number): number[] {
  const width = hi - lo;
  if (mus.length === 0) return [];
  if (!(width > 0)) return mus.map(() => 1);
  const order = mus.map((_, i) => i).sort((a, b) => mus[a]! - mus[b]! || a - b);
  const sorted = [lo, ...order.map((i) => mus[i]!), hi];
  const sortedSigmas = order.map((_, k) => Math.max(sorted[k + 1]! - sorted[k]!, sorted[k + 2]! - sorted[k + 1]!));
  if (order.length >= 2) {
    sortedSigmas[0] = sorted[2]! - sorted[1]!;
    sortedSigmas[order.length - 1] = sorted[order.length]! - sorted[order.length - 1]!;
  }
  const minSigma = width / Math.min(100, 1 + mus.length + 1);
  const sigmas = new Array<number>(mus.length);
  order.forEach((i, k) => {
    sigmas[i] = Math.min(width, Math.max(minSigma, sortedSigmas[k]!));
  });
  return sigmas;
}
