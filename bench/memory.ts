/**
 * Memory benchmark: one process trains N real small trials in a row through the code a worker's
 * trainer child runs (`runTrial`, with a real SweepStore and DatasetStore on the real Redis
 * under a unique prefix, wasm backend), and records tensors and process memory before the
 * first trial and after each one.
 *
 *   npm run bench:memory -- [--json] [--trials 50]
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
import { encodeDataset } from '../src/data/codec.js';
import { syntheticSplit } from '../src/data/synthetic.js';
import { initBackend } from '../src/model/index.js';
import { SweepSpecSchema } from '../src/definition/sweep-spec.js';
import { jobFor } from '../src/queue/queue-trials.js';
import { TrialJobSchema, type TrialJob } from '../src/queue/trial-job.js';
import type { TrialConfig } from '../src/model/trial-config.js';
import { trialIdOf } from '../src/definition/trials.js';
import { DatasetStore } from '../src/store/dataset-store.js';
import { SweepStore } from '../src/store/sweep-store.js';
import { runTrial } from '../src/worker/run-trial.js';
import { REDIS_URL, benchPrefix, deletePrefix, mb, onInterrupt, parseArgs, round } from './common.js';

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

/**
 * Eight small configs, cycled: every depth 1-3, widths 4-16, dropout and recurrentDropout each
 * on and off, both heads. With a cycle of 8, the last 40 of 50 trials are exactly 5 cycles, so
 * the RSS after trial 10 and after trial 50 belong to the same config.
 */
const CONFIG_CYCLE: readonly Omit<TrialConfig, 'seed' | 'learningRate' | 'batchSize' | 'epochs' | 'patience'>[] = [
  { depth: 1, width: 4, dropout: 0, recurrentDropout: 0, head: 'dense' },
  { depth: 2, width: 8, dropout: 0.2, recurrentDropout: 0, head: 'dense' },
  { depth: 3, width: 12, dropout: 0, recurrentDropout: 0.15, head: 'dense' },
  { depth: 2, width: 16, dropout: 0.2, recurrentDropout: 0.15, head: 'dense' },
  { depth: 1, width: 8, dropout: 0.2, recurrentDropout: 0.15, head: 'lstm' },
  { depth: 3, width: 4, dropout: 0, recurrentDropout: 0, head: 'lstm' },
  { depth: 2, width: 12, dropout: 0.2, recurrentDropout: 0, head: 'lstm' },
  { depth: 1, width: 16, dropout: 0, recurrentDropout: 0.15, head: 'lstm' },
];

export function configFor(i: number): TrialConfig {
  return { ...CONFIG_CYCLE[i % CONFIG_CYCLE.length]!, learningRate: 0.01, batchSize: 16, epochs: 3, patience: 2, seed: i + 1 };
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

function slope(ys: number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

const progress = (msg: string) => process.stderr.write(`[bench:memory] ${msg}\n`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { flags: ['json'], numbers: ['trials'] });
  const trials = Math.floor(args.numbers.get('trials') ?? 50);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = benchPrefix('mem');
  const cleanup = onInterrupt(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });
  try {
    const backend = await initBackend('wasm');
    const datasets = new DatasetStore(redis, prefix);
    const store = new SweepStore(redis, prefix);
    const datasetHash = await datasets.put(
      encodeDataset({ train: syntheticSplit({ n: 48, timesteps: 24, seed: 1 }), test: syntheticSplit({ n: 24, timesteps: 24, seed: 2 }) }),
    );
    // A sweep of its own in the store, as enqueue makes it: workers train only trials their sweep holds.
    const sweepId = 'bench-memory-0000000000';
    const spec = SweepSpecSchema.parse({
      name: 'bench-memory',
      dataset: { train: 'synthetic.csv', validationSplit: 0.25, protocol: 'holdout' },
      metric: { name: 'valAuc', goal: 'maximize' },
    });
    const record = {
      sweepId,
      spec,
      datasetHash,
      shape: { timesteps: 24, features: 1, trainSamples: 48 },
      trials,
      createdAt: new Date().toISOString(),
    };
    const planned = Array.from({ length: trials }, (_, i) => {
      const config = configFor(i);
      return { trialId: trialIdOf(config), config };
    });
    await store.createSweep(record, planned);
    const jobs: TrialJob[] = planned.map((trial) => TrialJobSchema.parse(jobFor(record, trial)));

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
      rssMbPerTrialLast40: round(slope(tail.map((s) => s.rssMb)), 3),
      heapUsedMbPerTrialLast40: round(slope(tail.map((s) => s.heapUsedMb)), 3),
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
