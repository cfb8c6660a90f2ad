import { trialJobId } from '../queue/trial-job.js';
import { UserError } from '../util/errors.js';
import type { QueueDeps } from '../queue/queue-trials.js';

export interface CancelSummary {
  sweepId: string;
  /** waiting or delayed jobs removed from the queue */
  removed: number;
  /** trials being trained right now: they finish and keep their results */
  active: number;
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
  const done = await store.resultIds(sweepId);
  const removed: string[] = [];
  let active = 0;
  for (const { trialId } of await store.getTrials(sweepId)) {
    if (done.has(trialId)) continue;
    const job = await deps.queue.getJob(trialJobId(sweepId, trialId));
    if (!job) continue;
    const state = await job.getState();
    if (state === 'active') {
      active++;
    } else if (state !== 'completed' && state !== 'failed') {
      // remove() refuses a job that a worker locked in the meantime; that one just runs.
      if ((await deps.queue.remove(job.id!)) === 1) removed.push(trialId);
    }
  }
  await store.markCancelled(sweepId, removed);
  return { sweepId, removed: removed.length, active };
}
