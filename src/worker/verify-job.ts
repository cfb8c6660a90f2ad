import { trialIdOf } from '../definition/trials.js';
import { jobFor } from '../queue/queue-trials.js';
import { TrialJobSchema, type TrialJob } from '../queue/trial-job.js';
import type { SweepRecord } from '../store/records.js';
import type { SweepStore } from '../store/sweep-store.js';
import { LswError } from '../util/errors.js';
import { canonicalJson } from '../util/hash.js';

/** Sweep records are immutable in everything a job is made of: read once per process (bounded). */
const sweeps = new Map<string, SweepRecord>();
const MAX_CACHED_SWEEPS = 256;

/**
 * A worker trains only what `enqueue` (or the suggester) queued: a job whose sweep does not
 * exist, whose config does not hash to its trial id, or whose settings differ in any field from
 * the job its stored sweep makes for that trial, was made or altered outside lstm-sweep. It fails
 * at once (deterministic), before anything is written. The store checks, in the same step that
 * starts the trial, that the sweep holds the trial (SweepStore.startTrial). Returns the stored sweep.
 */
export async function verifyJob(job: TrialJob, store: SweepStore): Promise<SweepRecord> {
  if (trialIdOf(job.config) !== job.trialId) {
    throw new LswError(`job ${job.sweepId}.${job.trialId}: its config is not the config of trial ${job.trialId}`, 'deterministic');
  }
  let sweep = sweeps.get(job.sweepId);
  if (!sweep) {
    sweep = await store.getSweep(job.sweepId);
    if (!sweep)
      throw new LswError(
        `job ${job.sweepId}.${job.trialId}: there is no sweep "${job.sweepId}" under prefix "${store.prefix}"`,
        'deterministic',
      );
    if (sweeps.size >= MAX_CACHED_SWEEPS) sweeps.clear();
    sweeps.set(job.sweepId, sweep);
  }
  const expected: Record<string, unknown> = TrialJobSchema.parse(jobFor(sweep, { trialId: job.trialId, config: job.config }));
  const actual: Record<string, unknown> = job;
  const differs = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].filter(
    (field) => canonicalJson(expected[field] ?? null) !== canonicalJson(actual[field] ?? null),
  );
  if (differs.length > 0) {
    throw new LswError(`job ${job.sweepId}.${job.trialId} differs from its stored sweep in ${differs.join(', ')}`, 'deterministic');
  }
  return sweep;
}
