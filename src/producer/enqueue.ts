import { encodeDataset } from '../data/codec.js';
import type { Dataset } from '../data/types.js';
import { loadDataset } from '../data/load.js';
import type { LoadedSpec } from '../spec/load-spec.js';
import { countTrials, expandTrials, type Trial } from '../spec/trials.js';
import type { SweepSpec } from '../spec/schema.js';
import { DatasetStore } from '../store/dataset-store.js';
import { SweepStore } from '../store/sweep-store.js';
import { UserError } from '../util/errors.js';
import { sweepIdOf } from './sweep-id.js';
import { queueMissingTrials, type QueueDeps } from './queue-trials.js';
import { topUpSweep } from '../search/suggester.js';
import type { SweepRecord } from '../store/schema.js';

/** Sweeps larger than this need an explicit confirmation (`--yes`). */
export const LARGE_SWEEP = 100_000;
/** Every head lstm-sweep has today is binary. */
const BINARY_CLASSES = 2;

export type EnqueueDeps = QueueDeps;

export interface EnqueueSummary {
  sweepId: string;
  trials: number;
  enqueued: number;
}

/** A sweep checked from end to end and ready to store: nothing here has touched Redis yet. */
export interface PreparedSweep {
  spec: SweepSpec;
  trials: Trial[];
  dataset: Dataset;
  encodedDataset: Buffer;
}

/** Validates everything about a sweep (spec, size, dataset files) without touching Redis. */
export async function prepareSweep({ spec, baseDir }: LoadedSpec, opts: { yes?: boolean } = {}): Promise<PreparedSweep> {
  const planned = countTrials(spec);
  if (planned >= LARGE_SWEEP && !opts.yes) {
    throw new UserError(`this sweep expands to ${planned.toLocaleString('en-US')} trials; re-run with --yes to enqueue it`);
  }
  const dataset = await loadDataset(spec.dataset, { baseDir, classes: BINARY_CLASSES });
  return { spec, trials: expandTrials(spec), dataset, encodedDataset: encodeDataset(dataset) };
}

/**
 * Stores the dataset, the sweep and its trials, and adds a job for each trial that has
 * neither a result nor a job yet.
 */
export async function enqueueSweep(prepared: PreparedSweep, deps: EnqueueDeps): Promise<EnqueueSummary> {
  const { spec, trials, dataset } = prepared;
  const datasetHash = await new DatasetStore(deps.redis, deps.prefix).put(prepared.encodedDataset);
  const sweepId = sweepIdOf(spec, datasetHash);
  const store = new SweepStore(deps.redis, deps.prefix);
  const record: SweepRecord = {
    sweepId,
    spec,
    datasetHash,
    shape: { timesteps: dataset.train.timesteps, features: dataset.train.features, trainSamples: dataset.train.n },
    trials: spec.method === 'tpe' ? (spec.count ?? 0) : trials.length,
    createdAt: new Date().toISOString(),
  };
  const isNew = await store.createSweep(record, trials);
  // tpe sweeps start empty: the first `parallelism` trials are suggested now, the rest as results arrive.
  const enqueued =
    spec.method === 'tpe'
      ? await topUpSweep((await store.getSweep(sweepId)) ?? record, deps)
      : await queueMissingTrials(record, trials, deps, { retryFailed: false, isNew });
  return { sweepId, trials: record.trials, enqueued };
}
