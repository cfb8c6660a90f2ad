import type { Queue } from 'bullmq';
import type { Trial } from '../definition/trials.js';
import type { SweepRecord } from '../store/records.js';
import type { SweepStore } from '../store/sweep-store.js';
import { trialJobId, type TrialJob } from './trial-job.js';
import { addTrialJobs, queueKeyNames } from './trial-queue.js';

/** What writes jobs needs: the store (results, marks) and the trial queue. */
export interface QueueDeps {
  store: SweepStore;
  queue: Queue<TrialJob>;
}

/** Failed jobs removed at once (each is one small script; replies are pipelined). */
const REMOVE_BATCH = 1000;

export function jobFor(sweep: SweepRecord, trial: Trial): TrialJob {
  return {
    sweepId: sweep.sweepId,
    trialId: trial.trialId,
    datasetHash: sweep.datasetHash,
    validationSplit: sweep.spec.dataset.validationSplit,
    splitSeed: sweep.spec.dataset.splitSeed,
    normalize: sweep.spec.dataset.normalize,
    ...(sweep.spec.dataset.protocol === 'cv' ? { cvFolds: sweep.spec.dataset.folds } : {}),
    metric: sweep.spec.metric,
    config: trial.config,
    dryRun: sweep.spec.dryRun,
    ...(sweep.spec.earlyTerminate
      ? { earlyTerminate: { minEpochs: sweep.spec.earlyTerminate.minEpochs, reductionFactor: sweep.spec.earlyTerminate.reductionFactor } }
      : {}),
  };
}

/**
 * Adds a job for every trial that has no result and no job in the queue; with `retryFailed`,
 * also replaces the jobs of trials that failed for good. Returns how many jobs were added. The
 * caller holds the sweep's enqueue lock (or, for tpe suggestions, its suggest lock), so what
 * it reports are jobs it added itself; `isNew`: the sweep was created under that lock just now,
 * with all its trials counted as not queued.
 */
export async function queueMissingTrials(
  sweep: SweepRecord,
  trials: Trial[],
  deps: QueueDeps,
  opts: { retryFailed: boolean; isNew?: boolean },
): Promise<number> {
  const { store, queue } = deps;
  // A sweep created just now has no results, jobs or marks to look up.
  if (opts.isNew) return addJobs(sweep, trials, deps);
  const done = await store.resultIds(sweep.sweepId);
  const open = trials.filter((t) => !done.has(t.trialId));
  const states = await store.queuedJobStates(
    queueKeyNames(queue),
    open.map((t) => trialJobId(sweep.sweepId, t.trialId)),
  );
  const toAdd: Trial[] = [];
  const failedJobs: string[] = [];
  for (const [i, trial] of open.entries()) {
    const state = states[i]!;
    if (state === 'queued' || (state === 'failed' && !opts.retryFailed)) continue;
    if (state === 'failed') failedJobs.push(trialJobId(sweep.sweepId, trial.trialId));
    toAdd.push(trial);
  }
  // A failed job keeps its id taken: it is removed before its trial is added again.
  for (let i = 0; i < failedJobs.length; i += REMOVE_BATCH) {
    await Promise.all(failedJobs.slice(i, i + REMOVE_BATCH).map((id) => queue.remove(id)));
  }
  await store.queuing(
    sweep.sweepId,
    toAdd.map((t) => t.trialId),
  );
  return addJobs(sweep, toAdd, deps);
}

/** Jobs added per BullMQ call; the store's not-queued count follows each. */
const CHUNK = 1000;

/**
 * Adds the trials' jobs chunk by chunk, counting each chunk as queued once BullMQ has it. A
 * failure (Redis out of memory, say) leaves the count at what is really queued, up to one chunk:
 * the next `enqueue` or `enqueue --resume` finds and adds the rest.
 */
async function addJobs(sweep: SweepRecord, trials: Trial[], { store, queue }: QueueDeps): Promise<number> {
  for (let i = 0; i < trials.length; i += CHUNK) {
    const chunk = trials.slice(i, i + CHUNK);
    try {
      await addTrialJobs(
        queue,
        chunk.map((t) => jobFor(sweep, t)),
        sweep.spec.retry,
      );
    } catch (err) {
      throw await store.explainError(err);
    }
    await store.jobsQueued(sweep.sweepId, chunk.length);
  }
  return trials.length;
}
