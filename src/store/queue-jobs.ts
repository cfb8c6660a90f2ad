import type { RedisClient } from './redis.js';
import { runScript } from './commands.js';

/**
 * The key names of one BullMQ queue, as BullMQ itself gives them (`queue.keys`, and
 * `queue.toKey('')` for the prefix of its job hashes): the store never builds them.
 */
export interface QueueKeyNames {
  wait: string;
  paused: string;
  delayed: string;
  prioritized: string;
  active: string;
  failed: string;
  /** `<prefix>:<queue>:`, followed by a job id names the job's hash */
  jobPrefix: string;
}

/** Where a job is: no job, in the queue (waiting, delayed, active, or kept after completing), failed for good. */
export type QueuedJobState = 'none' | 'queued' | 'failed';

/** Jobs removed per script call, so that no single call blocks Redis for long. */
const REMOVE_BATCH = 10_000;
/** A trial id (src/definition/ids.ts TRIAL_ID) as a Lua pattern. */
const TRIAL_ID_LUA = `^${'[0-9a-f]'.repeat(16)}$`;
/** Job ids per job-states call. */
const STATE_BATCH = 1000;

/**
 * Removes every queued (not active) job whose id is `jobIdPrefix` followed by a trial id (or by
 * what the Lua pattern `rest` matches), in a few atomic one-pass steps of up to REMOVE_BATCH jobs;
 * returns their ids and how many such jobs are active.
 */
export async function removeQueuedJobs(
  redis: RedisClient,
  keys: QueueKeyNames,
  jobIdPrefix: string,
  batch = REMOVE_BATCH,
  rest = TRIAL_ID_LUA,
): Promise<{ removed: string[]; active: number }> {
  const removed: string[] = [];
  for (;;) {
    const [active, ids] = (await runScript(
      redis,
      'remove-queued-jobs',
      5,
      keys.wait,
      keys.paused,
      keys.delayed,
      keys.prioritized,
      keys.active,
      keys.jobPrefix,
      jobIdPrefix,
      batch,
      rest,
    )) as [number, string[]];
    removed.push(...ids);
    if (ids.length < batch) return { removed, active };
  }
}

/** The state of each job, in order: one O(1) lookup per job, STATE_BATCH jobs per call. */
export async function queuedJobStates(redis: RedisClient, keys: QueueKeyNames, jobIds: string[]): Promise<QueuedJobState[]> {
  const names: QueuedJobState[] = ['none', 'queued', 'failed'];
  const states: QueuedJobState[] = [];
  for (let i = 0; i < jobIds.length; i += STATE_BATCH) {
    const codes = (await runScript(redis, 'job-states', 1, keys.failed, keys.jobPrefix, ...jobIds.slice(i, i + STATE_BATCH))) as number[];
    for (const code of codes) states.push(names[code]!);
  }
  return states;
}
