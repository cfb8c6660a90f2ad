/**
 * Which hyperparameters matter: like W&B's parameter importance, a random forest (ml-random-forest,
 * mljs) learns the sweep's metric from the finished trials' varying parameters; each parameter's
 * importance is how much worse the forest predicts held-out trials once that parameter's values
 * are shuffled among them (permutation importance, Breiman 2001), normalised to sum to 1.
 *
 * Why permutation and not the library's `featureImportance()`: for regression, ml-cart stores as a
 * node's "gain" the squared error left after its split, not the decrease, so that sum is no
 * impurity decrease. Permutation importance needs only the forest's predictions, is measured on
 * trials the forest did not see (3-fold cross-fitting), and does not favour parameters with many
 * distinct values over booleans the way impurity importance does.
 *
 * Everything is seeded (fold split, the forests, the shuffles): the same trials give the same answer.
 */
import { Matrix, correlation } from 'ml-matrix';
import { RandomForestRegression } from 'ml-random-forest';
import type { Metric, SweepSpec } from '../definition/sweep-spec.js';
import { parameterInfo, parameterValue } from '../definition/vocabulary.js';
import type { LeaderboardRow } from '../store/records.js';
import { createRng, shuffleInPlace, type Rng } from '../util/rng.js';
import { mean } from '../util/stats.js';

export const IMPORTANCE = {
  /** Fewer finished trials than this give no importances (see tooFew). */
  minTrials: 10,
  /** ... nor fewer than this many per varying parameter. */
  perParameter: 2,
  /**
   * At most this many trials are fitted, evenly spaced over the ranking: ml-cart tries every
   * split point, so a forest costs O(n^2) per tree level (about 0.5 s for 200 trials).
   */
  maxTrials: 200,
  folds: 3,
  trees: 32,
  /** shuffles per parameter and fold; their mean damps the luck of one shuffle */
  repeats: 3,
  seed: 1301,
  /** Below this held-out R^2 the forest barely predicts the metric: the note says so. */
  weakFit: 0.1,
} as const;

export const IMPORTANCE_METHOD = 'random-forest permutation importance (ml-random-forest, 3-fold held-out)';

/** A varying parameter and how it is encoded: numbers as numbers (log10 on a log scale), booleans 0/1, names as codes. */
export interface ImportanceParameter {
  name: string;
  log: boolean;
}

export interface ParameterImportance {
  name: string;
  /** share of the forest's held-out error increase; the parameters' importances sum to 1 */
  importance: number;
  /** Pearson correlation of the (encoded) value with the metric; null for named choices and constants */
  correlation: number | null;
}

export interface ImportanceReport {
  method: string;
  metric: Metric;
  /** finished trials with a finite metric */
  trials: number;
  /** trials the forest was fitted on (an even sample of the ranking above maxTrials) */
  used: number;
  /** the forest's held-out R^2: how much of the metric's spread the parameters explain; null when not fitted */
  r2: number | null;
  /** most important first; empty when there are too few trials */
  parameters: ParameterImportance[];
  note?: string;
}

/** The varying parameters with their scale: log where the spec's range is log, or the vocabulary's axis is. */
export function importanceParameters(spec: Pick<SweepSpec, 'parameters'>, names: readonly string[]): ImportanceParameter[] {
  return names.map((name) => {
    const values: unknown = (spec.parameters as Record<string, unknown>)[name];
    const range = values !== undefined && !Array.isArray(values) ? (values as { log?: boolean }) : undefined;
    return { name, log: range ? range.log === true : parameterInfo(name)?.log === true };
  });
}

/** How many trials importance needs for this many varying parameters. */
export function trialsNeeded(parameters: number): number {
  return Math.max(IMPORTANCE.minTrials, IMPORTANCE.perParameter * parameters);
}

/** Offsets (0-based ranks) of an even sample of `max` out of `total` ranked trials, best and worst included. */
export function sampleRanks(total: number, max: number = IMPORTANCE.maxTrials): number[] {
  if (total <= max) return Array.from({ length: total }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.round((i * (total - 1)) / (max - 1)));
}

interface Column {
  name: string;
  values: number[];
  /** a named choice: its codes have no order, so no correlation */
  choice: boolean;
  distinct: number;
}

function encode(rows: readonly LeaderboardRow[], p: ImportanceParameter): Column {
  const raw = rows.map((r) => parameterValue(r.config as Record<string, unknown>, p.name) ?? parameterInfo(p.name)?.default);
  const distinct = new Set(raw.map((v) => `${typeof v}:${String(v)}`)).size;
  if (raw.every((v) => typeof v === 'number')) {
    const nums = raw as number[];
    const log = p.log && nums.every((v) => v > 0);
    return { name: p.name, values: log ? nums.map(Math.log10) : nums, choice: false, distinct };
  }
  if (raw.every((v) => typeof v === 'boolean')) return { name: p.name, values: raw.map(Number), choice: false, distinct };
  // Named choices (or a mix): ordinal codes in name order; a tree isolates any one in two splits.
  const names = [...new Set(raw.map(String))].sort();
  return { name: p.name, values: raw.map((v) => names.indexOf(String(v))), choice: true, distinct };
}

function pearson(x: number[], y: number[]): number | null {
  const r = correlation(new Matrix([x, y]).transpose()).get(0, 1);
  return Number.isFinite(r) ? r : null;
}

function sse(predicted: number[], actual: number[]): number {
  return predicted.reduce((s, p, i) => s + (p - actual[i]!) ** 2, 0);
}

/** Held-out squared error of the forests (cross-fitting), and with each column shuffled. */
function permutationErrors(X: number[][], y: number[], rng: Rng): { base: number; shuffled: number[] } {
  const n = y.length;
  const p = X[0]!.length;
  const order = Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(order, rng);
  let base = 0;
  const shuffled = new Array<number>(p).fill(0);
  for (let fold = 0; fold < IMPORTANCE.folds; fold++) {
    const test = order.filter((_, k) => k % IMPORTANCE.folds === fold);
    const train = order.filter((_, k) => k % IMPORTANCE.folds !== fold);
    const forest = new RandomForestRegression({
      nEstimators: IMPORTANCE.trees,
      seed: IMPORTANCE.seed + fold,
      maxFeatures: 1.0,
      replacement: false,
      useSampleBagging: true,
      noOOB: true,
    });
    forest.train(
      train.map((i) => X[i]!),
      train.map((i) => y[i]!),
    );
    const Xt = test.map((i) => X[i]!);
    const yt = test.map((i) => y[i]!);
    base += sse(forest.predict(Xt), yt);
    for (let j = 0; j < p; j++) {
      for (let r = 0; r < IMPORTANCE.repeats; r++) {
        const column = Xt.map((row) => row[j]!);
        shuffleInPlace(column, rng);
        shuffled[j]! += sse(forest.predict(Xt.map((row, k) => row.map((v, c) => (c === j ? column[k]! : v)))), yt) / IMPORTANCE.repeats;
      }
    }
  }
  return { base, shuffled };
}

/**
 * Importance of each varying parameter for `metric` over finished trials (`rows`, any order).
 * Too few trials, or nothing that varies: no importances, and a note that says why.
 */
export function parameterImportance(
  rows: readonly LeaderboardRow[],
  metric: Metric,
  parameters: readonly ImportanceParameter[],
  /** how many trials are ranked, when `rows` is a sample of them */
  opts: { total?: number } = {},
): ImportanceReport {
  // In trial id order: the same trials give the same folds and shuffles, whatever order they came in.
  const finished = rows
    .filter((r) => Number.isFinite(r.metrics[metric.name]))
    .sort((a, b) => (a.trialId < b.trialId ? -1 : a.trialId > b.trialId ? 1 : 0));
  // Above maxTrials the rows are a sample of the ranking: the ones not fetched count as finished.
  const trials = finished.length + Math.max(0, (opts.total ?? rows.length) - rows.length);
  const report = { method: IMPORTANCE_METHOD, metric, trials, used: finished.length, r2: null };
  const needed = trialsNeeded(parameters.length);
  if (parameters.length === 0) return { ...report, parameters: [], note: 'No parameter varies in this sweep: nothing to rank.' };
  if (trials < needed) {
    return {
      ...report,
      parameters: [],
      note: `${trials} finished trial${trials === 1 ? '' : 's'}: importance needs at least ${needed} to mean anything (${IMPORTANCE.minTrials}, and ${IMPORTANCE.perParameter} per varying parameter; this sweep varies ${parameters.length}).`,
    };
  }
  const y = finished.map((r) => r.metrics[metric.name]!);
  const columns = parameters.map((p) => encode(finished, p));
  const varying = columns.filter((c) => c.distinct > 1);
  const correlations = new Map(varying.map((c) => [c.name, c.choice ? null : pearson(c.values, y)]));
  const yMean = mean(y);
  const spread = y.reduce((s, v) => s + (v - yMean) ** 2, 0);
  if (varying.length === 0 || spread === 0) {
    const why = varying.length === 0 ? 'every finished trial has the same parameters' : `every finished trial has the same ${metric.name}`;
    return {
      ...report,
      parameters: columns.map((c) => ({ name: c.name, importance: 0, correlation: null })),
      note: `Nothing to explain: ${why}.`,
    };
  }
  const X = finished.map((_, i) => varying.map((c) => c.values[i]!));
  const { base, shuffled } = permutationErrors(X, y, createRng(IMPORTANCE.seed));
  const gains = shuffled.map((s) => Math.max(0, s - base));
  const sum = gains.reduce((a, b) => a + b, 0);
  const importance = new Map(varying.map((c, j) => [c.name, sum > 0 ? gains[j]! / sum : 0]));
  const r2 = 1 - base / spread;
  const result: ParameterImportance[] = columns
    .map((c) => ({ name: c.name, importance: importance.get(c.name) ?? 0, correlation: correlations.get(c.name) ?? null }))
    .sort((a, b) => b.importance - a.importance);
  const notes: string[] = [];
  if (trials > finished.length) notes.push(`Fitted on ${finished.length} of ${trials} finished trials, evenly spaced over the ranking.`);
  if (sum === 0) notes.push('No parameter predicts the metric on held-out trials: shuffling any of them costs the forest nothing.');
  else if (r2 < IMPORTANCE.weakFit)
    notes.push(
      `The parameters explain only ${Math.max(0, r2 * 100).toFixed(0)}% of the metric's spread on held-out trials: read the bars as rough.`,
    );
  return { ...report, r2, parameters: result, ...(notes.length ? { note: notes.join(' ') } : {}) };
}
