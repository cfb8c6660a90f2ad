import { trialJobId } from '../queue/trial-job.js';
import { baselineJobId } from '../queue/baseline-job.js';
import { queueKeyNames } from '../queue/trial-queue.js';
import { UserError } from '../util/errors.js';
import type { QueueDeps } from '../queue/queue-trials.js';

export interface CancelSummary {
  sweepId: string;
  /** waiting or delayed jobs removed from the queue */
  removed: number;
  /** trials being trained right now: they finish and keep their results */
  active: number;
  /** the sweep's baseline job: removed from the queue, or being trained (it finishes); absent otherwise */
  baseline?: 'removed' | 'active';
}

/**
 * Stops a sweep: its queued trials are removed (and recorded as cancelled); trials already
 * training finish; finished results are untouched. Workers skip any job of the sweep they
 * still receive. `enqueue --resume` undoes it.
 */
export async function cancelSweep(sweepId: string, deps: QueueDeps): Promise<CancelSummary> {
  const { store } = deps;
  if (!(await store.getSweep(sweepId))) throw new UserError(`no sweep "${sweepId}" under prefix "${store.prefix}"`);
  // The flag first, so a worker that takes a job while we remove the rest skips it.
  await store.requestCancel(sweepId);
  // All of the sweep's queued jobs in a few one-pass steps (job ids are "<sweepId>.<trialId>"),
  // not a lookup and a removal per trial: cancelling 100,000 trials takes seconds, not minutes.
  const { removed: jobIds, active } = await store.removeQueuedJobs(queueKeyNames(deps.queue), trialJobId(sweepId, ''));
  const removed = jobIds.map((jobId) => jobId.slice(sweepId.length + 1));
  await store.markCancelled(sweepId, removed);
  const baseline = await store.removeQueuedJob(queueKeyNames(deps.queue), baselineJobId(sweepId));
  if (baseline.removed) await store.markBaselineCancelled(sweepId);
  return {
    sweepId,
    removed: removed.length,
    active,
    ...(baseline.removed ? { baseline: 'removed' as const } : baseline.active ? { baseline: 'active' as const } : {}),
  };
}
