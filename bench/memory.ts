/**
 * Memory benchmark: one process trains N real small trials in a row through the code a worker's
 * trainer child runs (`runTrial`, with a real SweepStore and DatasetStore on the real Redis
 * under a unique prefix, wasm backend), and records tensors and process memory before the
 * first trial and after each one.
 *
 *   npm run bench:memory -- [--json] [--trials 50]
 *
 * With --soak, N trials through one real sandboxed trainer process instead (./memory-soak.ts).
 *
 * A bounded process ends with as many tensors as it started with and its RSS plateaus: the
 * growth over the last 40 trials (slope of a least-squares line, MB/trial) should be ~0.
 * Samples are taken after a full GC when the GC can be triggered (it is enabled here via
 * v8.setFlagsFromString), so heapUsed is live memory, not garbage waiting to be collected.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { Redis } from 'ioredis';
import { initBackend } from '../src/model/index.js';
import { runTrial } from '../src/worker/run-trial.js';
import { REDIS_URL, benchPrefix, deletePrefix, mb, onInterrupt, parseArgs, round } from './common.js';
import { CONFIG_CYCLE, createBenchSweep, slope } from './memory-common.js';
import { soak } from './memory-soak.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as (() => void) | undefined;

interface Sample {
  /** 0 = before the first trial */
  trial: number;
  ms: number;
  numTensors: number;
  numBytes: number;
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
}

export interface MemoryBenchResult {
  trials: number;
  backend: string;
  durationMs: number;
  tensors: { start: number; end: number; max: number };
  numBytes: { start: number; end: number };
  rssMb: { start: number; afterTrial5: number; max: number; end: number };
  heapUsedMb: { start: number; end: number };
  /** RSS after the last trial minus RSS after trial N-40 */
  rssGrowthLast40Mb: number;
  /** least-squares slope of RSS over the last 40 trials */
  rssMbPerTrialLast40: number;
  heapUsedMbPerTrialLast40: number;
  /** highest RSS within each cycle of 8 trials: flat when memory is bounded */
  rssMaxPerCycleMb: number[];
  configs: { depth: number[]; width: number[]; dropout: number[]; recurrentDropout: number[]; head: string[] };
  samples: Sample[];
}

function sample(trial: number, ms: number): Sample {
  gc?.();
  const mem = process.memoryUsage();
  const t = tf.memory();
  return {
    trial,
    ms,
    numTensors: t.numTensors,
    numBytes: t.numBytes,
    rssMb: mb(mem.rss),
    heapUsedMb: mb(mem.heapUsed),
    externalMb: mb(mem.external + mem.arrayBuffers),
  };
}

const progress = (msg: string) => process.stderr.write(`[bench:memory] ${msg}\n`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    flags: ['json', 'soak', 'dry-run', 'no-opt'],
    numbers: ['trials', 'every'],
    strings: ['compare'],
  });
  if (args.flags.has('soak')) return soak(args);
  const trials = Math.floor(args.numbers.get('trials') ?? 50);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = benchPrefix('mem');
  const cleanup = onInterrupt(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });
  try {
    const backend = await initBackend('wasm');
    const { jobs, store, datasets } = await createBenchSweep(redis, prefix, trials);
    const sweepId = jobs[0]!.sweepId;

    const samples = [sample(0, 0)];
    const t0 = Date.now();
    for (const [i, job] of jobs.entries()) {
      const started = Date.now();
      const outcome = await runTrial(job, { store, datasets });
      if (outcome.status !== 'completed') throw new Error(`trial ${i + 1} was ${outcome.status}`);
      samples.push(sample(i + 1, Date.now() - started));
      const s = samples[samples.length - 1]!;
      const c = job.config;
      progress(
        `trial ${i + 1}/${trials} depth ${c.depth} width ${c.width} dropout ${c.dropout}/${c.recurrentDropout} ${c.head}: ` +
          `${s.ms} ms, ${s.numTensors} tensors, rss ${s.rssMb} MB, heap ${s.heapUsedMb} MB`,
      );
    }
    const durationMs = Date.now() - t0;
    const saved = (await store.resultIds(sweepId)).size;
    if (saved !== trials) throw new Error(`expected ${trials} results in Redis, found ${saved}`);

    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    const tail = samples.slice(Math.max(1, samples.length - 40));
    const result: MemoryBenchResult = {
      trials,
      backend,
      durationMs,
      tensors: { start: first.numTensors, end: last.numTensors, max: Math.max(...samples.map((s) => s.numTensors)) },
      numBytes: { start: first.numBytes, end: last.numBytes },
      rssMb: {
        start: first.rssMb,
        afterTrial5: samples[Math.min(5, samples.length - 1)]!.rssMb,
        max: Math.max(...samples.map((s) => s.rssMb)),
        end: last.rssMb,
      },
      heapUsedMb: { start: first.heapUsedMb, end: last.heapUsedMb },
      rssGrowthLast40Mb: round(last.rssMb - (samples[Math.max(1, samples.length - 41)]?.rssMb ?? first.rssMb), 1),
      rssMbPerTrialLast40: round(
        slope(
          tail.map((s) => s.trial),
          tail.map((s) => s.rssMb),
        ),
        3,
      ),
      heapUsedMbPerTrialLast40: round(
        slope(
          tail.map((s) => s.trial),
          tail.map((s) => s.heapUsedMb),
        ),
        3,
      ),
      rssMaxPerCycleMb: Array.from({ length: Math.ceil(trials / CONFIG_CYCLE.length) }, (_, c) =>
        Math.max(...samples.slice(1 + c * CONFIG_CYCLE.length, 1 + (c + 1) * CONFIG_CYCLE.length).map((s) => s.rssMb)),
      ),
      configs: {
        depth: [...new Set(jobs.map((j) => j.config.depth))],
        width: [...new Set(jobs.map((j) => j.config.width))],
        dropout: [...new Set(jobs.map((j) => j.config.dropout))],
        recurrentDropout: [...new Set(jobs.map((j) => j.config.recurrentDropout))],
        head: [...new Set(jobs.map((j) => j.config.head))],
      },
      samples,
    };
    if (args.flags.has('json')) {
      console.log(JSON.stringify(result));
    } else {
      console.log(`memory benchmark: ${trials} trials in ${(durationMs / 1000).toFixed(1)} s on ${backend}`);
      console.log(`tensors: start ${result.tensors.start}, end ${result.tensors.end}, max between trials ${result.tensors.max}`);
      console.log(`tensor bytes: start ${result.numBytes.start}, end ${result.numBytes.end}`);
      const r = result.rssMb;
      console.log(`rss MB: start ${r.start}, after trial 5 ${r.afterTrial5}, max ${r.max}, end ${r.end}`);
      console.log(`heapUsed MB: start ${result.heapUsedMb.start}, end ${result.heapUsedMb.end}`);
      console.log(
        `last ${tail.length} trials: rss +${result.rssGrowthLast40Mb} MB, slope ${result.rssMbPerTrialLast40} MB/trial ` +
          `(heapUsed ${result.heapUsedMbPerTrialLast40} MB/trial)`,
      );
      console.log(`max rss per cycle of ${CONFIG_CYCLE.length} trials, MB: ${result.rssMaxPerCycleMb.join(' ')}`);
    }
    if (result.tensors.start !== result.tensors.end) {
      console.error(`tensor leak: ${result.tensors.end - result.tensors.start} tensors left after ${trials} trials`);
      process.exitCode = 1;
    }
  } finally {
    await cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(`bench:memory failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exitCode = 2;
});
