/**
 * What both modes of bench:memory share: the small trial configs, the sweep they belong to
 * (stored as enqueue stores it: workers train only trials their sweep holds), and a
 * least-squares slope.
 */
import type { Redis } from 'ioredis';
import { encodeDataset } from '../src/data/codec.js';
import { syntheticSplit } from '../src/data/synthetic.js';
import { SweepSpecSchema } from '../src/definition/sweep-spec.js';
import { trialIdOf } from '../src/definition/trials.js';
import type { TrialConfig } from '../src/model/trial-config.js';
import { jobFor } from '../src/queue/queue-trials.js';
import { TrialJobSchema, type TrialJob } from '../src/queue/trial-job.js';
import { DatasetStore } from '../src/store/dataset-store.js';
import type { SweepRecord } from '../src/store/records.js';
import { SweepStore } from '../src/store/sweep-store.js';

/**
 * Eight small configs, cycled: every depth 1-3, widths 4-16, dropout and recurrentDropout each
 * on and off, both heads. With a cycle of 8, the last 40 of 50 trials are exactly 5 cycles, so
 * the RSS after trial 10 and after trial 50 belong to the same config.
 */
export const CONFIG_CYCLE: readonly Omit<TrialConfig, 'seed' | 'learningRate' | 'batchSize' | 'epochs' | 'patience'>[] = [
  { depth: 1, width: 4, dropout: 0, recurrentDropout: 0, head: 'dense' },
  { depth: 2, width: 8, dropout: 0.2, recurrentDropout: 0, head: 'dense' },
  { depth: 3, width: 12, dropout: 0, recurrentDropout: 0.15, head: 'dense' },
  { depth: 2, width: 16, dropout: 0.2, recurrentDropout: 0.15, head: 'dense' },
  { depth: 1, width: 8, dropout: 0.2, recurrentDropout: 0.15, head: 'lstm' },
  { depth: 3, width: 4, dropout: 0, recurrentDropout: 0, head: 'lstm' },
  { depth: 2, width: 12, dropout: 0.2, recurrentDropout: 0, head: 'lstm' },
  { depth: 1, width: 16, dropout: 0, recurrentDropout: 0.15, head: 'lstm' },
];

export function configFor(i: number): TrialConfig {
  return { ...CONFIG_CYCLE[i % CONFIG_CYCLE.length]!, learningRate: 0.01, batchSize: 16, epochs: 3, patience: 2, seed: i + 1 };
}

/** A sweep of `trials` trials (configFor(0..trials-1)) on a small synthetic dataset, stored under `prefix`. */
export async function createBenchSweep(
  redis: Redis,
  prefix: string,
  trials: number,
  opts: { dryRun?: boolean } = {},
): Promise<{ record: SweepRecord; jobs: TrialJob[]; store: SweepStore; datasets: DatasetStore }> {
  const datasets = new DatasetStore(redis, prefix);
  const store = new SweepStore(redis, prefix);
  const datasetHash = await datasets.put(
    encodeDataset({ train: syntheticSplit({ n: 48, timesteps: 24, seed: 1 }), test: syntheticSplit({ n: 24, timesteps: 24, seed: 2 }) }),
  );
  const spec = SweepSpecSchema.parse({
    name: 'bench-memory',
    dataset: { train: 'synthetic.csv', validationSplit: 0.25, protocol: 'holdout' },
    metric: { name: 'valAuc', goal: 'maximize' },
    dryRun: opts.dryRun ?? false,
  });
  const record: SweepRecord = {
    sweepId: 'bench-memory-0000000000',
    spec,
    datasetHash,
    shape: { timesteps: 24, features: 1, trainSamples: 48 },
    trials,
    createdAt: new Date().toISOString(),
  };
  const planned = Array.from({ length: trials }, (_, i) => {
    const config = configFor(i);
    return { trialId: trialIdOf(config), config };
  });
  await store.createSweep(record, planned);
  return { record, jobs: planned.map((trial) => TrialJobSchema.parse(jobFor(record, trial))), store, datasets };
}

/** Least-squares slope of ys over xs (0 with fewer than two points). */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  const mx = xs.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const my = ys.slice(0, n).reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
