/**
 * The sandboxed BullMQ processor: runs in a child process so that training never blocks the
 * event loop that renews job locks. One child trains one trial at a time and is reused.
 * A packing worker's trainer (pack-trainer.ts) runs the same `trainJob` for many jobs at once.
 */
import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import { readEnv } from '../config/env.js';
import type { EngineChoice } from '../model/choices.js';
import { initBackend } from '../model/index.js';
import { configureProcessPacker, DEFAULT_PACK } from '../model/gpu/packer.js';
import { TrialJobSchema } from '../queue/trial-job.js';
import { ArtifactStore, parseArtifactLocation, type ArtifactLocation } from '../store/artifact-store.js';
import { DatasetStore } from '../store/dataset-store.js';
import { createRedis, type RedisClient } from '../store/redis.js';
import { SweepStore } from '../store/sweep-store.js';
import { formatZodIssues } from '../util/errors.js';
import { isRedisOutOfMemory } from '../store/redis-errors.js';
import { log } from '../util/logger.js';
import { isRefusedJob, runTrial } from './run-trial.js';
import { runBaseline } from './run-baseline.js';
import { BASELINE_JOB, BaselineJobSchema } from '../queue/baseline-job.js';
import { trainerRedisUrl } from './trainer-login.js';

// If the worker process dies (kill -9), its job is re-delivered elsewhere: stop training
// here instead of finishing an orphaned copy of the trial.
process.on('disconnect', () => process.exit(0));

interface ChildContext {
  redis: RedisClient;
  store: SweepStore;
  datasets: DatasetStore;
  artifacts: { store: ArtifactStore; location: ArtifactLocation };
  engine: EngineChoice;
}

let context: Promise<ChildContext> | undefined;

async function createContext(): Promise<ChildContext> {
  const env = readEnv();
  await initBackend(env.LSW_BACKEND);
  // the gpu engine's packs: as many slots as the worker takes jobs at once, on the adapter asked for
  if (env.LSW_ENGINE === 'gpu') {
    configureProcessPacker({
      capacity: env.LSW_PACK ?? DEFAULT_PACK,
      ...(env.LSW_GPU_ADAPTER !== undefined ? { adapter: env.LSW_GPU_ADAPTER } : {}),
    });
  }
  const redis = createRedis(trainerRedisUrl(env.REDIS_URL), { persistent: true });
  return {
    redis,
    store: new SweepStore(redis, env.LSW_PREFIX),
    datasets: new DatasetStore(redis, env.LSW_PREFIX, env.LSW_CACHE_DIR),
    artifacts: { store: new ArtifactStore(redis, env.LSW_PREFIX), location: parseArtifactLocation(env.LSW_ARTIFACTS) },
    engine: env.LSW_ENGINE,
  };
}

export interface ProcessorReturn {
  status: 'completed' | 'already-done' | 'cancelled' | 'superseded';
  metrics?: unknown;
}

/**
 * Set when a trial failed in this process: its engine (wasm memory, tfjs backend) may be left in
 * any state, e.g. a 4 GB instance that traps on every later access. Such a process trains nothing
 * more: it exits, and BullMQ forks a fresh one for the next trial.
 */
let poisoned = false;
/** The worker removes a retiring trainer from its pool at once (worker.ts); this is the fallback. */
const RETIRE_AFTER_MS = 2_000;

/** Marks the error so the worker retires this process (`retireTrainer`: its pid), and makes sure it goes. */
function retire(reason: unknown): void {
  poisoned = true;
  log('trainer.retired', { pid: process.pid, reason: reason instanceof Error ? reason.message : String(reason) });
  if (reason instanceof Error) Object.assign(reason, { retireTrainer: process.pid });
  setTimeout(() => process.exit(0), RETIRE_AFTER_MS);
}

/** Longest wait between two tries of a trial that Redis had no memory for. */
const MAX_POSTPONE_MS = 60_000;

/**
 * Redis refused a write for lack of memory: nothing about the trial is wrong, so it must not use
 * up its attempts (three refused writes in a row would fail it for good). It goes back to the
 * queue, delayed with exponential backoff (2 s, 4 s, ... up to a minute) and with its attempts
 * untouched, and this trainer, whose engine is fine, stays in the pool. When Redis cannot even
 * take the job back, the error stands: BullMQ cannot record a failure either, and the job is
 * re-delivered once its lock lapses.
 */
async function postpone(job: TrainerJob, token: string | undefined, err: unknown, store: SweepStore): Promise<never> {
  const started = job.attemptsStarted ?? 1;
  const delay = Math.min(MAX_POSTPONE_MS, 2_000 * 2 ** Math.min(10, Math.max(0, started - 1)));
  const data = job.data as { sweepId?: string; trialId?: string };
  const baseline = job.name === BASELINE_JOB;
  log('trial.postponed', { jobId: job.id, delayMs: delay, reason: err instanceof Error ? err.message : String(err) });
  try {
    await job.moveToDelayed(Date.now() + delay, token);
  } catch {
    throw err;
  }
  // Deleting never needs memory: the trial shows as waiting again, not as training.
  if (baseline && data.sweepId) await store.clearBaselineActive(data.sweepId).catch(() => undefined);
  else if (data.sweepId && data.trialId) await store.clearActive(data.sweepId, data.trialId).catch(() => undefined);
  throw Object.assign(new Error(`Redis is out of memory: trial postponed by ${delay / 1000} s`), { name: 'DelayedError' });
}

/** What training needs of a BullMQ job: BullMQ's sandboxed job, or the pack trainer's shim of one (pack-trainer.ts). */
export type TrainerJob = Pick<SandboxedJob, 'id' | 'name' | 'data' | 'updateProgress' | 'moveToWait' | 'moveToDelayed'> & {
  attemptsStarted?: number;
};

/** How a trainer process treats a failed trial. */
export interface TrainerPolicy {
  /**
   * Sandboxed: the process trains one trial at a time, so after a failure it retires (a fresh one
   * takes the next trial). A pack trainer holds other trials in flight: a failure fails its trial only.
   */
  retireAfterFailure: boolean;
}

/** BullMQ's sandboxed processor (the worker's default mode). */
export default function processTrial(job: SandboxedJob, token?: string, signal?: AbortSignal): Promise<ProcessorReturn> {
  return trainJob(job, token, signal, { retireAfterFailure: true });
}

export async function trainJob(
  job: TrainerJob,
  token: string | undefined,
  signal: AbortSignal | undefined,
  policy: TrainerPolicy,
): Promise<ProcessorReturn> {
  if (poisoned) {
    // A job handed to this process in the moment before it exits goes back to the queue
    // untouched (no attempt used), for a fresh process.
    await job.moveToWait(token);
    throw Object.assign(new Error('trainer process retiring after a failed trial: job handed back'), { name: 'WaitingError' });
  }
  if (job.name === BASELINE_JOB) return processBaseline(job, token, signal);
  // Nothing from the payload is used before this validation, and nothing but its fields after.
  const parsed = TrialJobSchema.safeParse(job.data);
  if (!parsed.success) {
    throw new UnrecoverableError(`invalid trial job payload: ${formatZodIssues(parsed.error)}`);
  }
  context ??= createContext();
  const { store, datasets, artifacts, engine } = await context;
  const outcome = await runTrial(parsed.data, {
    store,
    datasets,
    artifacts,
    engine,
    onProgress: (p) => job.updateProgress(p),
    signal,
  }).catch(async (err: unknown) => {
    if (isRedisOutOfMemory(err) || isRedisOutOfMemory((err as { cause?: unknown })?.cause)) {
      return postpone(job, token, err, store);
    }
    if (policy.retireAfterFailure && !isRefusedJob(err)) retire(err);
    throw err;
  });
  return outcome.status === 'cancelled' || outcome.status === 'superseded'
    ? outcome
    : { status: outcome.status, metrics: outcome.result.metrics };
}

/**
 * The sweep's baseline job (run-baseline.ts): validated and postponed (Redis out of memory) as a
 * trial is. A failed one does not retire the process: MiniRocket is plain JavaScript and leaves
 * no engine state behind.
 */
async function processBaseline(job: TrainerJob, token?: string, signal?: AbortSignal): Promise<ProcessorReturn> {
  const parsed = BaselineJobSchema.safeParse(job.data);
  if (!parsed.success) {
    throw new UnrecoverableError(`invalid baseline job payload: ${formatZodIssues(parsed.error)}`);
  }
  context ??= createContext();
  const { store, datasets, artifacts } = await context;
  const outcome = await runBaseline(parsed.data, {
    store,
    datasets,
    artifacts,
    onProgress: (p) => job.updateProgress(p),
    signal,
  }).catch(async (err: unknown) => {
    if (isRedisOutOfMemory(err) || isRedisOutOfMemory((err as { cause?: unknown })?.cause)) {
      return postpone(job, token, err, store);
    }
    throw err;
  });
  return outcome.status === 'cancelled' || outcome.status === 'superseded'
    ? outcome
    : { status: outcome.status, metrics: outcome.result.metrics };
}
