import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker, type Job } from 'bullmq';
import type { RedisClient } from '../store/redis.js';
import { TRIAL_QUEUE, TrialJobSchema, type TrialJob } from '../queue/trial-job.js';
import { createTrialQueue } from '../queue/trial-queue.js';
import { topUpSweep } from '../search/suggester.js';
import type { SweepRecord } from '../store/records.js';
import { isRedisOutOfMemory } from '../store/redis-errors.js';
import { SweepStore } from '../store/sweep-store.js';
import { log } from '../util/logger.js';
import { workerName } from '../util/worker-name.js';
import type { ProcessorReturn } from './processor.js';
import { trainerLogin, type TrainerLogin } from './trainer-login.js';
import { PackTrainer } from './pack-host.js';
import { verifyJob } from './verify-job.js';
import { BASELINE_JOB, BaselineJobSchema, baselineJobFor } from '../queue/baseline-job.js';
import { canonicalJson } from '../util/hash.js';

export interface WorkerOptions {
  redisUrl: string;
  prefix: string;
  backend: string;
  /** training engine: auto | fast | layers (default auto) */
  engine?: string;
  cacheDir: string;
  /** where trained models are kept: redis | none | a directory */
  artifacts: string;
  /** Trials trained at once, each in its own child process (wasm is single-threaded: one per core). */
  concurrency: number;
  /**
   * Packing: up to this many trials at once in ONE trainer process (pack-trainer.ts), where the
   * gpu engine trains them as one pack; `concurrency` is then unused. Absent: sandboxed, one
   * process per trial.
   */
  pack?: number;
  /** Pins the worker to one GPU: CUDA_VISIBLE_DEVICES for the tensorflow backend, the WebGPU adapter for the gpu engine. */
  gpu?: number;
  /**
   * Training runs outside this process's event loop, so locks are renewed on time and can be
   * short: a killed worker's trial is re-delivered after at most lockDuration + stalledInterval.
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** more fields for the worker.ready line (how the engine was chosen) */
  readyFields?: Record<string, unknown>;
}

export const DEFAULT_LOCK_MS = 10_000;
export const DEFAULT_STALLED_INTERVAL_MS = 3_000;

export interface RunningWorker {
  worker: Worker<TrialJob>;
  /**
   * Takes no new trials and waits up to `graceMs` for the current ones; trials still
   * training then are handed back to the queue (not counted as failed) for another worker.
   */
  shutdown(graceMs: number): Promise<{ handedBack: number }>;
}

const OOM_LOG_MS = 10_000;
const OOM_REASON = 'Redis is out of memory (maxmemory reached): it refuses writes until memory is freed or maxmemory raised';

const processorFile = fileURLToPath(new URL('./processor.js', import.meta.url));

/**
 * What the sandboxed trainer processes are told through their environment. Never the Redis
 * password: `login` (trainer-login.ts) hands it over on an inherited descriptor.
 */
export function trainerEnv(opts: WorkerOptions, base: NodeJS.ProcessEnv, login: TrainerLogin): NodeJS.ProcessEnv {
  const { REDIS_URL: _url, REDIS_PASSWORD_FILE: _file, LSW_REDIS_PASSWORD_FD: _fd, ...rest } = base;
  return {
    ...rest,
    ...login.env,
    LSW_PREFIX: opts.prefix,
    LSW_BACKEND: opts.backend,
    ...(opts.engine ? { LSW_ENGINE: opts.engine } : {}),
    LSW_CACHE_DIR: opts.cacheDir,
    LSW_ARTIFACTS: opts.artifacts,
    LSW_WORKER_NAME: workerName(),
    ...(opts.pack !== undefined ? { LSW_PACK: String(opts.pack) } : {}),
    ...gpuEnv(opts),
  };
}

function gpuEnv(opts: WorkerOptions): NodeJS.ProcessEnv {
  if (opts.gpu === undefined) return {};
  if (opts.engine === 'gpu') return { LSW_GPU_ADAPTER: String(opts.gpu) };
  // Must be set before tfjs-node-gpu loads in the child, hence the environment.
  return { CUDA_VISIBLE_DEVICES: String(opts.gpu) };
}

export async function startWorker(redis: RedisClient, opts: WorkerOptions): Promise<RunningWorker> {
  const store = new SweepStore(redis, opts.prefix);
  const login = trainerLogin(opts.redisUrl);
  const env = trainerEnv(opts, process.env, login);
  const common = {
    connection: redis,
    prefix: opts.prefix,
    lockDuration: opts.lockDurationMs ?? DEFAULT_LOCK_MS,
    stalledInterval: opts.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
    maxStalledCount: 2,
  };
  const packer = opts.pack !== undefined ? new PackTrainer({ env, ...(login.stdio ? { stdio: login.stdio } : {}) }) : undefined;
  const worker = packer
    ? new Worker<TrialJob, ProcessorReturn>(TRIAL_QUEUE, (job, token, signal) => packer.run(job, token, signal), {
        ...common,
        concurrency: opts.pack!,
      })
    : new Worker<TrialJob, ProcessorReturn>(TRIAL_QUEUE, processorFile, {
        ...common,
        concurrency: opts.concurrency,
        workerForkOptions: { env, ...(login.stdio ? { stdio: login.stdio } : {}) },
      });
  if (!packer) retireFailedTrainers(worker);
  const name = workerName();
  const active = new Map<string, Job<TrialJob>>();
  // tpe sweeps: whoever sees a trial end suggests the next ones (see src/search/suggester.ts).
  const queue = createTrialQueue(redis, opts.prefix);
  const sweeps = new Map<string, Promise<SweepRecord | undefined>>();
  const suggestNext = async (job: Job<TrialJob> | undefined) => {
    const sweepId = job?.data?.sweepId;
    if (typeof sweepId !== 'string') return;
    if (!sweeps.has(sweepId)) sweeps.set(sweepId, store.getSweep(sweepId));
    const sweep = await sweeps.get(sweepId);
    if (sweep?.spec.method !== 'tpe') return;
    try {
      const added = await topUpSweep(sweep, { store, queue });
      if (added > 0) log('sweep.suggested', { worker: name, sweepId, added });
    } catch (err) {
      log('worker.error', { worker: name, reason: `suggesting trials failed: ${(err as Error).message}` }, process.stderr);
    }
  };

  worker.on('active', (job: Job<TrialJob>) => {
    active.set(job.id!, job);
    if (job.name === BASELINE_JOB) log('baseline.start', { worker: name, jobId: job.id, attempt: job.attemptsStarted });
    else log('trial.start', { worker: name, jobId: job.id, attempt: job.attemptsStarted, config: job.data.config });
  });
  worker.on('completed', (job: Job<TrialJob>, value: ProcessorReturn | undefined) => {
    active.delete(job.id!);
    log(job.name === BASELINE_JOB ? 'baseline.end' : 'trial.end', {
      worker: name,
      jobId: job.id,
      status: value?.status ?? 'completed',
      durationMs: (job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now()),
      metrics: value?.metrics,
    });
    void suggestNext(job);
  });
  worker.on('failed', (job: Job<TrialJob> | undefined, err: Error) => {
    if (job) active.delete(job.id!);
    const final = job?.finishedOn !== undefined;
    log(job?.name === BASELINE_JOB ? 'baseline.end' : 'trial.end', {
      worker: name,
      jobId: job?.id,
      status: final ? 'failed' : 'retrying',
      reason: err.message,
    });
    if (job && final && job.name === BASELINE_JOB) void recordBaselineFailure(store, job, err, name);
    else if (job && final) void recordFailure(store, job, err, name).then(() => suggestNext(job));
  });
  // BullMQ's own writes (taking a job, renewing a lock) are refused too when Redis is full, and
  // its loop retries them thousands of times a second: say so once per OOM_LOG_MS, with a count.
  let oomLoggedAt = 0;
  let oomRepeated = 0;
  worker.on('error', (err) => {
    if (!isRedisOutOfMemory(err)) return log('worker.error', { worker: name, reason: err.message }, process.stderr);
    if (Date.now() - oomLoggedAt < OOM_LOG_MS) return void oomRepeated++;
    log('worker.error', { worker: name, reason: `${OOM_REASON} (${err.message})`, repeated: oomRepeated }, process.stderr);
    [oomLoggedAt, oomRepeated] = [Date.now(), 0];
  });

  await worker.waitUntilReady();
  log('worker.ready', {
    worker: name,
    queue: TRIAL_QUEUE,
    prefix: opts.prefix,
    ...(packer ? { pack: opts.pack } : { concurrency: opts.concurrency }),
    ...(opts.engine ? { engine: opts.engine } : {}),
    ...opts.readyFields,
  });

  return {
    worker,
    async shutdown(graceMs) {
      const finished = worker.close().then(async () => {
        await queue.close();
        return true;
      });
      if (await Promise.race([finished, sleep(graceMs).then(() => false)])) {
        await packer?.stop();
        return { handedBack: 0 };
      }
      let handedBack = 0;
      for (const job of active.values()) {
        try {
          // Releases the lock and puts the job back at the front of the queue, attempts untouched.
          await job.moveToWait(job.token);
          if (job.name === BASELINE_JOB) await store.clearBaselineActive(job.data.sweepId);
          else await store.clearActive(job.data.sweepId, job.data.trialId);
          handedBack++;
          log('trial.end', { worker: name, jobId: job.id, status: 'handed-back' });
        } catch (err) {
          log('worker.error', { worker: name, jobId: job.id, reason: `hand back failed: ${(err as Error).message}` }, process.stderr);
        }
      }
      // The pack trainer would train the handed-back trials on: stopped now, not when this process exits.
      await packer?.stop();
      return { handedBack };
    },
  };
}

/**
 * BullMQ hands a sandboxed child back to its pool after every job, and the next job to the same
 * child. A trainer whose trial failed may have a broken engine (processor.ts marks its error with
 * `retireTrainer`): it is taken out of the pool before the next job can be given to it, so the
 * next trial gets a fresh process. BullMQ offers no option for this, so it wraps the worker's
 * processor function and uses its child pool (internals of BullMQ 5/6, checked at start).
 */
function retireFailedTrainers(worker: Worker<TrialJob, ProcessorReturn>): void {
  type Child = { pid?: number };
  const internals = worker as unknown as {
    processFn?: (...args: unknown[]) => Promise<unknown>;
    childPool?: { free: Record<string, Child[]>; kill(child: Child, signal?: string): Promise<void> };
  };
  const run = internals.processFn;
  const pool = internals.childPool;
  if (typeof run !== 'function' || !pool || typeof pool.kill !== 'function' || typeof pool.free !== 'object') {
    log('worker.warning', { reason: 'this BullMQ has no child pool to retire failed trainers from: they exit by themselves after 2 s' });
    return;
  }
  internals.processFn = async function (this: unknown, ...args: unknown[]) {
    try {
      return await run.apply(this, args);
    } catch (err) {
      const pid = (err as { retireTrainer?: unknown }).retireTrainer;
      const child =
        typeof pid === 'number'
          ? Object.values(pool.free)
              .flat()
              .find((c) => c.pid === pid)
          : undefined;
      if (child) void pool.kill(child, 'SIGTERM').catch(() => undefined);
      throw err;
    }
  };
}

/** A baseline job that failed for good, on its sweep's baseline record (only a job its stored sweep makes). */
async function recordBaselineFailure(store: SweepStore, job: Job<TrialJob>, err: Error, worker: string): Promise<void> {
  const parsed = BaselineJobSchema.safeParse(job.data);
  if (!parsed.success) return;
  try {
    const sweep = await store.getSweep(parsed.data.sweepId);
    if (!sweep || canonicalJson(baselineJobFor(sweep)) !== canonicalJson(parsed.data)) return;
    await store.saveBaselineFailure(parsed.data.sweepId, {
      reason: err.message,
      attempts: job.attemptsStarted || job.attemptsMade,
      worker,
      failedAt: new Date().toISOString(),
    });
  } catch (e) {
    log('worker.error', { worker, reason: `could not record the baseline failure: ${(e as Error).message}` }, process.stderr);
  }
}

async function recordFailure(store: SweepStore, job: Job<TrialJob>, err: Error, worker: string): Promise<void> {
  const parsed = TrialJobSchema.safeParse(job.data);
  if (!parsed.success) return; // nothing to attach the failure to; BullMQ keeps the failed job
  try {
    // A job lstm-sweep did not make (its trainer refused it) must not mark a real trial failed.
    await verifyJob(parsed.data, store);
    const [stored] = await store.getTrialConfigs(parsed.data.sweepId, [parsed.data.trialId]);
    if (!stored) return;
  } catch {
    return;
  }
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
