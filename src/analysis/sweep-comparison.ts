/**
 * Sweeps of one dataset side by side: each one's best configuration and the distribution of its
 * finished trials' metric. Pure: it gets the leaderboard rows, the store reads them.
 */
import type { Metric } from '../definition/sweep-spec.js';
import type { TrialConfig } from '../model/trial-config.js';
import { bySeedGroups, type Spread } from '../store/aggregate.js';
import type { LeaderboardRow, SweepRecord } from '../store/records.js';

/**
 * A sweep's best: with several seeds the best configuration as `leaderboard --by-config` ranks it
 * (metric and test accuracy are means over its seeds), else the best trial.
 */
export type SweepBest =
  | {
      kind: 'config';
      config: Omit<TrialConfig, 'seed'>;
      trialIds: string[];
      seeds: number[];
      value: number;
      spread: Spread;
      testAcc: number | null;
      ensembleTestAcc: number | null;
    }
  | { kind: 'trial'; config: TrialConfig; trialIds: [string]; seeds: [number]; value: number; testAcc: number | null };

/** One finished trial's point in the distribution. */
export interface TrialPoint {
  trialId: string;
  value: number;
  testAcc: number | null;
}

const num = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

/** Finished trials with a finite value of `metric`, in the rows' order. */
export function trialPoints(rows: LeaderboardRow[], metric: Metric): TrialPoint[] {
  return rows.flatMap((r) => {
    const value = num(r.metrics[metric.name]);
    return value === null ? [] : [{ trialId: r.trialId, value, testAcc: num(r.metrics.testAcc) }];
  });
}

/** The sweep's best on `metric` (which may be another sweep's, when their metrics differ); null before any result. */
export function sweepBest(sweep: SweepRecord, rows: LeaderboardRow[], metric: Metric): SweepBest | null {
  if (sweep.spec.seeds.length > 1) {
    const top = bySeedGroups(rows, metric)[0];
    if (!top || !Number.isFinite(top.metric.mean)) return null;
    return {
      kind: 'config',
      config: top.config,
      trialIds: top.trialIds,
      seeds: top.seeds,
      value: top.metric.mean,
      spread: top.metric,
      testAcc: num(top.testAcc?.mean),
      ensembleTestAcc: num(top.ensembleTestAcc),
    };
  }
  const sign = metric.goal === 'maximize' ? 1 : -1;
  const points = trialPoints(rows, metric);
  if (points.length === 0) return null;
  const best = points.reduce((a, b) => (sign * (b.value - a.value) > 0 ? b : a));
  const row = rows.find((r) => r.trialId === best.trialId)!;
  return { kind: 'trial', config: row.config, trialIds: [row.trialId], seeds: [row.config.seed], value: best.value, testAcc: best.testAcc };
}

/** Why sweeps cannot be compared (their datasets differ), or undefined when they can. */
export function datasetMismatch(sweeps: SweepRecord[]): string | undefined {
  const hashes = new Set(sweeps.map((s) => s.datasetHash));
  if (hashes.size <= 1) return undefined;
  const named = sweeps.map((s) => `${s.sweepId} (dataset ${s.datasetHash.slice(0, 12)})`).join(', ');
  return `these sweeps are on different datasets: ${named}; compare only sweeps of the same dataset hash`;
}

/** A note when the sweeps rank by different metrics: all are compared on the first sweep's. */
export function metricNote(sweeps: SweepRecord[]): string | null {
  const first = sweeps[0]!.spec.metric;
  const others = sweeps.filter((s) => s.spec.metric.name !== first.name || s.spec.metric.goal !== first.goal);
  if (others.length === 0) return null;
  const named = sweeps.map((s) => `${s.sweepId}: ${s.spec.metric.name} (${s.spec.metric.goal})`).join(', ');
  return `the sweeps rank by different metrics (${named}); all are compared on ${first.name} (${first.goal}), the first sweep's`;
}
