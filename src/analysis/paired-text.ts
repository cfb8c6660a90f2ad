import { PARAMETERS, parameterInfo } from '../definition/vocabulary.js';
import type { LeaderboardRow } from '../store/records.js';
import type { MeanInterval } from './interval.js';

/**
 * The words of a paired comparison (src/analysis/paired.ts), the same in the CLI, the API and the
 * dashboard: "residual helps validation ROC AUC by +0.8 ± 1.1 points on 12 pairs (95% interval, t)".
 */

type Value = string | number | boolean;
interface Unit {
  label: string;
  goal: 'maximize' | 'minimize';
  unit: 'points' | 'loss';
}

/** A value of a parameter as the views write it. */
export const valueText = (v: Value): string => String(v);

/** A signed difference in its unit: points with one decimal, losses with three. */
export function signed(x: number, unit: Unit['unit']): string {
  const text = x.toFixed(unit === 'points' ? 1 : 3);
  return x > 0 || (x === 0 && !text.startsWith('-')) ? `+${text}` : text;
}

const magnitude = (x: number, unit: Unit['unit']) => Math.abs(x).toFixed(unit === 'points' ? 1 : 3);
const points = (unit: Unit['unit']) => (unit === 'points' ? ' points' : '');

/** "+0.8 ± 1.1 points" (no ± for a single pair). */
function estimate(s: MeanInterval, unit: Unit['unit']): string {
  const pm = s.halfWidth === null ? '' : ` ± ${magnitude(s.halfWidth, unit)}`;
  return `${signed(s.mean, unit)}${pm}${points(unit)}`;
}

/** "residual" for a switch compared with off, else "depth 2 (vs 1)". */
function subject(by: string, value: Value, reference: Value): string {
  const label = parameterInfo(by)?.label ?? by;
  return value === true && reference === false ? label : `${label} ${valueText(value)} (vs ${valueText(reference)})`;
}

export function comparisonSentence(c: {
  by: string;
  reference: Value;
  value: Value;
  metric: Unit;
  testAcc?: Unit;
  summary: { metric: MeanInterval | null; testAcc?: MeanInterval | null };
  pairs: number;
}): string {
  const who = subject(c.by, c.value, c.reference);
  const by = parameterInfo(c.by)?.label ?? c.by;
  if (c.pairs === 0) {
    return `${who}: no pair (no finished trial with ${by} ${valueText(c.value)} shares its other parameters and seed with one with ${by} ${valueText(c.reference)})`;
  }
  const s = c.summary.metric;
  if (!s) return `${who}: ${c.metric.label} is undefined in every one of its ${c.pairs} pair${c.pairs === 1 ? '' : 's'}`;
  const better = c.metric.goal === 'maximize' ? s.mean > 0 : s.mean < 0;
  const verb = s.mean === 0 ? 'makes no difference to' : better ? 'helps' : 'hurts';
  const on = `on ${s.n} pair${s.n === 1 ? '' : 's'}`;
  const how =
    s.low === null || s.high === null
      ? '(one pair: no interval)'
      : `(${Math.round(s.confidence * 100)}% interval, t${s.low <= 0 && s.high >= 0 ? '; it includes 0' : ''})`;
  const test = c.testAcc && c.summary.testAcc ? `; ${c.testAcc.label} ${estimate(c.summary.testAcc, c.testAcc.unit)}` : '';
  return `${who} ${verb} ${c.metric.label} by ${estimate(s, c.metric.unit)} ${on} ${how}${test}`;
}

/** Why no two finished trials differ in `by` alone: too few values, or the trials differ in more than that. */
export function noPairsReason(c: {
  by: string;
  reference: Value;
  rows: readonly LeaderboardRow[];
  present: Value[];
  valueOf: (row: LeaderboardRow, name: string) => Value;
}): string {
  const label = parameterInfo(c.by)?.label ?? c.by;
  if (c.rows.length === 0) return 'no pairs: no finished trial yet';
  if (c.present.length < 2) {
    return `no pairs: every finished trial has ${label} ${c.present.map(valueText).join(', ')}, so there is nothing to compare yet`;
  }
  if (!c.present.some((v) => String(v) === String(c.reference))) {
    return `no pairs: no finished trial has the reference ${label} ${valueText(c.reference)}`;
  }
  const others = [...PARAMETERS.map((p) => p.name), 'seed']
    .filter((name) => name !== c.by)
    .filter((name) => new Set(c.rows.map((r) => String(c.valueOf(r, name)))).size > 1)
    .map((name) => parameterInfo(name)?.label ?? name);
  return `no pairs: no two finished trials differ in ${label} alone${
    others.length ? `: they also differ in ${others.join(', ')}` : ''
  } (a random or tpe search draws every parameter anew for each trial; a grid over ${label} pairs them)`;
}
