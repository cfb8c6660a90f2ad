/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011), in the style of Optuna's TPESampler with
 * `multivariate=True` and `constant_liar=True`. Pure: everything random goes through `opts.rng`,
 * so the same rng stream and inputs always give the same suggestion.
 *
 * - Finished observations (finite values) are split into good = best ceil(gamma * n) (at least 1)
 *   and bad = the rest. Pending or failed observations (value undefined) and non-finite values are
 *   added to bad: the constant liar, so concurrent workers get different suggestions.
 * - Multivariate (default, while fewer than MULTIVARIATE_MAX_PENDING trials are pending): one joint
 *   density over all dimensions per set (joint-parzen.ts); `candidates` joint draws from l(x) are
 *   ranked by log l(x) - log g(x), the best untaken one wins.
 * - Independent (otherwise, or when the joint candidates are all taken): list parameters are
 *   categorical (smoothed frequencies, prior weight 1 per category); ranges are continuous Parzen
 *   mixtures (log space for `log: true`, integers binned to [k-0.5, k+0.5]). Per parameter,
 *   `candidates` draws from l(x) are ranked by log l(x) - log g(x); joint candidates are visited
 *   best-first by the summed score, skipping taken assignments.
 * - The defaults (gamma 0.15, multivariate) were chosen with bench:search-peer; see the README.
 */
import { coordinates, JointParzen } from '../joint-parzen.js';
import { CategoricalEstimator, NumericParzen } from '../parzen.js';
import type { SampleContext, Sampler } from '../sampler.js';
import { fromInternal, internalInterval, type Assignment, type NumericDimension, type Observation, type SearchSpace } from '../space.js';
import { RandomSampler } from './random.js';

export interface TpeOptions extends SampleContext {
  /** Random suggestions before the model is used (default 4: budgets here are small, e.g. 12 trials). */
  startupTrials?: number;
  /** Candidates drawn from l(x) per parameter (default 24). */
  candidates?: number;
  /** Fraction of finished observations counted as "good" (default 0.15, at least 1). */
  gamma?: number;
  /**
   * One joint density over all dimensions (joint-parzen.ts) instead of one per dimension (default
   * true; the independent model still serves when MULTIVARIATE_MAX_PENDING trials are pending).
   */
  multivariate?: boolean;
}

export const TPE_DEFAULTS = { startupTrials: 4, candidates: 24, gamma: 0.15, multivariate: true } as const;

/**
 * With this many trials pending or more, the independent model is used even when multivariate:
 * with 16 pending the joint model plus the constant liar did worse than the independent one
 * (bench:search-peer, median regret on Hartmann-6 0.61 vs 0.43), with 4 pending better.
 */
const MULTIVARIATE_MAX_PENDING = 8;

/** Joint candidates tried best-first before falling back to random draws. */
const BEST_FIRST_TRIES = 50;

const random = new RandomSampler();

/** The next assignment to try, or undefined when the (discrete) space is exhausted. */
export function suggestTpe(space: SearchSpace, observations: readonly Observation[], opts: TpeOptions): Assignment | undefined {
  const dims = space;
  const pendingCount = observations.filter((o) => o.value === undefined).length;
  const startup = Math.max(0, opts.startupTrials ?? TPE_DEFAULTS.startupTrials);
  const finished = observations.filter((o) => o.value !== undefined && Number.isFinite(o.value));
  if (finished.length >= startup && dims.length > 0) {
    const joint =
      (opts.multivariate ?? TPE_DEFAULTS.multivariate) && pendingCount < MULTIVARIATE_MAX_PENDING
        ? bestJoint(dims, observations, opts)
        : undefined;
    if (joint !== undefined) return joint;
    const picked = bestFirst(dims, rankCandidates(dims, observations, opts), opts.isTaken);
    if (picked !== undefined) return picked;
  }
  // startup trials, and a model whose candidates are all taken: random search
  return random.suggest(dims, observations, opts);
}

/**
 * TPE as a sweep's sampler: nothing is queued up front, every trial is suggested from the results
 * so far (see suggester.ts), with the settings in `options` (TPE_DEFAULTS otherwise).
 */
export class TpeSampler implements Sampler {
  readonly name = 'tpe';

  constructor(private readonly options: Partial<Pick<TpeOptions, 'startupTrials' | 'candidates' | 'gamma' | 'multivariate'>> = {}) {}

  initial(): Assignment[] {
    return [];
  }

  suggest(space: SearchSpace, observations: readonly Observation[], ctx: SampleContext): Assignment | undefined {
    return suggestTpe(space, observations, { ...this.options, ...ctx });
  }
}

/** Multivariate TPE: joint candidates from l(x), best log l(x) - log g(x) first; the first untaken wins. */
function bestJoint(dims: SearchSpace, observations: readonly Observation[], opts: TpeOptions): Assignment | undefined {
  const { good, bad } = split(observations, opts);
  const points = (set: Observation[]) => set.map((o) => coordinates(dims, o.assignment)).filter((c) => c !== undefined);
  const l = new JointParzen(dims, points(good));
  const g = new JointParzen(dims, points(bad));
  const count = Math.max(1, Math.floor(opts.candidates ?? TPE_DEFAULTS.candidates));
  const scored: { a: Assignment; score: number }[] = [];
  for (let c = 0; c < count; c++) {
    const a = l.sample(opts.rng);
    const x = coordinates(dims, a)!;
    scored.push({ a, score: l.logDensity(x) - g.logDensity(x) });
  }
  scored.sort((p, q) => q.score - p.score); // stable: ties keep draw order
  return scored.find((s) => !opts.isTaken(s.a))?.a;
}

interface Ranked {
  value: unknown;
  score: number;
}

/** Per dimension: distinct candidates drawn from l(x), best log l(x) - log g(x) first. */
function rankCandidates(dims: SearchSpace, observations: readonly Observation[], opts: TpeOptions): Ranked[][] {
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
      const { lo, hi } = internalInterval(dim);
      const l = new NumericParzen(points(good), lo, hi);
      const g = new NumericParzen(points(bad), lo, hi);
      for (let c = 0; c < count; c++) {
        const value = fromInternal(dim, l.sample(opts.rng));
        let score: number;
        if (dim.kind === 'int') {
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

function numericPoints(dim: NumericDimension, set: Observation[]): number[] {
  const points: number[] = [];
  for (const o of set) {
    const v = o.assignment[dim.name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < dim.min || v > dim.max) continue;
    points.push(dim.log ? Math.log(v) : v);
  }
  return points;
}

/** good = best ceil(gamma * n) finished (at least 1); bad = the other finished plus pending/failed (constant liar). */
function split(observations: readonly Observation[], opts: TpeOptions): { good: Observation[]; bad: Observation[] } {
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
function bestFirst(dims: SearchSpace, ranked: Ranked[][], isTaken: (a: Assignment) => boolean): Assignment | undefined {
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
