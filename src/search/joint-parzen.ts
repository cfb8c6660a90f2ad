/**
 * The joint Parzen estimator of multivariate TPE (Falkner et al. 2018; Optuna's `multivariate=True`):
 * one kernel per observation over all dimensions at once (a product of per-dimension kernels
 * centred on that observation), plus a prior kernel (uniform on every dimension). Sampling picks
 * a kernel, then draws every dimension from it, so the dependence between dimensions in the good
 * observations is kept; the independent estimators of parzen.ts lose it.
 */
import type { Rng } from '../util/rng.js';
import { bandwidths, normalMass } from './parzen.js';
import { fromInternal, internalInterval, type Assignment, type NumericDimension, type SearchSpace } from './space.js';

/** Scott-like bandwidth of Optuna's multivariate estimator: 0.2 n^(-1/(d+4)) of the range. */
const SIGMA0 = 0.2;
/**
 * Kernel widths never go below the Scott-like width divided by this. Measured with
 * bench:search-peer (20 seeds, 100 trials): Scott alone (Optuna's rule) converged poorly on Branin
 * (median regret 0.032 vs 0.012) and neighbour distances alone got stuck on the mixed function
 * (0.47 vs 0.35); a floor of a third did well on all four functions (2 and 4 did worse on one).
 */
const SCOTT_FLOOR = 3;

/** A dimension as the estimator sees it: a category index or an internal (log) coordinate. */
type Coordinate = number;

interface NumericAxis {
  kind: 'numeric';
  dim: NumericDimension;
  lo: number;
  hi: number;
  /** Per kernel (observation). */
  sigmas: number[];
}
interface CategoricalAxis {
  kind: 'categorical';
  size: number;
  /** Smoothing mass per category of an observation's kernel (prior weight over the kernels). */
  smooth: number;
}
type Axis = NumericAxis | CategoricalAxis;

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

function gaussian(rng: Rng): number {
  const u1 = 1 - rng();
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** The observations' coordinates on every dimension, or undefined for one that lacks a legal value. */
export function coordinates(space: SearchSpace, a: Assignment): Coordinate[] | undefined {
  const out: Coordinate[] = [];
  for (const dim of space) {
    const v = a[dim.name];
    if (dim.kind === 'categorical') {
      const index = dim.values.indexOf(v);
      if (index < 0) return undefined;
      out.push(index);
    } else {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < dim.min || v > dim.max) return undefined;
      out.push(dim.log ? Math.log(v) : v);
    }
  }
  return out;
}

export class JointParzen {
  private readonly axes: Axis[];
  /** Per numeric axis and kernel: the Gaussian's mass inside the interval (truncation). */
  private readonly inside: number[][];

  constructor(
    private readonly space: SearchSpace,
    private readonly points: readonly Coordinate[][],
  ) {
    const n = Math.max(1, points.length);
    const kernels = points.length + 1;
    this.axes = space.map((dim, d): Axis => {
      if (dim.kind === 'categorical') return { kind: 'categorical', size: dim.values.length, smooth: 1 / kernels };
      const { lo, hi } = internalInterval(dim);
      const width = hi - lo;
      const scott = SIGMA0 * width * n ** (-1 / (space.length + 4));
      const clip = (sigma: number) => (width > 0 ? Math.min(width, Math.max(width / Math.min(100, 1 + kernels), sigma)) : 1);
      // each kernel's width on this dimension: the distance to its neighbours (as parzen.ts), so
      // kernels tighten where good points cluster, but at least a third of the Scott-like width
      const sigmas = bandwidths(
        points.map((p) => p[d]!),
        lo,
        hi,
      ).map((s) => clip(Math.max(s, scott / SCOTT_FLOOR)));
      return { kind: 'numeric', dim, lo, hi, sigmas };
    });
    this.inside = this.axes.map((axis, d) =>
      axis.kind === 'numeric'
        ? points.map((p, j) => Math.max(normalMass((axis.lo - p[d]!) / axis.sigmas[j]!, (axis.hi - p[d]!) / axis.sigmas[j]!), 1e-300))
        : [],
    );
  }

  /** A draw: a kernel uniformly (the prior counts as one), then each dimension from that kernel. */
  sample(rng: Rng): Assignment {
    const j = Math.floor(rng() * (this.points.length + 1));
    const point = this.points[j];
    const a: Assignment = {};
    this.space.forEach((dim, d) => {
      const axis = this.axes[d]!;
      if (dim.kind === 'categorical' && axis.kind === 'categorical') {
        // the kernel's weights: 1 on the observed category (none for the prior) plus `smooth` on each
        const total = (point === undefined ? 0 : 1) + axis.smooth * axis.size;
        let u = rng() * total;
        let index = axis.size - 1;
        for (let c = 0; c < axis.size; c++) {
          u -= axis.smooth + (point !== undefined && point[d] === c ? 1 : 0);
          if (u < 0) {
            index = c;
            break;
          }
        }
        a[dim.name] = dim.values[index];
      } else if (axis.kind === 'numeric') {
        let x: number;
        if (point === undefined || !(axis.hi > axis.lo)) x = axis.lo + rng() * (axis.hi - axis.lo);
        else {
          x = Math.min(axis.hi, Math.max(axis.lo, point[d]!));
          for (let attempt = 0; attempt < 100; attempt++) {
            const y = point[d]! + axis.sigmas[j]! * gaussian(rng);
            if (y >= axis.lo && y <= axis.hi) {
              x = y;
              break;
            }
          }
        }
        a[dim.name] = fromInternal(axis.dim, x);
      }
    });
    return a;
  }

  /** Log density (log mass on integer and categorical dimensions) of the joint mixture at `x`. */
  logDensity(x: readonly Coordinate[]): number {
    const logs: number[] = [];
    for (let j = 0; j <= this.points.length; j++) {
      let sum = 0;
      for (let d = 0; d < this.axes.length; d++) sum += this.logKernel(d, j, x[d]!);
      logs.push(sum);
    }
    const max = Math.max(...logs);
    if (!Number.isFinite(max)) return max;
    return max + Math.log(logs.reduce((s, l) => s + Math.exp(l - max), 0)) - Math.log(logs.length);
  }

  /** Log of kernel j on dimension d at coordinate v (j = points.length is the prior). */
  private logKernel(d: number, j: number, v: Coordinate): number {
    const axis = this.axes[d]!;
    const point = this.points[j];
    if (axis.kind === 'categorical') {
      const total = (point === undefined ? 0 : 1) + axis.smooth * axis.size;
      return Math.log((axis.smooth + (point !== undefined && point[d] === v ? 1 : 0)) / total);
    }
    const width = axis.hi - axis.lo;
    if (!(width > 0)) return 0;
    const isInt = axis.dim.kind === 'int';
    // integers: the mass of [k - 0.5, k + 0.5] (mapped to log space for log ranges); floats: the density
    const [a, b] = isInt ? this.bin(axis, v) : [v, v];
    if (point === undefined) return isInt ? Math.log(Math.max(b - a, 1e-300) / width) : -Math.log(width);
    const mu = point[d]!;
    const s = axis.sigmas[j]!;
    const inside = this.inside[d]![j]!;
    if (isInt) return Math.log(Math.max(normalMass((a - mu) / s, (b - mu) / s), 1e-300) / inside);
    const z = (v - mu) / s;
    return -0.5 * z * z - Math.log(s) - LOG_SQRT_2PI - Math.log(inside);
  }

  private bin(axis: NumericAxis, v: Coordinate): [number, number] {
    const k = axis.dim.log ? Math.round(Math.exp(v)) : Math.round(v);
    const [a, b] = axis.dim.log ? [Math.log(k - 0.5), Math.log(k + 0.5)] : [k - 0.5, k + 0.5];
    return [Math.max(axis.lo, a), Math.min(axis.hi, b)];
  }
}
