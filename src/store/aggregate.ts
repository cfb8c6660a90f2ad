import type { Metric } from '../definition/sweep-spec.js';
import type { TrialConfig } from '../model/trial-config.js';
import { canonicalJson } from '../util/hash.js';
import { finite, mean, sampleStd } from '../util/stats.js';
import type { LeaderboardRow } from './records.js';
import { ensembleAccuracy } from './test-predictions.js';

export interface Spread {
  mean: number;
  std: number;
  min: number;
  max: number;
}

/** One configuration trained with several seeds. */
export interface ConfigSummary {
  rank: number;
  config: Omit<TrialConfig, 'seed'>;
  seeds: number[];
  trialIds: string[];
  /** the sweep's metric over the seeds */
  metric: Spread;
  testAcc?: Spread;
  /** test accuracy of the seed ensemble: the mean of the seeds' class probabilities */
  ensembleTestAcc?: number;
}

function spread(values: number[]): Spread | undefined {
  const xs = finite(values);
  if (xs.length === 0) return undefined;
  return { mean: mean(xs), std: sampleStd(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** Groups finished trials by configuration (all but the seed), ranked by the metric's mean. */
export function bySeedGroups(rows: LeaderboardRow[], metric: Metric): ConfigSummary[] {
  const groups = new Map<string, LeaderboardRow[]>();
  for (const row of rows) {
    const { seed: _seed, ...config } = row.config;
    const key = canonicalJson(config);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const summaries = [...groups.values()].map((group) => {
    const { seed: _seed, ...config } = group[0]!.config;
    const testAcc = spread(group.map((r) => r.metrics.testAcc ?? Number.NaN));
    const predictions = group.flatMap((r) => (r.testPredictions ? [r.testPredictions] : []));
    const ensembleTestAcc = predictions.length === group.length ? ensembleAccuracy(predictions) : undefined;
    return {
      rank: 0,
      config,
      seeds: group.map((r) => r.config.seed),
      trialIds: group.map((r) => r.trialId),
      metric: spread(group.map((r) => r.metrics[metric.name] ?? Number.NaN)) ?? {
        mean: Number.NaN,
        std: Number.NaN,
        min: Number.NaN,
        max: Number.NaN,
      },
      ...(testAcc ? { testAcc } : {}),
      ...(ensembleTestAcc !== undefined ? { ensembleTestAcc } : {}),
    };
  });
  const sign = metric.goal === 'maximize' ? -1 : 1;
  const score = (s: ConfigSummary) => (Number.isFinite(s.metric.mean) ? sign * s.metric.mean : Infinity);
  summaries.sort((a, b) => score(a) - score(b));
  return summaries.map((s, i) => ({ ...s, rank: i + 1 }));
}
