import { fileURLToPath } from 'node:url';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { TRIAL_QUEUE, TrialJobSchema, type TrialJob } from '../queue/trial-job.js';
import { SweepStore } from '../store/sweep-store.js';
import { log } from '../util/logger.js';
import { workerName } from '../util/worker-name.js';

export interface WorkerOptions {
  redisUrl: string;
  prefix: string;
  backend: string;
  cacheDir: string;
  /** Trials trained at once, each in its own child process (wasm is single-threaded: one per core). */
  concurrency: number;
  /** Pins a tensorflow-backend worker to one GPU. */
  gpu?: number;
  /**
   * Lock settings: training runs outside this process's event loop, so locks are renewed on
   * time and can be short, which lets a crashed worker's trial be picked up again quickly.
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface RunningWorker {
  worker: Worker<TrialJob>;
  close(): Promise<void>;
}

const processorFile = fileURLToPath(new URL('./processor.js', import.meta.url));

/** What the sandboxed trainer processes are told through their environment. */
export function trainerEnv(opts: WorkerOptions, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    REDIS_URL: opts.redisUrl,
    LSW_PREFIX: opts.prefix,
    LSW_BACKEND: opts.backend,
    LSW_CACHE_DIR: opts.cacheDir,
    // Must be set before tfjs-node-gpu loads in the child, hence the environment.
    ...(opts.gpu !== undefined ? { CUDA_VISIBLE_DEVICES: String(opts.gpu) } : {}),
  };
}

export async function startWorker(redis: Redis, opts: WorkerOptions): Promise<RunningWorker> {
  const childEnv = trainerEnv(opts);
  const store = new SweepStore(redis, opts.prefix);
  const worker = new Worker<TrialJob>(TRIAL_QUEUE, processorFile, {
    connection: redis,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    lockDuration: opts.lockDurationMs ?? 15_000,
    stalledInterval: opts.stalledIntervalMs ?? 5_000,
    maxStalledCount: 2,
    workerForkOptions: { env: childEnv },
  });
  const name = workerName();

  worker.on('active', (job: Job<TrialJob>) => {
    log('trial.start', { worker: name, jobId: job.id, attempt: job.attemptsStarted, config: job.data.config });
  });
  worker.on('completed', (job: Job<TrialJob>, value: { metrics?: unknown } | undefined) => {
    log('trial.end', {
      worker: name,
      jobId: job.id,
      status: 'completed',
      durationMs: (job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now()),
      metrics: value?.metrics,
    });
  });
  worker.on('failed', (job: Job<TrialJob> | undefined, err: Error) => {
    const final = job?.finishedOn !== undefined;
    log('trial.end', { worker: name, jobId: job?.id, status: final ? 'failed' : 'retrying', reason: err.message });
    if (job && final) void recordFailure(store, job, err, name);
  });
  worker.on('error', (err) => log('worker.error', { worker: name, reason: err.message }, process.stderr));

  await worker.waitUntilReady();
  log('worker.ready', { worker: name, queue: TRIAL_QUEUE, prefix: opts.prefix, concurrency: opts.concurrency });
  return {
    worker,
    // Waits for the trials in progress to finish; takes no new ones meanwhile.
    close: () => worker.close(),
  };
}

async function recordFailure(store: SweepStore, job: Job<TrialJob>, err: Error, worker: string): Promise<void> {
  const parsed = TrialJobSchema.safeParse(job.data);
  if (!parsed.success) return; // nothing to attach the failure to; BullMQ keeps the failed job
  try {
    await store.saveFailure({
      sweepId: parsed.data.sweepId,
      trialId: parsed.data.trialId,
      config: parsed.data.config,
      reason: err.message,
      attempts: job.attemptsStarted || job.attemptsMade,
      worker,
      failedAt: new Date().toISOString(),
    });
  } catch (e) {
    log('worker.error', { worker, reason: `could not record failure: ${(e as Error).message}` }, process.stderr);
  }
}
