import { encodeDataset } from '../data/codec.js';
import type { Dataset } from '../data/types.js';
import { loadDataset } from '../data/load.js';
import { resolveProtocol } from '../data/dataset-spec.js';
import type { LoadedSpec } from '../definition/load-spec.js';
import { countTrials, type Trial } from '../definition/trials.js';
import { baselineOf, type BaselineChoice, type SweepSpec } from '../definition/sweep-spec.js';
import { MAX_TRAIN_SERIES } from '../model/minirocket/limits.js';
import type { DatasetStore } from '../store/dataset-store.js';
import { UserError } from '../util/errors.js';
import { sweepIdOf } from './sweep-id.js';
import { DEFAULT_MAX_TRIAL_MEMORY_MB, checkTrialSizes } from './trial-size.js';
import { queueMissingTrials, type QueueDeps } from '../queue/queue-trials.js';
import { queueBaseline } from '../queue/queue-baseline.js';
import { expandTrials } from '../search/initial-trials.js';
import { topUpSweep } from '../search/suggester.js';
import { ObjectiveFitError, fitDryRun } from '../search/objective-fit.js';
import { sweepSpace } from '../search/space.js';
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
  /** the sweep's baseline job was added now (absent: the sweep has no baseline) */
  baselineQueued?: boolean;
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
  opts: { yes?: boolean; maxTrialMemoryMb?: number; maxDatasetMb?: number } = {},
): Promise<PreparedSweep> {
  const planned = countTrials(spec);
  if (planned >= LARGE_SWEEP && !opts.yes) {
    throw new UserError(`this sweep expands to ${planned.toLocaleString('en-US')} trials; re-run with --yes to enqueue it`);
  }
  const dataset = await loadDataset(spec.dataset, {
    baseDir,
    classes: MAX_CLASSES,
    ...(opts.maxDatasetMb !== undefined ? { maxDatasetMb: opts.maxDatasetMb } : {}),
  });
  const counts = checkClasses(dataset, spec);
  // Stored as resolved: the record says whether the sweep has a baseline, whatever the defaults become.
  const resolved = {
    ...withResolvedProtocol(spec, dataset.train.n, Math.min(...counts)),
    baseline: resolveBaseline(spec, dataset.train.n),
  };
  checkSamplesPerClass(resolved, counts);
  checkDryRunObjective(resolved);
  const trials = expandTrials(resolved);
  const classes = counts.length;
  // A dry run builds no model: its trials may be any size (queue load tests).
  if (!resolved.dryRun) checkTrialSizes(resolved, trials, dataset.train, classes, opts.maxTrialMemoryMb ?? DEFAULT_MAX_TRIAL_MEMORY_MB);
  return { spec: resolved, trials, dataset, encodedDataset: encodeDataset(dataset) };
}

/** A dry run on a synthetic objective needs parameters that map onto its dimensions (objective-fit.ts). */
function checkDryRunObjective(spec: SweepSpec): void {
  try {
    fitDryRun(spec.dryRun, sweepSpace(spec.parameters));
  } catch (err) {
    if (err instanceof ObjectiveFitError) throw new UserError(err.message);
    throw err;
  }
}

/**
 * The sweep's baseline as stored: the spec's, or its default (baselineOf). MiniRocket's
 * leave-one-out ridge takes at most MAX_TRAIN_SERIES training series: past that the default is
 * `none`, and an explicit `minirocket` is refused before anything is stored.
 */
function resolveBaseline(spec: SweepSpec, trainSamples: number): BaselineChoice {
  if (trainSamples <= MAX_TRAIN_SERIES) return baselineOf(spec);
  if (spec.baseline === 'minirocket') {
    throw new UserError(
      `baseline: minirocket takes at most ${MAX_TRAIN_SERIES.toLocaleString('en-US')} training series and ${spec.dataset.train} has ${trainSamples.toLocaleString('en-US')}: use baseline: none`,
    );
  }
  return 'none';
}

/** Replaces `protocol: auto` by what it means for this train file (so the stored spec and its id say it). */
function withResolvedProtocol(spec: SweepSpec, trainSamples: number, smallestClass: number): SweepSpec {
  const protocol = resolveProtocol(
    spec.dataset.protocol,
    trainSamples,
    spec.earlyTerminate !== undefined,
    spec.dataset.folds,
    smallestClass,
  );
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
  // One producer at a time per sweep: whoever creates it adds its jobs, and another producer of
  // the same spec, started at the same moment, then finds them queued and reports 0 added.
  const { enqueued, baselineQueued } = await store.withEnqueueLock(sweepId, async () => {
    const isNew = await store.createSweep(record, trials);
    // The stored record, not this producer's: its settings make the jobs workers check against.
    const stored = isNew ? record : ((await store.getSweep(sweepId)) ?? record);
    const baselineQueued = await queueBaseline(stored, deps, { retryFailed: false, isNew });
    // tpe sweeps start empty: the first `parallelism` trials are suggested now, the rest as results arrive.
    if (spec.method === 'tpe') return { enqueued: await topUpSweep(stored, deps), baselineQueued };
    return { enqueued: await queueMissingTrials(record, trials, deps, { retryFailed: false, isNew }), baselineQueued };
  });
  return { sweepId, trials: record.trials, enqueued, ...(baselineOf(spec) === 'none' ? {} : { baselineQueued }) };
}

/**
 * What the validation protocol needs of the train file, checked before anything is stored (a
 * trial that cannot split its data would fail on every worker): under holdout every class needs
 * a series to train on and one to validate on; under k-fold cross-validation every class needs
 * at least k series, so that each fold validates on every class.
 */
function checkSamplesPerClass(spec: SweepSpec, counts: number[]): void {
  const { protocol, folds, train } = spec.dataset;
  const needed = protocol === 'cv' ? folds : 2;
  const short = counts.flatMap((n, c) => (n < needed ? [`class ${c} has ${n}`] : []));
  if (short.length === 0) return;
  const shown = short.length > 5 ? `${short.slice(0, 5).join(', ')}, ...` : short.join(', ');
  const why =
    protocol === 'cv'
      ? `${folds}-fold cross-validation needs at least ${folds} series of every class: lower dataset.folds, or use protocol: holdout`
      : 'the holdout protocol needs at least 2 series of every class (one to train on, one to validate on): add series of these classes, or drop them';
  throw new UserError(`${train}: ${shown} series in the train file; ${why}`);
}

/**
 * Two classes train one sigmoid output; more train a softmax (head dense only). Every class
 * 0..k-1 must occur in the training file, or the labels are not what the user thinks. Returns the
 * number of training series of each class.
 */
function checkClasses(dataset: Dataset, spec: SweepSpec): number[] {
  // Loops, not Math.max(...labels): a spread of a million labels overflows the call stack.
  const counts: number[] = [];
  for (const label of dataset.train.y) counts[label] = (counts[label] ?? 0) + 1;
  let k = counts.length;
  for (const label of dataset.test?.y ?? []) k = Math.max(k, label + 1);
  const missing = Array.from({ length: k }, (_, c) => c).filter((c) => !counts[c]);
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
  return counts;
}
