import { baselineOf } from '../definition/sweep-spec.js';
import type { SweepRecord } from '../store/records.js';
import { baselineJobFor, baselineJobId } from './baseline-job.js';
import type { QueueDeps } from './queue-trials.js';
import { addBaselineJob } from './trial-queue.js';

/**
 * Adds the sweep's baseline job when the sweep has a baseline and it has neither a result nor a
 * job in the queue; with `retryFailed`, also replaces a job that failed for good. A job that
 * ended without a result (its sweep was cancelled as it started) is replaced too. The caller holds
 * the sweep's enqueue lock, and the job id is the sweep's, so it is never added twice. Returns
 * whether it added the job.
 */
export async function queueBaseline(
  sweep: SweepRecord,
  deps: QueueDeps,
  opts: { retryFailed: boolean; isNew?: boolean },
): Promise<boolean> {
  if (baselineOf(sweep.spec) === 'none') return false;
  const { store, queue } = deps;
  const jobId = baselineJobId(sweep.sweepId);
  if (!opts.isNew) {
    if ((await store.baselineState(sweep)).state === 'done') return false;
    // One job: BullMQ's own lookup is cheap enough, and tells a completed job from a queued one.
    const state = await queue.getJobState(jobId);
    if (state === 'failed' && !opts.retryFailed) return false;
    if (state !== 'unknown' && state !== 'failed' && state !== 'completed') return false;
    if (state !== 'unknown') await queue.remove(jobId);
  }
  await store.queuingBaseline(sweep.sweepId);
  try {
    await addBaselineJob(queue, baselineJobFor(sweep), sweep.spec.retry);
  } catch (err) {
    throw await store.explainError(err);
  }
  return true;
}
