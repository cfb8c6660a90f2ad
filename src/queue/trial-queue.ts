import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { SweepSpec } from '../definition/sweep-spec.js';
import type { QueueKeyNames } from '../store/queue-jobs.js';
import { TRIAL_QUEUE, trialJobId, type TrialJob } from './trial-job.js';
import { BASELINE_JOB, baselineJobId, type BaselineJob } from './baseline-job.js';

export type RetryPolicy = SweepSpec['retry'];

/**
 * Retries cover transient failures (a crashed process, a lost connection); deterministic
 * failures are thrown as UnrecoverableError by the worker and never retried. Results live in
 * the store, so finished jobs can be dropped from the queue early.
 */
export function trialJobOptions(retry: RetryPolicy): JobsOptions {
  return {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
}

export function createTrialQueue(connection: ConnectionOptions, prefix: string): Queue<TrialJob> {
  const queue = new Queue<TrialJob>(TRIAL_QUEUE, { connection, prefix });
  // Connection errors surface through the commands that fail (and are retried where safe);
  // BullMQ also re-emits them here, where an unhandled 'error' event would crash the process.
  queue.on('error', () => undefined);
  return queue;
}

/** Adds trial jobs; jobs whose id already exists in the queue are left as they are. */
export async function addTrialJobs(queue: Queue<TrialJob>, jobs: TrialJob[], retry: RetryPolicy): Promise<void> {
  const options = trialJobOptions(retry);
  const CHUNK = 1000;
  for (let i = 0; i < jobs.length; i += CHUNK) {
    await queue.addBulk(
      jobs.slice(i, i + CHUNK).map((data) => ({
        name: 'trial',
        data,
        opts: { ...options, jobId: trialJobId(data.sweepId, data.trialId) },
      })),
    );
  }
}

/** Adds a sweep's baseline job (same queue and retry policy as its trials); an existing one is left as it is. */
export async function addBaselineJob(queue: Queue<TrialJob>, job: BaselineJob, retry: RetryPolicy): Promise<void> {
  // The queue carries both payloads; its type names the trial one, which most code handles.
  const shared = queue as unknown as Queue<BaselineJob>;
  // lifo: at the front of the queue, so the reference is there early in the sweep.
  await shared.add(BASELINE_JOB, job, { ...trialJobOptions(retry), jobId: baselineJobId(job.sweepId), lifo: true });
}

/** The queue's key names as BullMQ gives them, for the store's bulk job lookups and removals. */
export function queueKeyNames(queue: Queue<TrialJob>): QueueKeyNames {
  const k = queue.keys;
  return {
    wait: k.wait!,
    paused: k.paused!,
    delayed: k.delayed!,
    prioritized: k.prioritized!,
    active: k.active!,
    failed: k.failed!,
    jobPrefix: queue.toKey(''),
  };
}
