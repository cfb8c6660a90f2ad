import { UserError } from '../util/errors.js';
import { queueMissingTrials } from '../queue/queue-trials.js';
import { queueBaseline } from '../queue/queue-baseline.js';
import { baselineOf } from '../definition/sweep-spec.js';
import type { EnqueueDeps, EnqueueSummary } from './enqueue.js';
import { topUpSweep } from '../search/suggester.js';

/**
 * Queues again the trials of a stored sweep that are missing (no result, no job: lost, or
 * removed by cancel) or failed; finished trials and queued jobs are left alone. Needs no spec
 * file or dataset on this host: both are in Redis.
 */
export async function resumeSweep(sweepId: string, deps: EnqueueDeps): Promise<EnqueueSummary> {
  const { store } = deps;
  const sweep = await store.getSweep(sweepId);
  if (!sweep) throw new UserError(`no sweep "${sweepId}" under prefix "${store.prefix}" to resume`);
  if (!(await deps.datasets.has(sweep.datasetHash))) {
    throw new UserError(`the dataset of sweep ${sweepId} is no longer in Redis; enqueue the spec file again instead`);
  }
  const { queued, baselineQueued } = await store.withEnqueueLock(sweepId, async () => {
    await store.clearCancel(sweepId);
    const baselineQueued = await queueBaseline(sweep, deps, { retryFailed: true });
    return { queued: await queueMissingTrials(sweep, await store.getTrials(sweepId), deps, { retryFailed: true }), baselineQueued };
  });
  const enqueued = queued + (await topUpSweep(sweep, deps));
  return { sweepId, trials: sweep.trials, enqueued, ...(baselineOf(sweep.spec) === 'none' ? {} : { baselineQueued }) };
}
