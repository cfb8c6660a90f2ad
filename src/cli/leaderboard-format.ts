import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import { terminalText } from './terminal-text.js';
import type { Metric } from '../definition/sweep-spec.js';
import { METRIC_INFO, PARAMETERS, SEED, parameterValue, type MetricInfo, type ParameterInfo } from '../definition/vocabulary.js';
import type { BaselineResult, LeaderboardRow } from '../store/records.js';
import type { ConfigSummary, Spread } from '../store/aggregate.js';

/**
 * The CLI's leaderboard table and CSV, with their columns from the vocabulary
 * (src/definition/vocabulary.ts): a parameter or metric added there appears here.
 */

const fmt = (v: number | undefined, digits = 3) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));

type Config = LeaderboardRow['config'] | ConfigSummary['config'];

/** What a trial's result adds after its parameters and metrics, in CSV order. */
const RESULT_FIELDS = ['epochs', 'cvFolds', 'cvEpoch', 'prunedAt', 'durationMs', 'backend', 'engine', 'worker', 'attempts'] as const;

/** A parameter's CSV column: its name, or `config.<name>` where a result field has that name (epochs). */
const csvName = (p: ParameterInfo) => ((RESULT_FIELDS as readonly string[]).includes(p.name) ? `config.${p.name}` : p.name);

const CSV_PARAMETERS: readonly ParameterInfo[] = [...PARAMETERS, SEED];
/** `kind`: trial, or baseline for the sweep's reference row (first); `method`: the baseline's. */
const CSV_COLUMNS = [
  'rank',
  'trialId',
  ...CSV_PARAMETERS.map(csvName),
  ...METRIC_INFO.map((m) => m.name),
  ...RESULT_FIELDS,
  'kind',
  'method',
];

/** Flat view of a row: every parameter (absent options as what they mean), every metric, the result's fields. */
function flatten(row: LeaderboardRow): Record<string, unknown> {
  const metrics: Partial<Record<string, number>> = row.metrics;
  return {
    rank: row.rank,
    trialId: row.trialId,
    ...Object.fromEntries(CSV_PARAMETERS.map((p) => [csvName(p), parameterValue(row.config, p.name)])),
    ...Object.fromEntries(METRIC_INFO.map((m) => [m.name, metrics[m.name]])),
    epochs: row.epochs,
    cvFolds: row.cv?.folds ?? '',
    cvEpoch: row.cv?.epoch ?? '',
    prunedAt: row.prunedAt ?? '',
    durationMs: row.durationMs,
    backend: row.backend,
    engine: row.engine ?? '',
    worker: row.worker,
    attempts: row.attempts,
    kind: 'trial',
    method: '',
  };
}

/** The baseline's CSV row: no rank, trial id or parameters; its metrics under the trials' names. */
function flattenBaseline(b: BaselineResult): Record<string, unknown> {
  const metrics: Partial<Record<string, number>> = b.metrics;
  return {
    ...Object.fromEntries(METRIC_INFO.map((m) => [m.name, metrics[m.name]])),
    durationMs: b.durationMs,
    worker: b.worker,
    attempts: b.attempts,
    kind: 'baseline',
    method: b.method,
  };
}

/** Booleans as true/false (csv-stringify's default writes 1 and an empty cell). The baseline, if given, is the first row. */
export function leaderboardCsv(rows: LeaderboardRow[], baseline?: BaselineResult): string {
  // Strings from Redis, with their control characters made visible (see terminal-text.ts).
  const safe = (row: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' ? terminalText(v) : v]));
  const flat = [...(baseline ? [flattenBaseline(baseline)] : []), ...rows.map(flatten)];
  return stringify(flat.map(safe), { header: true, columns: CSV_COLUMNS, cast: { boolean: (v) => String(v) } });
}

/** The baseline's name in tables and messages. */
const BASELINE_NAME = { minirocket: 'MiniRocket' } as const;

/** A parameter's value in a table cell. */
function cell(p: ParameterInfo, v: unknown): string {
  if (v === undefined || v === null) return '-';
  if (typeof v === 'number' && p.kind === 'float') return String(Number(v.toPrecision(4)));
  return terminalText(v);
}

const same = (a: unknown, b: unknown) => String(a) === String(b);

/**
 * Which parameters get a column: those whose value differs among the configs. The others have
 * one value in every row; they are listed once under the table, so it stays narrow.
 */
function splitParameters(configs: Config[], params: readonly ParameterInfo[]): { columns: ParameterInfo[]; fixed: ParameterInfo[] } {
  const columns: ParameterInfo[] = [];
  const fixed: ParameterInfo[] = [];
  for (const p of params) {
    const first = configs[0] && parameterValue(configs[0], p.name);
    (configs.some((c) => !same(parameterValue(c, p.name), first)) ? columns : fixed).push(p);
  }
  return { columns, fixed };
}

/** "same in every row: depth 1 · width 32 · ..." */
function fixedLine(configs: Config[], fixed: ParameterInfo[], what: string): string {
  if (configs.length === 0) return '';
  const items = fixed.flatMap((p) => {
    const v = parameterValue(configs[0]!, p.name);
    return v === undefined ? [] : [`${p.short} ${cell(p, v)}`];
  });
  return items.length ? `\nsame in every ${what}: ${items.join(' · ')}` : '';
}

/** Fixed columns of the table; a parameter named like one of them is headed `config.<short>`. */
const TRIAL_HEAD = ['#', 'trial', 'epochs', 'time', 'engine', 'worker'];
const header = (p: ParameterInfo) => (TRIAL_HEAD.includes(p.short) ? `config.${p.short}` : p.short);

const arrow = (metric: Metric) => (metric.goal === 'maximize' ? '↑' : '↓');

/**
 * Besides the sweep's metric, the table shows every other metric some row has, except losses
 * (a minimizing metric) unless the sweep ranks by one: the table must fit a terminal.
 */
function otherMetrics(rows: LeaderboardRow[], metric: Metric): MetricInfo[] {
  return (METRIC_INFO as readonly MetricInfo[]).filter(
    (m) =>
      m.name !== metric.name &&
      m.goal === 'maximize' &&
      rows.some((r) => Number.isFinite((r.metrics as Partial<Record<string, number>>)[m.name])),
  );
}

/** The sweep metric; under cross-validation the fold mean ± its standard deviation over the folds. */
function metricCell(row: LeaderboardRow, metric: Metric): string {
  const value = fmt(row.metrics[metric.name], 4);
  const spread = row.cv && metric.name in row.cv.std ? row.cv.std[metric.name as keyof typeof row.cv.std] : undefined;
  return spread === undefined ? value : `${value} ± ${fmt(spread, 4)}`;
}

/** The table, the baseline (if given) first as the reference row `ref`, outside the ranking. */
export function leaderboardTable(rows: LeaderboardRow[], metric: Metric, baseline?: BaselineResult): string {
  const configs = rows.map((r) => r.config);
  const { columns, fixed } = splitParameters(configs, [...PARAMETERS, SEED]);
  const others = otherMetrics(baseline ? [...rows, { metrics: baseline.metrics } as LeaderboardRow] : rows, metric);
  const table = new Table({
    head: [
      '#',
      'trial',
      ...columns.map(header),
      `${metric.name} ${arrow(metric)}`,
      ...others.map((m) => m.short),
      'epochs',
      'time',
      'engine',
      'worker',
    ],
    style: { head: [], border: [] },
  });
  if (baseline) {
    const metrics: Partial<Record<string, number>> = baseline.metrics;
    table.push([
      'ref',
      BASELINE_NAME[baseline.method],
      ...columns.map(() => '-'),
      fmt(metrics[metric.name], 4),
      ...others.map((m) => fmt(metrics[m.name])),
      '-',
      `${(baseline.durationMs / 1000).toFixed(1)}s`,
      baseline.method,
      terminalText(baseline.worker),
    ]);
  }
  for (const row of rows) {
    const metrics: Partial<Record<string, number>> = row.metrics;
    // Every cell made terminal-safe: records in Redis may hold escape sequences (terminal-text.ts).
    const cells = [
      row.rank,
      row.trialId.slice(0, 8),
      ...columns.map((p) => cell(p, parameterValue(row.config, p.name))),
      metricCell(row, metric),
      ...others.map((m) => fmt(metrics[m.name])),
      row.prunedAt !== undefined ? `${row.epochs} pruned` : row.cv ? `${row.cv.epoch}/${row.epochs} cv` : row.epochs,
      `${(row.durationMs / 1000).toFixed(1)}s`,
      row.engine ? `${row.engine}/${row.backend}` : row.backend,
      row.worker,
    ];
    table.push(cells.map((c) => (typeof c === 'number' ? c : terminalText(c))));
  }
  return table.toString() + fixedLine(configs, fixed, baseline ? 'trial row' : 'row');
}

/**
 * One plain line comparing the baseline with the best trial on the sweep's metric, and one on
 * test accuracy when both have it; `trials` are the ranked trials to compare with (best first).
 */
export function baselineVerdict(baseline: BaselineResult, trials: LeaderboardRow[], metric: Metric, scope = 'every trial'): string[] {
  const name = `${BASELINE_NAME[baseline.method]} baseline`;
  const lines: string[] = [];
  const ours = baseline.metrics[metric.name];
  const best = trials[0]?.metrics[metric.name];
  if (ours !== undefined && Number.isFinite(ours) && best !== undefined && Number.isFinite(best)) {
    const beats = metric.goal === 'maximize' ? ours > best : ours < best;
    lines.push(
      beats
        ? `${name} beats ${scope}: ${metric.name} ${fmt(ours, 4)} vs best trial ${fmt(best, 4)}`
        : ours === best
          ? `${name} ties the best trial: ${metric.name} ${fmt(ours, 4)}`
          : `best trial ${metric.name} ${fmt(best, 4)} vs ${name} ${fmt(ours, 4)}`,
    );
  }
  const testAcc = baseline.metrics.testAcc;
  const trialTest = trials.map((t) => t.metrics.testAcc ?? Number.NaN).filter(Number.isFinite);
  if (testAcc !== undefined && Number.isFinite(testAcc) && trialTest.length > 0) {
    const bestTest = Math.max(...trialTest);
    lines.push(
      testAcc > bestTest
        ? `${name} beats ${scope} on test accuracy: ${fmt(testAcc, 4)} vs best trial ${fmt(bestTest, 4)}`
        : testAcc === bestTest
          ? `${name} ties the best trial on test accuracy: ${fmt(testAcc, 4)}`
          : `best trial test accuracy ${fmt(bestTest, 4)} vs ${name} ${fmt(testAcc, 4)}`,
    );
  }
  return lines;
}

const pm = (s: Spread | undefined, digits = 4) => (s ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : '-');

/** Configurations trained with several seeds: mean ± standard deviation over the seeds; the baseline, if given, first as `ref`. */
export function seedGroupsTable(groups: ConfigSummary[], metric: Metric, baseline?: BaselineResult): string {
  const configs = groups.map((g) => g.config);
  const { columns, fixed } = splitParameters(configs, PARAMETERS);
  const table = new Table({
    head: ['#', ...columns.map(header), 'seeds', `${metric.name} mean ± sd`, 'min', 'max', 'testAcc mean ± sd', 'ensemble testAcc'],
    style: { head: [], border: [] },
  });
  if (baseline) {
    const value = baseline.metrics[metric.name];
    table.push([
      'ref',
      ...columns.map(() => '-'),
      `${BASELINE_NAME[baseline.method]} (1 fit)`,
      fmt(value, 4),
      '-',
      '-',
      fmt(baseline.metrics.testAcc),
      '-',
    ]);
  }
  for (const g of groups) {
    table.push([
      g.rank,
      ...columns.map((p) => cell(p, parameterValue(g.config, p.name))),
      g.seeds.length,
      pm(g.metric),
      fmt(g.metric.min, 4),
      fmt(g.metric.max, 4),
      pm(g.testAcc, 3),
      fmt(g.ensembleTestAcc),
    ]);
  }
  return table.toString() + fixedLine(configs, fixed, 'configuration');
}
