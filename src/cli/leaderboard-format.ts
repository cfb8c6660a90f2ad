import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import type { Metric } from '../definition/sweep-spec.js';
import type { LeaderboardRow } from '../store/records.js';
import type { ConfigSummary, Spread } from '../store/aggregate.js';

const fmt = (v: number | undefined, digits = 3) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));

/** Flat view of a row, shared by the table and the CSV output. */
function flatten(row: LeaderboardRow) {
  const { config: c, metrics: m } = row;
  return {
    rank: row.rank,
    trialId: row.trialId,
    depth: c.depth,
    width: c.width,
    dropout: c.dropout,
    recurrentDropout: c.recurrentDropout,
    learningRate: c.learningRate,
    batchSize: c.batchSize,
    head: c.head,
    residual: c.residual ?? true,
    inputProjection: c.inputProjection ?? false,
    seed: c.seed,
    valAuc: m.valAuc,
    valAcc: m.valAcc,
    valBalancedAcc: m.valBalancedAcc,
    valLoss: m.valLoss,
    testAuc: m.testAuc,
    testAcc: m.testAcc,
    testBalancedAcc: m.testBalancedAcc,
    epochs: row.epochs,
    cvFolds: row.cv?.folds ?? '',
    cvEpoch: row.cv?.epoch ?? '',
    prunedAt: row.prunedAt ?? '',
    durationMs: row.durationMs,
    backend: row.backend,
    engine: row.engine ?? '',
    worker: row.worker,
    attempts: row.attempts,
  };
}

/** Residual connections on or off, and whether an input projection lets layer 0 have one. */
function skips(f: { residual: boolean; inputProjection: boolean }): string {
  return `${f.residual ? 'yes' : 'no'}${f.inputProjection ? '+proj' : ''}`;
}

/** The sweep metric; under cross-validation the fold mean ± its standard deviation over the folds. */
function metricCell(row: LeaderboardRow, metric: Metric): string {
  const value = fmt(row.metrics[metric.name], 4);
  const spread = row.cv && metric.name in row.cv.std ? row.cv.std[metric.name as keyof typeof row.cv.std] : undefined;
  return spread === undefined ? value : `${value} ± ${fmt(spread, 4)}`;
}

export function leaderboardTable(rows: LeaderboardRow[], metric: Metric): string {
  const table = new Table({
    head: ['#', 'trial', 'depth', 'width', 'drop', 'rec.drop', 'lr', 'batch', 'head', 'skips', 'seed',
      `${metric.name} ${metric.goal === 'maximize' ? '↑' : '↓'}`, 'valAcc', 'testAcc', 'testAuc', 'epochs', 'time', 'engine', 'worker'],
    style: { head: [], border: [] },
  });
  for (const row of rows) {
    const f = flatten(row);
    table.push([f.rank, f.trialId.slice(0, 8), f.depth, f.width, f.dropout, f.recurrentDropout, f.learningRate,
      f.batchSize, f.head, skips(f), f.seed, metricCell(row, metric), fmt(f.valAcc), fmt(f.testAcc), fmt(f.testAuc),
      row.prunedAt !== undefined ? `${f.epochs} pruned` : row.cv ? `${row.cv.epoch}/${f.epochs} cv` : f.epochs, `${(f.durationMs / 1000).toFixed(1)}s`, f.engine ? `${f.engine}/${f.backend}` : f.backend, f.worker]);
  }
  return table.toString();
}

export function leaderboardCsv(rows: LeaderboardRow[]): string {
  return stringify(rows.map(flatten), { header: true });
}

const pm = (s: Spread | undefined, digits = 4) => (s ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : '-');

/** Configurations trained with several seeds: mean ± standard deviation over the seeds. */
export function seedGroupsTable(groups: ConfigSummary[], metric: Metric): string {
  const table = new Table({
    head: ['#', 'depth', 'width', 'drop', 'rec.drop', 'lr', 'batch', 'head', 'skips', 'seeds', `${metric.name} mean ± sd`, 'min', 'max', 'testAcc mean ± sd', 'ensemble testAcc'],
    style: { head: [], border: [] },
  });
  for (const g of groups) {
    const c = g.config;
    table.push([g.rank, c.depth, c.width, c.dropout, c.recurrentDropout, c.learningRate, c.batchSize, c.head, skips({ residual: c.residual ?? true, inputProjection: c.inputProjection ?? false }), g.seeds.length,
      pm(g.metric), fmt(g.metric.min, 4), fmt(g.metric.max, 4), pm(g.testAcc, 3), fmt(g.ensembleTestAcc)]);
  }
  return table.toString();
}
