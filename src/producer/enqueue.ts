import { encodeDataset } from '../data/codec.js';
import type { Dataset } from '../data/types.js';
import { loadDataset } from '../data/load.js';
import { resolveProtocol } from '../data/dataset-spec.js';
import type { LoadedSpec } from '../definition/load-spec.js';
import { countTrials, type Trial } from '../definition/trials.js';
import type { SweepSpec } from '../definition/sweep-spec.js';
import type { DatasetStore } from '../store/dataset-store.js';
import { UserError } from '../util/errors.js';
import { sweepIdOf } from './sweep-id.js';
import { DEFAULT_MAX_TRIAL_MEMORY_MB, checkTrialSizes } from './trial-size.js';
import { queueMissingTrials, type QueueDeps } from '../queue/queue-trials.js';
import { expandTrials } from '../search/initial-trials.js';
import { topUpSweep } from '../search/suggester.js';
import type { SweepRecord } from '../store/records.js';

/** Sweeps larger than this need an explicit confirmation (`--yes`). */
export const LARGE_SWEEP = 100_000;
/** Labels are class indices 0..k-1; k is read from the data, up to this many. */
const MAX_CLASSES = 1000;

export interface EnqueueDeps extends QueueDeps {
  datasets: DatasetStore;
}

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
export async function prepareSweep(
  { spec, baseDir }: LoadedSpec,
  opts: { yes?: boolean; maxTrialMemoryMb?: number } = {},
): Promise<PreparedSweep> {
  const planned = countTrials(spec);
  if (planned >= LARGE_SWEEP && !opts.yes) {
    throw new UserError(`this sweep expands to ${planned.toLocaleString('en-US')} trials; re-run with --yes to enqueue it`);
  }
  const dataset = await loadDataset(spec.dataset, { baseDir, classes: MAX_CLASSES });
  checkClasses(dataset, spec);
  const resolved = withResolvedProtocol(spec, dataset.train.n);
  const trials = expandTrials(resolved);
  const classes = Math.max(...dataset.train.y) + 1;
  // A dry run builds no model: its trials may be any size (queue load tests).
  if (!resolved.dryRun) checkTrialSizes(resolved, trials, dataset.train, classes, opts.maxTrialMemoryMb ?? DEFAULT_MAX_TRIAL_MEMORY_MB);
  return { spec: resolved, trials, dataset, encodedDataset: encodeDataset(dataset) };
}

/** Replaces `protocol: auto` by what it means for this train file (so the stored spec and its id say it). */
function withResolvedProtocol(spec: SweepSpec, trainSamples: number): SweepSpec {
  const protocol = resolveProtocol(spec.dataset.protocol, trainSamples, spec.earlyTerminate !== undefined, spec.dataset.folds);
  if (protocol === 'cv' && spec.earlyTerminate) {
    throw new UserError(
      'earlyTerminate (ASHA) compares trials epoch by epoch on one validation split: use dataset.protocol: holdout with it, or drop earlyTerminate',
    );
  }
  if (protocol === 'cv' && trainSamples < spec.dataset.folds) {
    throw new UserError(
      `dataset.folds is ${spec.dataset.folds} but the train file has only ${trainSamples} series: lower folds or use protocol: holdout`,
    );
  }
  return { ...spec, dataset: { ...spec.dataset, protocol } };
}

/**
 * Stores the dataset, the sweep and its trials, and adds a job for each trial that has
 * neither a result nor a job yet.
 */
export async function enqueueSweep(prepared: PreparedSweep, deps: EnqueueDeps): Promise<EnqueueSummary> {
  const { spec, trials, dataset } = prepared;
  const { store } = deps;
  const datasetHash = await deps.datasets.put(prepared.encodedDataset);
  const sweepId = sweepIdOf(spec, datasetHash);
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

/**
 * Two classes train one sigmoid output; more train a softmax (head dense only). Every class
 * 0..k-1 must occur in the training file, or the labels are not what the user thinks.
 */
function checkClasses(dataset: Dataset, spec: SweepSpec): void {
  const seen = new Set(dataset.train.y);
  const k = Math.max(...seen, ...(dataset.test ? dataset.test.y : [])) + 1;
  const missing = Array.from({ length: k }, (_, c) => c).filter((c) => !seen.has(c));
  if (missing.length > 0) {
    throw new UserError(
      `${spec.dataset.train}: labels must be the classes 0..${k - 1}, each present in the training file; missing: ${missing.join(', ')}`,
    );
  }
  const heads: unknown[] = Array.isArray(spec.parameters.head) ? spec.parameters.head : ['dense'];
  if (k > 2 && heads.includes('lstm')) {
    throw new UserError(
      `${spec.dataset.train} has ${k} classes: the lstm head is binary only; sweep head: [dense] (a softmax over ${k} classes)`,
    );
  }
}
