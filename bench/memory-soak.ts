/**
 * bench:memory --soak: N trials (default 2000) through a real BullMQ worker whose ONE sandboxed
 * trainer process (concurrency 1) trains them all, as a worker's trainer would over a long
 * sweep. The trainer's processor is bench/trainer-probe.ts (the built processor plus a memory
 * sample after a forced GC every `--every` trials), so the figures are the trainer's own.
 *
 *   npm run build && npm run bench:memory -- --soak [--trials 2000] [--every 10] [--dry-run] [--no-opt] [--json] [--compare before.json]
 *
 * --dry-run: trials that build no model (everything else as usual); --no-opt: the trainer runs
 * without V8's optimizing compilers, whose code otherwise keeps growing slowly for thousands of
 * trials: what is left is data the trainer retains.
 *
 * Reports heapUsed at trial 0, N/4, N/2, 3N/4 and N, the heap growth per trial (least-squares
 * slope of heapUsed over the second half: the warm-up of the first trials, JIT code and caches
 * filling up, is left out), RSS, tensors and the entries of tfjs-layers' tensor-name registry.
 * `--compare` prints an earlier run's --json output side by side (e.g. the code before a fix).
 * Exits 1 when tensors are left, or when the heap grows more than FLAT_BYTES_PER_TRIAL per trial
 * (judged from VERDICT_MIN_TRIALS trials on).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { TRIAL_QUEUE } from '../src/queue/trial-job.js';
import { addTrialJobs, createTrialQueue } from '../src/queue/trial-queue.js';
import { DEFAULT_LOCK_MS, DEFAULT_STALLED_INTERVAL_MS, trainerEnv } from '../src/worker/worker.js';
import { trainerLogin } from '../src/worker/trainer-login.js';
import { REDIS_URL, REPO_ROOT, benchPrefix, deletePrefix, onInterrupt, round, type parseArgs } from './common.js';
import { createBenchSweep, slope } from './memory-common.js';
import type { ProbeSample } from './trainer-probe.js';

/**
 * Heap growth per trial (second half) above which the trainer is not flat. Not 0: V8 keeps
 * optimizing more of the per-trial code for thousands of trials (measured: ~230 B/trial over trials
 * 1000-2000, and 4 B/trial with --no-opt, where the heap holds only data); the tensor-name leak
 * this catches was 1,580 B/trial.
 */
export const FLAT_BYTES_PER_TRIAL = 512;
/**
 * Trials a verdict needs: the heap after a forced GC wanders by a few hundred KB between samples,
 * so a slope over fewer trials says little (measured: +-1.1 KB/trial over windows of 200).
 */
export const VERDICT_MIN_TRIALS = 1000;

export interface SoakResult {
  mode: 'soak';
  trials: number;
  dryRun: boolean;
  /** the trainer ran without V8's optimizing compilers (--no-opt) */
  noOpt: boolean;
  /** distinct trainer processes that ran the trials: 1 unless one failed and was retired */
  trainerProcesses: number;
  durationMs: number;
  msPerTrial: number;
  sampleEvery: number;
  /** heapUsed after a forced GC at trial 0, N/4, N/2, 3N/4, N (keys: trial numbers) */
  heapUsedMbAt: Record<string, number>;
  /** least-squares slope of heapUsed (bytes) over the samples of the second half */
  bytesPerTrial: number;
  rssMb: { start: number; end: number; max: number };
  rssBytesPerTrial: number;
  tensors: { start: number; end: number };
  /** entries of tfjs-layers' tensor-name registry after trial 1 and at the end (null: not measurable in this build) */
  tensorNames: { afterTrial1: number | null; end: number | null };
  /** bytesPerTrial <= FLAT_BYTES_PER_TRIAL; null below VERDICT_MIN_TRIALS trials */
  flat: boolean | null;
  samples: Omit<ProbeSample, 'pid'>[];
}

const MB = 2 ** 20;
const progress = (msg: string) => process.stderr.write(`[bench:memory] ${msg}\n`);

export async function soak(args: ReturnType<typeof parseArgs>): Promise<void> {
  const trials = Math.floor(args.numbers.get('trials') ?? 2000);
  const every = Math.floor(args.numbers.get('every') ?? Math.max(1, Math.floor(trials / 200)));
  const dryRun = args.flags.has('dry-run');
  // --no-opt: the trainer runs without V8's optimizing compilers, so its heap holds data only
  const execArgv = args.flags.has('no-opt') ? [...process.execArgv, '--no-opt', '--no-maglev'] : undefined;
  const compare = args.strings.get('compare');
  const before = compare ? (JSON.parse(readFileSync(compare, 'utf8')) as SoakResult) : undefined;
  try {
    readFileSync(path.join(REPO_ROOT, 'dist', 'worker', 'processor.js'));
  } catch {
    throw new Error('dist/worker/processor.js is missing: run `npm run build` first (the trainer runs the built processor)');
  }

  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = benchPrefix('soak');
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'lsw-bench-soak-'));
  progress(`prefix ${prefix}`);
  let worker: Worker | undefined;
  const queue = createTrialQueue(redis, prefix);
  const cleanup = onInterrupt(async () => {
    await worker?.close(true);
    await queue.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
    rmSync(cacheDir, { recursive: true, force: true });
  });
  try {
    const { record, jobs } = await createBenchSweep(redis, prefix, trials, { dryRun });
    await addTrialJobs(queue, jobs, record.spec.retry);
    const env = trainerEnv(
      { redisUrl: REDIS_URL, prefix, backend: 'wasm', cacheDir, artifacts: 'redis', concurrency: 1 },
      process.env,
      trainerLogin(REDIS_URL),
    );
    const samples: ProbeSample[] = [];
    const failures: string[] = [];
    let ended = 0;
    const t0 = Date.now();
    const done = new Promise<void>((resolve) => {
      const end = () => {
        if (++ended === trials) resolve();
        if (ended % 100 === 0) {
          const s = samples[samples.length - 1];
          progress(`${ended}/${trials} trials, ${s ? `heapUsed ${round(s.heapUsed / MB, 2)} MB, rss ${round(s.rss / MB)} MB` : ''}`);
        }
      };
      worker = new Worker(TRIAL_QUEUE, fileURLToPath(new URL('./trainer-probe.ts', import.meta.url)), {
        connection: redis,
        prefix,
        concurrency: 1,
        lockDuration: DEFAULT_LOCK_MS,
        stalledInterval: DEFAULT_STALLED_INTERVAL_MS,
        maxStalledCount: 2,
        workerForkOptions: { env: { ...env, LSW_BENCH_SAMPLE_EVERY: String(every) }, ...(execArgv ? { execArgv } : {}) },
      });
      worker.on('completed', (_job, value: { samples?: ProbeSample[] } | undefined) => {
        samples.push(...(value?.samples ?? []));
        end();
      });
      worker.on('failed', (job, err) => {
        if (job?.finishedOn === undefined) return; // retried
        failures.push(err.message);
        end();
      });
      worker.on('error', (err) => progress(`worker error: ${err.message}`));
    });
    await done;
    const durationMs = Date.now() - t0;
    if (failures.length > 0) throw new Error(`${failures.length} trials failed, e.g. ${failures[0]}`);

    samples.sort((a, b) => a.trial - b.trial);
    const at = (trial: number) => [...samples].reverse().find((s) => s.trial <= trial) ?? samples[0]!;
    const second = samples.filter((s) => s.trial >= trials / 2);
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    const bytesPerTrial = Math.round(
      slope(
        second.map((s) => s.trial),
        second.map((s) => s.heapUsed),
      ),
    );
    const result: SoakResult = {
      mode: 'soak',
      trials,
      dryRun,
      noOpt: execArgv !== undefined,
      trainerProcesses: new Set(samples.map((s) => s.pid)).size,
      durationMs,
      msPerTrial: round(durationMs / trials, 1),
      sampleEvery: every,
      heapUsedMbAt: Object.fromEntries(
        [0, 0.25, 0.5, 0.75, 1].map((f) => {
          const trial = Math.round(trials * f);
          return [String(trial), round(at(trial).heapUsed / MB, 2)];
        }),
      ),
      bytesPerTrial,
      rssMb: { start: round(first.rss / MB), end: round(last.rss / MB), max: round(Math.max(...samples.map((s) => s.rss)) / MB) },
      rssBytesPerTrial: Math.round(
        slope(
          second.map((s) => s.trial),
          second.map((s) => s.rss),
        ),
      ),
      tensors: { start: first.tensors, end: last.tensors },
      tensorNames: { afterTrial1: samples.find((s) => s.trial === 1)?.tensorNames ?? null, end: last.tensorNames },
      flat: trials >= VERDICT_MIN_TRIALS ? bytesPerTrial <= FLAT_BYTES_PER_TRIAL : null,
      samples: samples.map(({ pid: _pid, ...s }) => s),
    };
    if (args.flags.has('json')) console.log(JSON.stringify(result));
    else printSoak(result, before);
    if (result.flat === false) {
      console.error(`heap grows ${result.bytesPerTrial} B per trial over the second half (flat: <= ${FLAT_BYTES_PER_TRIAL})`);
      process.exitCode = 1;
    }
    if (result.tensors.end !== result.tensors.start) {
      console.error(`tensor leak: ${result.tensors.end - result.tensors.start} tensors left after ${trials} trials`);
      process.exitCode = 1;
    }
  } finally {
    await cleanup();
  }
}

function printSoak(r: SoakResult, before?: SoakResult): void {
  const kind = (r.dryRun ? 'dry-run' : 'real (fast engine, models kept in Redis)') + (r.noOpt ? ', --no-opt' : '');
  console.log(
    `soak: ${r.trials} ${kind} trials in ${r.trainerProcesses} trainer process(es), ${(r.durationMs / 1000).toFixed(1)} s (${r.msPerTrial} ms/trial), sampled every ${r.sampleEvery}`,
  );
  const rows: [string, (x: SoakResult) => string | number | null][] = [
    ['trials (in trainer processes)', (x) => `${x.trials} (${x.trainerProcesses})`],
    ['heap growth, B/trial (2nd half)', (x) => x.bytesPerTrial],
    ...Object.keys(r.heapUsedMbAt).map((t): [string, (x: SoakResult) => number | null] => [
      `heapUsed MB at trial ${t}`,
      (x) => x.heapUsedMbAt[t] ?? null,
    ]),
    ['rss MB start / end', (x) => `${x.rssMb.start} / ${x.rssMb.end}`],
    ['rss growth, B/trial (2nd half)', (x) => x.rssBytesPerTrial],
    ['tensors start / end', (x) => `${x.tensors.start} / ${x.tensors.end}`],
    ['tensor-name registry after 1 / end', (x) => `${x.tensorNames.afterTrial1 ?? 'n/a'} / ${x.tensorNames.end ?? 'n/a'}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  if (before) console.log(`${''.padEnd(width)}  ${'before'.padStart(14)}  ${'now'.padStart(14)}`);
  for (const [label, get] of rows) {
    const now = String(get(r) ?? 'n/a');
    console.log(
      before
        ? `${label.padEnd(width)}  ${String(get(before) ?? 'n/a').padStart(14)}  ${now.padStart(14)}`
        : `${label.padEnd(width)}  ${now}`,
    );
  }
  if (r.flat === null) console.log(`no verdict below ${VERDICT_MIN_TRIALS} trials (the heap after GC wanders more than a leak shows)`);
  else console.log(r.flat ? `flat (<= ${FLAT_BYTES_PER_TRIAL} B/trial)` : `NOT flat (> ${FLAT_BYTES_PER_TRIAL} B/trial)`);
}
