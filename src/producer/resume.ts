import { SweepStore } from '../store/sweep-store.js';
import { UserError } from '../util/errors.js';
import type { EnqueueSummary } from './enqueue.js';
import { queueMissingTrials, type QueueDeps } from './queue-trials.js';
import { topUpSweep } from '../search/suggester.js';

/**
 * Queues again the trials of a stored sweep that are missing (no result, no job: lost, or
 * removed by cancel) or failed; finished trials and queued jobs are left alone. Needs no spec
 * file or dataset on this host: both are in Redis.
 */
export async function resumeSweep(sweepId: string, deps: QueueDeps): Promise<EnqueueSummary> {
  const store = new SweepStore(deps.redis, deps.prefix);
  const sweep = await store.getSweep(sweepId);
  if (!sweep) throw new UserError(`no sweep "${sweepId}" under prefix "${deps.prefix}" to resume`);
  if ((await deps.redis.exists(store.keys.dataset(sweep.datasetHash))) !== 1) {
    throw new UserError(`the dataset of sweep ${sweepId} is no longer in Redis; enqueue the spec file again instead`);
  }
  await store.clearCancel(sweepId);
  const trials = await store.getTrials(sweepId);
  const enqueued = (await queueMissingTrials(sweep, trials, deps, { retryFailed: true })) + (await topUpSweep(sweep, deps));
  return { sweepId, trials: sweep.trials, enqueued };
}
