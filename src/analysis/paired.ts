import { z } from 'zod';
import type { Metric } from '../definition/sweep-spec.js';
import { PARAMETERS, metricInfo, parameterInfo, type SweepableName } from '../definition/vocabulary.js';
import { withAbsentOptions } from '../model/trial-config.js';
import type { LeaderboardRow, SweepRecord } from '../store/records.js';
import { canonicalJson } from '../util/hash.js';
import { meanInterval, type MeanInterval } from './interval.js';
import { comparisonSentence, noPairsReason } from './paired-text.js';

/**
 * Paired comparisons: finished trials whose configs are equal in everything but one parameter
 * (`by`), the seed included, so each pair isolates that parameter's effect on one seed. The
 * difference other − reference of the sweep's metric (and of test accuracy) per pair, and their
 * mean with a Student t interval over the pairs: "residual helps by +0.8 ± 1.1 points on 12 pairs".
 */

export type Value = string | number | boolean;

/** How the differences of a metric are reported: accuracy-like ones in points (×100), losses as they are. */
export interface MetricUnit {
  name: string;
  label: string;
  goal: Metric['goal'];
  unit: 'points' | 'loss';
  scale: number;
}

/** One metric of a pair: the two trials' values (as stored) and other − reference in the metric's unit. */
export interface PairedValue {
  reference: number | null;
  other: number | null;
  diff: number | null;
}

export interface Pair {
  /** what the two trials share: every parameter but `by` and the seed, absent options spelled out */
  config: Record<string, unknown>;
  seed: number;
  trials: { reference: string; other: string };
  metric: PairedValue;
  testAcc?: PairedValue;
}

export interface Comparison {
  value: Value;
  pairs: Pair[];
  /** over the pairs whose difference is a number (an AUC may be undefined); null without any */
  summary: { metric: MeanInterval | null; testAcc?: MeanInterval | null };
  /** the one-glance sentence, or why there is no pair */
  sentence: string;
}

export interface PairedComparison {
  sweepId: string;
  by: string;
  label: string;
  metric: MetricUnit;
  testAcc?: MetricUnit;
  reference: Value;
  /** every value of `by`, reference included */
  values: Value[];
  /** the parameters `by` may name: those the sweep varies (the seed is what pairs share) */
  parameters: string[];
  /** finished trials looked at, and those left out (stopped early by ASHA: their metric is from an early epoch) */
  trials: { finished: number; pruned: number };
  comparisons: Comparison[];
  /** set when no comparison has a pair: why, in plain words */
  noPairs?: string;
}

const valueKey = (v: unknown) => `${typeof v}:${String(v)}`;

/** A config's value of `name`, an absent option read as what it means. */
function valueOf(row: LeaderboardRow, name: string): Value {
  return (withAbsentOptions(row.config) as Record<string, Value>)[name]!;
}

/** Distinct values in axis order: numbers ascending, false before true, names alphabetically. */
function sortedDistinct(values: readonly Value[]): Value[] {
  const seen = new Map(values.map((v) => [valueKey(v), v]));
  return [...seen.values()].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number'
      ? a - b
      : typeof a === 'boolean'
        ? Number(a) - Number(b)
        : String(a).localeCompare(String(b)),
  );
}

/** The values the spec lists for a parameter, if it lists them. */
function listed(sweep: SweepRecord, name: SweepableName): Value[] | undefined {
  const values = sweep.spec.parameters[name];
  return Array.isArray(values) ? (values as Value[]) : undefined;
}

/** Parameters the sweep varies: the spec sweeps them (several values, or a range), or finished trials differ in them. */
export function comparableParameters(sweep: SweepRecord, rows: readonly LeaderboardRow[]): SweepableName[] {
  return PARAMETERS.map((p) => p.name).filter((name) => {
    const spec = sweep.spec.parameters[name];
    const inSpec = spec !== undefined && (!Array.isArray(spec) || new Set(spec).size > 1);
    return inSpec || sortedDistinct(rows.map((r) => valueOf(r, name))).length > 1;
  });
}

/** The values of `by`: the spec's list in its order, then any other a finished trial has, sorted. */
export function parameterValues(sweep: SweepRecord, rows: readonly LeaderboardRow[], by: SweepableName): Value[] {
  const fromSpec = listed(sweep, by) ?? [];
  const known = new Set(fromSpec.map(valueKey));
  return [...sortedDistinct(fromSpec), ...sortedDistinct(rows.map((r) => valueOf(r, by))).filter((v) => !known.has(valueKey(v)))];
}

/** The value a `--ref` / `?ref=` names: its text (`true`, `2`, `lstm`), or the same number written otherwise (`1e-3`). */
export function matchValue(values: readonly Value[], text: string): Value | undefined {
  return values.find((v) => String(v) === text || (typeof v === 'number' && text.trim() !== '' && Number(text) === v));
}

/**
 * The reference the other values are compared with: false for a switch (so "residual helps" is
 * on − off), the smallest number, the vocabulary's default for a named choice when the sweep has
 * it, else the first value.
 */
export function defaultReference(by: SweepableName, values: readonly Value[]): Value {
  const info = parameterInfo(by);
  if (values.some((v) => v === false)) return false;
  if (values.every((v) => typeof v === 'number')) return Math.min(...(values as number[]));
  const byDefault = values.find((v) => v === info?.default);
  return byDefault ?? values[0]!;
}

/** `by` and `ref` as the CLI flags and the API's query give them, checked against the sweep. */
export function compareInputSchema(sweep: SweepRecord, rows: readonly LeaderboardRow[]) {
  const names = comparableParameters(sweep, rows);
  const valid = names.length ? names.join(', ') : 'none: the sweep varies no parameter';
  return z
    .object({
      by: z.string({ message: `name a parameter the sweep varies: ${valid}` }).refine((s) => (names as string[]).includes(s), {
        message: `not a parameter this sweep varies; valid: ${valid}`,
      }),
      ref: z.string().max(100).optional(),
    })
    .transform((input, ctx) => {
      const by = input.by as SweepableName;
      const values = parameterValues(sweep, rows, by);
      const reference = input.ref === undefined ? defaultReference(by, values) : matchValue(values, input.ref);
      if (reference === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['ref'],
          message: `${by} takes ${values.map(String).join(', ')} in this sweep, not ${input.ref}`,
        });
        return z.NEVER;
      }
      return { by, reference, values };
    });
}

/** Accuracy-like metrics (accuracy, balanced accuracy, AUC) in points; losses as they are. */
export function metricUnit(name: string, goal?: Metric['goal']): MetricUnit {
  const info = metricInfo(name);
  const loss = /loss/i.test(name);
  return {
    name,
    label: info?.label ?? name,
    goal: goal ?? info?.goal ?? 'maximize',
    unit: loss ? 'loss' : 'points',
    scale: loss ? 1 : 100,
  };
}

function paired(a: number | undefined, b: number | undefined, scale: number): PairedValue {
  const ok = (x: number | undefined): x is number => typeof x === 'number' && Number.isFinite(x);
  return {
    reference: ok(a) ? a : null,
    other: ok(b) ? b : null,
    diff: ok(a) && ok(b) ? (b - a) * scale : null,
  };
}

/** What the two trials of a pair share, in the vocabulary's order: every parameter but `by` (and the seed), absent options spelled out. */
function sharedConfig(row: LeaderboardRow, by: SweepableName): Record<string, unknown> {
  const full = withAbsentOptions(row.config) as Record<string, unknown>;
  return Object.fromEntries(PARAMETERS.filter((p) => p.name !== by && full[p.name] !== undefined).map((p) => [p.name, full[p.name]]));
}

const summaryOf = (diffs: (number | null)[]) => meanInterval(diffs.filter((d): d is number => d !== null)) ?? null;

/** The paired comparison of every other value of `by` with `reference`, over the sweep's finished trials. */
export function pairedComparison(
  sweep: SweepRecord,
  allRows: readonly LeaderboardRow[],
  input: { by: SweepableName; reference: Value; values: Value[] },
): PairedComparison {
  const { by, reference, values } = input;
  const rows = allRows.filter((r) => r.prunedAt === undefined);
  const metric = metricUnit(sweep.spec.metric.name, sweep.spec.metric.goal);
  const hasTest = rows.some((r) => typeof r.metrics.testAcc === 'number');
  const testAcc = hasTest ? metricUnit('testAcc') : undefined;

  // Trials that share everything but `by` (seed included) fall in one group, keyed by value.
  const groups = new Map<string, Map<string, LeaderboardRow>>();
  for (const row of rows) {
    const { [by]: _by, ...rest } = withAbsentOptions(row.config) as Record<string, unknown>;
    const key = canonicalJson(rest);
    const group = groups.get(key) ?? new Map<string, LeaderboardRow>();
    // The same config twice (a tpe search may suggest it again): the better ranked one counts.
    if (!group.has(valueKey(valueOf(row, by)))) group.set(valueKey(valueOf(row, by)), row);
    groups.set(key, group);
  }

  const comparisons = values
    .filter((v) => valueKey(v) !== valueKey(reference))
    .map((value): Comparison => {
      const pairs: Pair[] = [];
      for (const group of groups.values()) {
        const ref = group.get(valueKey(reference));
        const other = group.get(valueKey(value));
        if (!ref || !other) continue;
        pairs.push({
          config: sharedConfig(ref, by),
          seed: ref.config.seed,
          trials: { reference: ref.trialId, other: other.trialId },
          metric: paired(ref.metrics[metric.name as 'valAuc'], other.metrics[metric.name as 'valAuc'], metric.scale),
          ...(testAcc ? { testAcc: paired(ref.metrics.testAcc, other.metrics.testAcc, testAcc.scale) } : {}),
        });
      }
      // A stable order: by seed, then by the shared config.
      pairs.sort((a, b) => a.seed - b.seed || canonicalJson(a.config).localeCompare(canonicalJson(b.config)));
      const summary = {
        metric: summaryOf(pairs.map((p) => p.metric.diff)),
        ...(testAcc ? { testAcc: summaryOf(pairs.map((p) => p.testAcc?.diff ?? null)) } : {}),
      };
      const sentence = comparisonSentence({ by, reference, value, metric, testAcc, summary, pairs: pairs.length });
      return { value, pairs, summary, sentence };
    });

  const result: PairedComparison = {
    sweepId: sweep.sweepId,
    by,
    label: parameterInfo(by)?.label ?? by,
    metric,
    ...(testAcc ? { testAcc } : {}),
    reference,
    values,
    parameters: comparableParameters(sweep, allRows),
    trials: { finished: rows.length, pruned: allRows.length - rows.length },
    comparisons,
  };
  if (comparisons.every((c) => c.pairs.length === 0)) {
    result.noPairs = noPairsReason({ by, reference, rows, valueOf, present: sortedDistinct(rows.map((r) => valueOf(r, by))) });
  }
  return result;
}
