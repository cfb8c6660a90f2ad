import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { TRIAL_QUEUE, trialJobId, type TrialJob } from './trial-job.js';

/**
 * Retries cover transient failures (a crashed process, a lost connection); deterministic
 * failures are thrown as UnrecoverableError by the worker and never retried.
 */
export const TRIAL_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

export function createTrialQueue(connection: ConnectionOptions, prefix: string): Queue<TrialJob> {
  return new Queue<TrialJob>(TRIAL_QUEUE, { connection, prefix });
}

/** Adds trial jobs; jobs whose id already exists in the queue are left as they are. */
export async function addTrialJobs(queue: Queue<TrialJob>, jobs: TrialJob[]): Promise<void> {
  const CHUNK = 1000;
  for (let i = 0; i < jobs.length; i += CHUNK) {
    await queue.addBulk(
      jobs.slice(i, i + CHUNK).map((data) => ({
        name: 'trial',
        data,
        opts: { ...TRIAL_JOB_OPTIONS, jobId: trialJobId(data.sweepId, data.trialId) },
      })),
    );
  }
}
