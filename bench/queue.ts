/**
 * Queue throughput benchmark: lstm-sweep's real path (dry-run sweep, real producer, real worker
 * processes with sandboxed trainers) side by side with bare BullMQ (same job count, same job
 * options, same ~3 ms processor, same number of worker processes and concurrency).
 *
 *   npm run bench:queue -- [--json] [--trials N] [--workers K] [--concurrency C] [--timeout S] [--no-warmup]
 *
 * Latency of a trial = the time its result was written (lstm-sweep: the result's `finishedAt`;
 * bare: the time the processor recorded) minus the job's BullMQ `timestamp` (set when the
 * producer's addBulk created it; read from the Job objects addBulk returns). Throughput = trials
 * / wall time, wall time = last result written minus the start of the enqueue call (so enqueue
 * cost counts). Workers are started and warmed up (every sandbox child forked, tfjs loaded)
 * before the clock starts.
 *
 * Lost = trials without a result when all others are done (or at the timeout). Duplicated = jobs
 * that ran to completion more than once: lstm-sweep: more than one `trial.end` line with status
 * completed for the job id in the workers' JSON logs; bare: the processor's per-job run counter.
 * `redelivered` (lstm-sweep: more than one `trial.start` line) and `attemptsOver1` (results
 * with attempts > 1) are reported as well.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { writeSyntheticUcr } from '../src/data/synthetic.js';
import { enqueueSweep, prepareSweep, type PreparedSweep } from '../src/producer/enqueue.js';
import { createTrialQueue, trialJobOptions } from '../src/queue/trial-queue.js';
import type { TrialJob } from '../src/queue/trial-job.js';
import { loadSpecFile } from '../src/definition/load-spec.js';
import { Keys } from '../src/store/keys.js';
import { DatasetStore } from '../src/store/dataset-store.js';
import { SweepStore } from '../src/store/sweep-store.js';
import {
  drySweepSpec,
  BARE_QUEUE,
  CLI,
  REDIS_URL,
  bareKeys,
  benchPrefix,
  groupCpu,
  redisCpuMs,
  deletePrefix,
  latencySummary,
  onInterrupt,
  parseArgs,
  round,
  spawnGroup,
  stopAll,
  type LatencySummary,
  type Spawned,
} from './common.js';

/**
 * Measured on the 2-core dev box (10,000 trials, 8 workers): lstm-sweep 434-627 trials/s at 1,
 * 504 at 2, 447 at 4 (all within noise of each other) with 8, 16 and 32 trainer children; 1 is kept
 * as the lightest. Override with --concurrency.
 */
const DEFAULT_CONCURRENCY = 1;

export interface SideResult {
  trialsPerSec: number;
  latencyMs: LatencySummary;
  lost: number;
  duplicated: number;
  wallMs: number;
  enqueueMs: number;
  completed: number;
  failed: number;
  redelivered: number;
  attemptsOver1: number;
  warmupMs: number;
  timedOut: boolean;
  /**
   * CPU ms per trial between the start of the enqueue and the last result: worker processes,
   * their sandbox children, redis-server (shared: includes any other client), this process
   * (producer + polling). Absent off Linux.
   */
  cpuMsPerTrial?: { workerMain: number; sandboxChildren: number; redis: number; producer: number; total: number };
}

interface CpuSnapshot {
  group: ReturnType<typeof groupCpu>;
  redisMs: number;
  self: NodeJS.CpuUsage;
}

async function cpuSnapshot(redis: Redis, workers: Spawned[]): Promise<CpuSnapshot> {
  return { group: groupCpu(workers.map((w) => w.child.pid!)), redisMs: await redisCpuMs(redis), self: process.cpuUsage() };
}

function cpuPerTrial(a: CpuSnapshot, b: CpuSnapshot, trials: number): SideResult['cpuMsPerTrial'] {
  if (!a.group || !b.group || trials === 0) return undefined;
  const per = (ms: number) => round(ms / trials, 3);
  const workerMain = b.group.leadersMs - a.group.leadersMs;
  const sandboxChildren = b.group.othersMs - a.group.othersMs;
  const redis = b.redisMs - a.redisMs;
  const producer = (b.self.user + b.self.system - a.self.user - a.self.system) / 1000;
  return {
    workerMain: per(workerMain),
    sandboxChildren: per(sandboxChildren),
    redis: per(redis),
    producer: per(producer),
    total: per(workerMain + sandboxChildren + redis + producer),
  };
}

export interface QueueBenchResult {
  trials: number;
  workers: number;
  concurrency: number;
  lstmSweep: SideResult;
  bareBullmq: SideResult;
  ratio: number;
}

interface Options {
  trials: number;
  workers: number;
  concurrency: number;
  timeoutMs: number;
  warmup: boolean;
  tmp: string;
  redis: Redis;
  children: Spawned[];
}

const progress = (msg: string) => process.stderr.write(`[bench:queue] ${msg}\n`);

/** Wraps queue.addBulk to record each created job's BullMQ timestamp under a key of ours. */
function recordTimestamps<T>(queue: Queue<T>, keyOf: (job: Job) => string, into: Map<string, number>): void {
  const addBulk = queue.addBulk.bind(queue);
  queue.addBulk = (async (jobs: Parameters<typeof addBulk>[0]) => {
    const added = await addBulk(jobs);
    for (const job of added) into.set(keyOf(job as Job), job.timestamp);
    return added;
  }) as typeof queue.addBulk;
}

async function waitUntil(check: () => Promise<boolean>, deadline: number, pollMs = 100): Promise<boolean> {
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(pollMs);
  }
}

async function waitReady(workers: Spawned[], ready: () => number, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (ready() < workers.length) {
    const dead = workers.find((w) => w.child.exitCode !== null);
    if (dead) throw new Error(`${what} worker exited early (code ${dead.child.exitCode}): ${dead.stderrTail()}`);
    if (Date.now() > deadline) throw new Error(`${what} workers not ready after 60 s`);
    await sleep(50);
  }
}

async function prepare(tmp: string, name: string, count: number): Promise<PreparedSweep> {
  const file = path.join(tmp, `${name}.json`);
  await writeFile(file, JSON.stringify(drySweepSpec(name, count)));
  return prepareSweep(await loadSpecFile(file), { yes: true });
}

/** (a) lstm-sweep: real producer, `lstm-sweep worker` processes, results in lstm-sweep's store. */
async function benchLstmSweep(o: Options, prefix: string): Promise<SideResult & { trialCount: number }> {
  await writeSyntheticUcr(path.join(o.tmp, 'data'), { trainSize: 16, testSize: 8, timesteps: 8, seed: 7 });
  const prepared = await prepare(o.tmp, 'bench-queue', o.trials);
  const warm = await prepare(o.tmp, 'bench-warmup', o.workers * o.concurrency * 4);

  const starts = new Map<string, number>();
  const completions = new Map<string, number>();
  let ready = 0;
  const onLine = (line: string) => {
    if (!line.startsWith('{')) return;
    if (line.includes('"worker.ready"')) ready++;
    if (!line.includes('"trial.')) return;
    const ev = JSON.parse(line) as { event: string; jobId?: string; status?: string };
    if (ev.jobId === undefined) return;
    if (ev.event === 'trial.start') starts.set(ev.jobId, (starts.get(ev.jobId) ?? 0) + 1);
    if (ev.event === 'trial.end' && ev.status === 'completed') completions.set(ev.jobId, (completions.get(ev.jobId) ?? 0) + 1);
  };
  const workers = Array.from({ length: o.workers }, () =>
    spawnGroup(
      [
        CLI,
        'worker',
        '--redis',
        REDIS_URL,
        '--prefix',
        prefix,
        '--concurrency',
        String(o.concurrency),
        '--backend',
        'wasm',
        '--cache-dir',
        path.join(o.tmp, 'cache'),
        '--grace',
        '5',
      ],
      { onLine },
    ),
  );
  o.children.push(...workers);
  await waitReady(workers, () => ready, 'lstm-sweep');

  const keys = new Keys(prefix);
  const queue = createTrialQueue(o.redis, prefix);
  const enqueueDeps = { store: new SweepStore(o.redis, prefix), datasets: new DatasetStore(o.redis, prefix), queue };
  const enqueuedAt = new Map<string, number>();
  recordTimestamps(queue, (job) => (job.data as TrialJob).trialId, enqueuedAt);
  const done = async (sweepId: string, n: number) => {
    const [[, r], [, f]] = (await o.redis.multi().hlen(keys.results(sweepId)).hlen(keys.failures(sweepId)).exec()) as [
      [unknown, number],
      [unknown, number],
    ];
    return r + f >= n;
  };

  let warmupMs = 0;
  if (o.warmup) {
    const w0 = Date.now();
    const s = await enqueueSweep(warm, enqueueDeps);
    if (!(await waitUntil(() => done(s.sweepId, s.trials), Date.now() + 60_000))) throw new Error('lstm-sweep warm-up timed out');
    warmupMs = Date.now() - w0;
    progress(`lstm-sweep: ${o.workers} workers x ${o.concurrency} warmed up in ${warmupMs} ms`);
  }

  enqueuedAt.clear();
  const cpu0 = await cpuSnapshot(o.redis, workers);
  const t0 = Date.now();
  const summary = await enqueueSweep(prepared, enqueueDeps);
  const enqueueMs = Date.now() - t0;
  progress(`lstm-sweep: enqueued ${summary.trials} trials in ${enqueueMs} ms (sweep ${summary.sweepId})`);
  const finishedInTime = await waitUntil(() => done(summary.sweepId, summary.trials), t0 + o.timeoutMs, 100);
  const cpu1 = await cpuSnapshot(o.redis, workers);
  await stopAll(workers);
  await queue.close();

  const results = (await o.redis.hvals(keys.results(summary.sweepId))).map(
    (text) => JSON.parse(text) as { trialId: string; finishedAt: string; attempts: number },
  );
  const failed = await o.redis.hlen(keys.failures(summary.sweepId));
  const finished = results.map((r) => Date.parse(r.finishedAt));
  const latencies = results.map((r, i) => finished[i]! - (enqueuedAt.get(r.trialId) ?? t0));
  const wallMs = Math.max(...finished) - t0;
  const mine = (counts: Map<string, number>) => [...counts].filter(([jobId, n]) => jobId.startsWith(`${summary.sweepId}.`) && n > 1).length;
  return {
    trialCount: summary.trials,
    trialsPerSec: round((results.length / wallMs) * 1000),
    latencyMs: latencySummary(latencies),
    lost: summary.trials - results.length,
    duplicated: mine(completions),
    wallMs,
    enqueueMs,
    completed: results.length,
    failed,
    redelivered: mine(starts),
    attemptsOver1: results.filter((r) => r.attempts > 1).length,
    warmupMs,
    timedOut: !finishedInTime,
    cpuMsPerTrial: cpuPerTrial(cpu0, cpu1, results.length),
  };
}

/** (b) bare BullMQ: bench/bare-worker.ts processes, same job options and payloads. */
async function benchBare(o: Options, prefix: string, trialCount: number): Promise<SideResult> {
  let ready = 0;
  const workers = Array.from({ length: o.workers }, () =>
    spawnGroup(
      [
        '--import',
        'tsx',
        path.join('bench', 'bare-worker.ts'),
        '--redis',
        REDIS_URL,
        '--prefix',
        prefix,
        '--concurrency',
        String(o.concurrency),
      ],
      { onLine: (line) => void (line.includes('"worker.ready"') && ready++) },
    ),
  );
  o.children.push(...workers);
  await waitReady(workers, () => ready, 'bare BullMQ');

  const keys = bareKeys(prefix);
  // Same payload sizes as lstm-sweep's jobs: the trial configs of the same spec.
  const prepared = await prepare(o.tmp, 'bench-queue', o.trials);
  const options = trialJobOptions(prepared.spec.retry);
  const queue = new Queue<object>(BARE_QUEUE, { connection: o.redis, prefix });
  const enqueuedAt = new Map<string, number>();
  recordTimestamps(queue, (job) => job.id!, enqueuedAt);
  const add = async (ids: string[]) => {
    for (let i = 0; i < ids.length; i += 1000) {
      await queue.addBulk(
        ids.slice(i, i + 1000).map((jobId, j) => ({
          name: 'trial',
          data: { jobId, config: prepared.trials[(i + j) % prepared.trials.length]!.config },
          opts: { ...options, jobId },
        })),
      );
    }
  };
  const count = async () => o.redis.hlen(keys.finished);

  let warmupMs = 0;
  let warmCount = 0;
  if (o.warmup) {
    const w0 = Date.now();
    warmCount = o.workers * o.concurrency * 4;
    await add(Array.from({ length: warmCount }, (_, i) => `warm.${i}`));
    if (!(await waitUntil(async () => (await count()) >= warmCount, Date.now() + 60_000))) throw new Error('bare warm-up timed out');
    warmupMs = Date.now() - w0;
  }

  enqueuedAt.clear();
  const ids = Array.from({ length: trialCount }, (_, i) => `bare.${i}`);
  const cpu0 = await cpuSnapshot(o.redis, workers);
  const t0 = Date.now();
  await add(ids);
  const enqueueMs = Date.now() - t0;
  progress(`bare BullMQ: enqueued ${trialCount} jobs in ${enqueueMs} ms`);
  const finishedInTime = await waitUntil(async () => (await count()) >= warmCount + trialCount, t0 + o.timeoutMs, 100);
  const cpu1 = await cpuSnapshot(o.redis, workers);
  await stopAll(workers);
  await queue.close();

  const runs = await o.redis.hgetall(keys.runs);
  const finishedAll = await o.redis.hgetall(keys.finished);
  const done = ids.filter((id) => finishedAll[id] !== undefined);
  const finished = done.map((id) => Number(finishedAll[id]));
  const latencies = done.map((id, i) => finished[i]! - (enqueuedAt.get(id) ?? t0));
  const wallMs = Math.max(...finished) - t0;
  const failed = await o.redis.zcard(`${prefix}:${BARE_QUEUE}:failed`);
  return {
    trialsPerSec: round((done.length / wallMs) * 1000),
    latencyMs: latencySummary(latencies),
    lost: trialCount - done.length,
    duplicated: ids.filter((id) => Number(runs[id] ?? 0) > 1).length,
    wallMs,
    enqueueMs,
    completed: done.length,
    failed,
    redelivered: ids.filter((id) => Number(runs[id] ?? 0) > 1).length,
    attemptsOver1: 0,
    warmupMs,
    timedOut: !finishedInTime,
    cpuMsPerTrial: cpuPerTrial(cpu0, cpu1, done.length),
  };
}

function formatSide(name: string, s: SideResult): string {
  const l = s.latencyMs;
  return (
    `${name.padEnd(12)} ${String(s.trialsPerSec).padStart(8)} trials/s  wall ${String(s.wallMs).padStart(6)} ms ` +
    `(enqueue ${s.enqueueMs} ms)  latency p50 ${l.p50} p90 ${l.p90} p99 ${l.p99} max ${l.max} ms  ` +
    `lost ${s.lost} duplicated ${s.duplicated} failed ${s.failed}${s.timedOut ? '  TIMED OUT' : ''}` +
    (s.cpuMsPerTrial
      ? `\n${''.padEnd(13)}CPU ms/trial: worker ${s.cpuMsPerTrial.workerMain}, sandbox children ${s.cpuMsPerTrial.sandboxChildren}, ` +
        `redis ${s.cpuMsPerTrial.redis}, producer ${s.cpuMsPerTrial.producer}, total ${s.cpuMsPerTrial.total}`
      : '')
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    flags: ['json', 'no-warmup'],
    numbers: ['trials', 'workers', 'concurrency', 'timeout'],
  });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'lswbench-queue-'));
  const prefixes = { lsw: benchPrefix('q'), bare: benchPrefix('bare') };
  const o: Options = {
    trials: Math.floor(args.numbers.get('trials') ?? 10_000),
    workers: Math.floor(args.numbers.get('workers') ?? 8),
    concurrency: Math.floor(args.numbers.get('concurrency') ?? DEFAULT_CONCURRENCY),
    timeoutMs: (args.numbers.get('timeout') ?? 120) * 1000,
    warmup: !args.flags.has('no-warmup'),
    tmp,
    redis,
    children: [],
  };
  const cleanup = onInterrupt(async () => {
    await stopAll(o.children, 3000);
    for (const p of Object.values(prefixes)) await deletePrefix(redis, p);
    await rm(tmp, { recursive: true, force: true });
    redis.disconnect();
  });
  try {
    progress(`${o.trials} trials, ${o.workers} workers, concurrency ${o.concurrency}; prefixes ${prefixes.lsw}, ${prefixes.bare}`);
    const { trialCount, ...lstmSweep } = await benchLstmSweep(o, prefixes.lsw);
    const bareBullmq = await benchBare(o, prefixes.bare, trialCount);
    const result: QueueBenchResult = {
      trials: trialCount,
      workers: o.workers,
      concurrency: o.concurrency,
      lstmSweep,
      bareBullmq,
      ratio: round(lstmSweep.trialsPerSec / bareBullmq.trialsPerSec, 3),
    };
    if (args.flags.has('json')) {
      console.log(JSON.stringify(result));
    } else {
      console.log(
        `queue benchmark: ${result.trials} dry-run trials, ${result.workers} worker processes, concurrency ${result.concurrency}`,
      );
      console.log(formatSide('lstm-sweep', lstmSweep));
      console.log(formatSide('bare BullMQ', bareBullmq));
      console.log(`ratio (lstm-sweep / bare BullMQ throughput): ${result.ratio}`);
    }
    process.exitCode = lstmSweep.lost + lstmSweep.duplicated + bareBullmq.lost + bareBullmq.duplicated > 0 ? 1 : 0;
  } finally {
    await cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(`bench:queue failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
