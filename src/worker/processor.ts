/**
 * The sandboxed BullMQ processor: runs in a child process so that training never blocks the
 * event loop that renews job locks. One child trains one trial at a time and is reused.
 */
import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import { readEnv } from '../config/env.js';
import type { EngineChoice } from '../model/choices.js';
import { initBackend } from '../model/index.js';
import { TrialJobSchema } from '../queue/trial-job.js';
import { ArtifactStore, parseArtifactLocation, type ArtifactLocation } from '../store/artifact-store.js';
import { DatasetStore } from '../store/dataset-store.js';
import { createRedis, type RedisClient } from '../store/redis.js';
import { SweepStore } from '../store/sweep-store.js';
import { formatZodIssues } from '../util/errors.js';
import { log } from '../util/logger.js';
import { isRefusedJob, runTrial } from './run-trial.js';
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

export default async function processTrial(job: SandboxedJob, token?: string, signal?: AbortSignal): Promise<ProcessorReturn> {
  if (poisoned) {
    // A job handed to this process in the moment before it exits goes back to the queue
    // untouched (no attempt used), for a fresh process.
    await job.moveToWait(token);
    throw Object.assign(new Error('trainer process retiring after a failed trial: job handed back'), { name: 'WaitingError' });
  }
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
  }).catch((err: unknown) => {
    if (!isRefusedJob(err)) retire(err);
    throw err;
  });
  return outcome.status === 'cancelled' || outcome.status === 'superseded'
    ? outcome
    : { status: outcome.status, metrics: outcome.result.metrics };
}
