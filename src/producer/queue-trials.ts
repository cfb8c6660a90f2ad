import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { addTrialJobs } from '../queue/trial-queue.js';
import { trialJobId, type TrialJob } from '../queue/trial-job.js';
import type { Trial } from '../definition/trials.js';
import type { SweepRecord } from '../store/records.js';
import { SweepStore } from '../store/sweep-store.js';

export interface QueueDeps {
  redis: Redis;
  queue: Queue<TrialJob>;
  prefix: string;
}

type JobState = 'none' | 'failed' | 'queued';

/** Where each trial's job is, in two pipelined round trips whatever the sweep size. */
async function jobStates(deps: QueueDeps, jobIds: string[]): Promise<JobState[]> {
  const pipeline = deps.redis.pipeline();
  for (const id of jobIds) {
    pipeline.exists(deps.queue.toKey(id));
    pipeline.zscore(deps.queue.toKey('failed'), id);
  }
  const replies = (await pipeline.exec()) ?? [];
  return jobIds.map((_, i) => {
    if (replies[2 * i]?.[1] !== 1) return 'none';
    return replies[2 * i + 1]?.[1] !== null ? 'failed' : 'queued';
  });
}

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
 * also replaces the jobs of trials that failed for good. Returns how many jobs were added.
 */
export async function queueMissingTrials(
  sweep: SweepRecord,
  trials: Trial[],
  deps: QueueDeps,
  opts: { retryFailed: boolean; isNew?: boolean },
): Promise<number> {
  const store = new SweepStore(deps.redis, deps.prefix);
  if (opts.isNew) {
    // A sweep created just now has no results, jobs or marks to look up.
    await addTrialJobs(deps.queue, trials.map((t) => jobFor(sweep, t)), sweep.spec.retry);
    return trials.length;
  }
  const done = await store.resultIds(sweep.sweepId);
  const open = trials.filter((t) => !done.has(t.trialId));
  const states = await jobStates(deps, open.map((t) => trialJobId(sweep.sweepId, t.trialId)));
  const toAdd: Trial[] = [];
  for (const [i, trial] of open.entries()) {
    const state = states[i]!;
    if (state === 'queued' || (state === 'failed' && !opts.retryFailed)) continue;
    if (state === 'failed') await deps.queue.remove(trialJobId(sweep.sweepId, trial.trialId));
    toAdd.push(trial);
  }
  await store.forgetEnded(sweep.sweepId, toAdd.map((t) => t.trialId));
  await addTrialJobs(deps.queue, toAdd.map((t) => jobFor(sweep, t)), sweep.spec.retry);
  return toAdd.length;
}
