/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011), in the style of Optuna's TPESampler with
 * independent per-parameter densities and `constant_liar=True`. Pure: everything random goes through
 * `opts.rng`, so the same rng stream and inputs always give the same suggestion.
 *
 * - Finished observations (finite values) are split into good = best ceil(gamma * n) (at least 1)
 *   and bad = the rest. Pending or failed observations (value undefined) and non-finite values are
 *   added to bad: the constant liar, so concurrent workers get different suggestions.
 * - List parameters are categorical (smoothed frequencies, prior weight 1 per category); ranges
 *   are continuous Parzen mixtures (log space for `log: true`, integers binned to [k-0.5, k+0.5]).
 * - Per parameter, `candidates` draws from l(x) are ranked by log l(x) - log g(x); joint candidates
 *   are visited best-first by the summed score, skipping taken assignments.
 */
import { INTEGER_PARAMETERS, SWEEPABLE, type ParameterValues, type SweepableName } from '../definition/sweep-spec.js';
import { shuffleInPlace, type Rng } from '../util/rng.js';
import { CategoricalEstimator, NumericParzen } from './parzen.js';

export type SearchSpace = Partial<Record<SweepableName, ParameterValues>>;
/** Values for the swept parameters only. */
export type Assignment = Partial<Record<SweepableName, unknown>>;

export interface Observation {
  assignment: Assignment;
  /** Objective value; undefined = still running (pending) or failed. */
  value: number | undefined;
}

export interface TpeOptions {
  goal: 'maximize' | 'minimize';
  rng: Rng;
  /** Random suggestions before the model is used (default 4: budgets here are small, e.g. 12 trials). */
  startupTrials?: number;
  /** Candidates drawn from l(x) per parameter (default 24). */
  candidates?: number;
  /** Fraction of finished observations counted as "good" (default 0.25, at least 1). */
  gamma?: number;
  /** Returns true when an assignment was already suggested in this sweep: such assignments are never returned. */
  isTaken: (a: Assignment) => boolean;
}

export const TPE_DEFAULTS = { startupTrials: 4, candidates: 24, gamma: 0.25 } as const;

/** Joint candidates tried best-first before falling back to random draws. */
const BEST_FIRST_TRIES = 50;
/** Random draws tried before enumerating (discrete spaces) or giving up (continuous ones). */
const RANDOM_TRIES = 50;
/** Extra random draws for spaces with a continuous parameter, which cannot be enumerated. */
const CONTINUOUS_RANDOM_TRIES = 1000;

type Dimension =
  | { kind: 'categorical'; name: SweepableName; values: readonly unknown[] }
  | {
      kind: 'numeric';
      name: SweepableName;
      min: number;
      max: number;
      log: boolean;
      integer: boolean;
      /** The sampling interval in internal (possibly log) space; integers get half a step either side. */
      lo: number;
      hi: number;
    };

function dimensionsOf(space: SearchSpace): Dimension[] {
  const dims: Dimension[] = [];
  for (const name of SWEEPABLE) {
    const values = space[name];
    if (values === undefined) continue;
    if (Array.isArray(values)) {
      if (values.length === 0) throw new Error(`parameter ${name} lists no values`);
      dims.push({ kind: 'categorical', name, values });
      continue;
    }
    const { min, max } = values as { min: number; max: number; log?: boolean };
    const log = (values as { log?: boolean }).log === true;
    const integer = INTEGER_PARAMETERS.has(name);
    const a = integer ? min - 0.5 : min;
    const b = integer ? max + 0.5 : max;
    dims.push({ kind: 'numeric', name, min, max, log, integer, lo: log ? Math.log(a) : a, hi: log ? Math.log(b) : b });
  }
  return dims;
}

function fromInternal(dim: Extract<Dimension, { kind: 'numeric' }>, x: number): number {
  const raw = dim.log ? Math.exp(x) : x;
  const value = dim.integer ? Math.round(raw) : Number(raw.toPrecision(6));
  return Math.min(dim.max, Math.max(dim.min, value));
}

function drawRandom(dim: Dimension, rng: Rng): unknown {
  if (dim.kind === 'categorical') return dim.values[Math.floor(rng() * dim.values.length)];
  return fromInternal(dim, dim.lo + rng() * (dim.hi - dim.lo));
}

/** A uniformly random assignment (what random search does); also used for TPE's startup trials. */
export function sampleRandom(space: SearchSpace, rng: Rng): Assignment {
  const assignment: Assignment = {};
  for (const dim of dimensionsOf(space)) assignment[dim.name] = drawRandom(dim, rng);
  return assignment;
}

/** The next assignment to try, or undefined when the (discrete) space is exhausted. */
export function suggestTpe(space: SearchSpace, observations: Observation[], opts: TpeOptions): Assignment | undefined {
  const dims = dimensionsOf(space);
  const startup = Math.max(0, opts.startupTrials ?? TPE_DEFAULTS.startupTrials);
  const finished = observations.filter((o) => o.value !== undefined && Number.isFinite(o.value));
  if (finished.length >= startup && dims.length > 0) {
    const picked = bestFirst(dims, rankCandidates(dims, observations, opts), opts.isTaken);
    if (picked !== undefined) return picked;
  }
  return fallback(dims, opts.rng, opts.isTaken);
}

interface Ranked {
  value: unknown;
  score: number;
}

/** Per dimension: distinct candidates drawn from l(x), best log l(x) - log g(x) first. */
function rankCandidates(dims: Dimension[], observations: Observation[], opts: TpeOptions): Ranked[][] {
  const { good, bad } = split(observations, opts);
  const count = Math.max(1, Math.floor(opts.candidates ?? TPE_DEFAULTS.candidates));
  return dims.map((dim) => {
    const drawn: Ranked[] = [];
    if (dim.kind === 'categorical') {
      const indices = (set: Observation[]) => set.map((o) => dim.values.indexOf(o.assignment[dim.name])).filter((i) => i >= 0);
      const l = new CategoricalEstimator(dim.values.length, indices(good));
      const g = new CategoricalEstimator(dim.values.length, indices(bad));
      for (let c = 0; c < count; c++) {
        const index = l.sample(opts.rng);
        drawn.push({ value: dim.values[index], score: l.logProb(index) - g.logProb(index) });
      }
    } else {
      const points = (set: Observation[]) => numericPoints(dim, set);
      const l = new NumericParzen(points(good), dim.lo, dim.hi);
      const g = new NumericParzen(points(bad), dim.lo, dim.hi);
      for (let c = 0; c < count; c++) {
        const value = fromInternal(dim, l.sample(opts.rng));
        let score: number;
        if (dim.integer) {
          const [a, b] = dim.log ? [Math.log(value - 0.5), Math.log(value + 0.5)] : [value - 0.5, value + 0.5];
          score = l.logMass(a, b) - g.logMass(a, b);
        } else {
          const x = dim.log ? Math.log(value) : value;
          score = l.logPdf(x) - g.logPdf(x);
        }
        drawn.push({ value, score });
      }
    }
    const seen = new Set<unknown>();
    const distinct = drawn.filter((d) => !seen.has(d.value) && seen.add(d.value));
    return distinct.sort((a, b) => b.score - a.score); // stable: ties keep draw order
  });
}

function numericPoints(dim: Extract<Dimension, { kind: 'numeric' }>, set: Observation[]): number[] {
  const points: number[] = [];
  for (const o of set) {
    const v = o.assignment[dim.name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < dim.min || v > dim.max) continue;
    points.push(dim.log ? Math.log(v) : v);
  }
  return points;
}

/** good = best ceil(gamma * n) finished (at least 1); bad = the other finished plus pending/failed (constant liar). */
function split(observations: Observation[], opts: TpeOptions): { good: Observation[]; bad: Observation[] } {
  const finished: Observation[] = [];
  const bad: Observation[] = [];
  for (const o of observations) (o.value !== undefined && Number.isFinite(o.value) ? finished : bad).push(o);
  const sign = opts.goal === 'maximize' ? -1 : 1;
  finished.sort((a, b) => sign * (a.value! - b.value!)); // stable: ties keep observation order
  const gamma = Math.min(1, Math.max(0, opts.gamma ?? TPE_DEFAULTS.gamma));
  const nGood = Math.min(finished.length, Math.max(1, Math.ceil(gamma * finished.length)));
  return { good: finished.slice(0, nGood), bad: [...finished.slice(nGood), ...bad] };
}

/** Visits joint candidates in decreasing summed score; the first untaken one wins. */
function bestFirst(dims: Dimension[], ranked: Ranked[][], isTaken: (a: Assignment) => boolean): Assignment | undefined {
  const scoreOf = (idx: number[]) => idx.reduce((s, r, d) => s + ranked[d]![r]!.score, 0);
  const start = dims.map(() => 0);
  const frontier: { idx: number[]; score: number }[] = [{ idx: start, score: scoreOf(start) }];
  const seen = new Set<string>([start.join(',')]);
  for (let tries = 0; tries < BEST_FIRST_TRIES && frontier.length > 0; tries++) {
    let best = 0;
    for (let i = 1; i < frontier.length; i++) if (frontier[i]!.score > frontier[best]!.score) best = i;
    const { idx } = frontier.splice(best, 1)[0]!;
    const assignment: Assignment = {};
    dims.forEach((dim, d) => (assignment[dim.name] = ranked[d]![idx[d]!]!.value));
    if (!isTaken(assignment)) return assignment;
    for (let d = 0; d < dims.length; d++) {
      if (idx[d]! + 1 >= ranked[d]!.length) continue;
      const next = idx.slice();
      next[d]! += 1;
      const key = next.join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      frontier.push({ idx: next, score: scoreOf(next) });
    }
  }
  return undefined;
}

/** Random draws, then (discrete spaces) every combination in a shuffled order. */
function fallback(dims: Dimension[], rng: Rng, isTaken: (a: Assignment) => boolean): Assignment | undefined {
  const random = () => {
    const a: Assignment = {};
    for (const dim of dims) a[dim.name] = drawRandom(dim, rng);
    return a;
  };
  for (let tries = 0; tries < RANDOM_TRIES; tries++) {
    const a = random();
    if (!isTaken(a)) return a;
  }
  const domains = dims.map(discreteDomain);
  if (!domains.every((d): d is Domain => d !== undefined)) {
    // A continuous parameter: collisions are practically impossible, unless isTaken is pathological.
    for (let tries = 0; tries < CONTINUOUS_RANDOM_TRIES; tries++) {
      const a = random();
      if (!isTaken(a)) return a;
    }
    return undefined;
  }
  return enumerate(dims, domains, rng, isTaken);
}

/** A finite, indexable set of values. */
interface Domain {
  size: number;
  at: (i: number) => unknown;
}

/** The values a parameter can take, or undefined for a continuous float range. */
function discreteDomain(dim: Dimension): Domain | undefined {
  if (dim.kind === 'categorical') return { size: dim.values.length, at: (i) => dim.values[i] };
  if (dim.integer) return { size: dim.max - dim.min + 1, at: (i) => dim.min + i };
  return dim.min === dim.max ? { size: 1, at: () => dim.min } : undefined;
}

/**
 * Every combination, lazily, as an odometer over per-dimension shuffled value orders starting at a
 * random combination: memory stays small even for huge spaces, and the order is randomized.
 */
function enumerate(
  dims: Dimension[],
  domains: Domain[],
  rng: Rng,
  isTaken: (a: Assignment) => boolean,
): Assignment | undefined {
  const orders = domains.map((domain) => {
    if (domain.size > 1 << 16) return undefined; // too long to shuffle: identity order with a random start
    const order = Array.from({ length: domain.size }, (_, i) => i);
    shuffleInPlace(order, rng);
    return order;
  });
  const starts = domains.map((domain) => Math.floor(rng() * domain.size));
  const digits = domains.map(() => 0);
  for (;;) {
    const a: Assignment = {};
    dims.forEach((dim, d) => {
      const domain = domains[d]!;
      const pos = (starts[d]! + digits[d]!) % domain.size;
      a[dim.name] = domain.at(orders[d]?.[pos] ?? pos);
    });
    if (!isTaken(a)) return a;
    let d = 0;
    while (d < digits.length) {
      digits[d]! += 1;
      if (digits[d]! < domains[d]!.size) break;
      digits[d] = 0;
      d++;
    }
    if (d === digits.length) return undefined;
  }
}
