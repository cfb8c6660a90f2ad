/**
 * The processor of bench:memory's soak mode: runs in BullMQ's sandboxed child exactly as a
 * worker's trainer does (it calls the built dist/worker/processor.js), and every
 * LSW_BENCH_SAMPLE_EVERY trials adds to the trial's return value a sample of this process's
 * memory taken after a full GC: heapUsed is then live memory, not garbage waiting for the
 * collector. The first trial also carries a sample taken before it ran (trial 0).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import type processTrial from '../src/worker/processor.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const dist = new URL('../dist/', import.meta.url);
const { default: process_ } = (await import(new URL('worker/processor.js', dist).href)) as { default: typeof processTrial };
/**
 * Entries of tfjs-layers' tensor-name registry (src/model/tensor-names.ts). A build from before
 * that module (the code before the fix) is measured the same way, with the same probe, so that
 * both sides of a --compare show it.
 */
const tensorNames: () => number | null = await import(new URL('model/tensor-names.js', dist).href).then(
  (m: { tensorNameCount: () => number | undefined }) => () => m.tensorNameCount() ?? null,
  () => {
    const PROBE = 'lsw_bench_tensor_name_probe';
    const has = Map.prototype.has;
    let registry: Map<unknown, unknown> | undefined;
    Map.prototype.has = function (this: Map<unknown, unknown>, key: unknown): boolean {
      if (key === PROBE) registry = this as Map<unknown, unknown>;
      return has.call(this, key);
    };
    try {
      tf.input({ shape: [1], name: PROBE });
    } finally {
      Map.prototype.has = has;
    }
    registry?.delete(PROBE);
    return () => registry?.size ?? null;
  },
);
const every = Number(process.env.LSW_BENCH_SAMPLE_EVERY ?? '10');

export interface ProbeSample {
  /** trials this process has run; 0 = before the first */
  trial: number;
  pid: number;
  heapUsed: number;
  rss: number;
  external: number;
  arrayBuffers: number;
  tensors: number;
  tensorNames: number | null;
}

function sample(trial: number): ProbeSample {
  gc();
  gc();
  const m = process.memoryUsage();
  return {
    trial,
    pid: process.pid,
    heapUsed: m.heapUsed,
    rss: m.rss,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    tensors: tf.memory().numTensors,
    tensorNames: tensorNames(),
  };
}

let trials = 0;

export default async function probe(...args: Parameters<typeof processTrial>) {
  const before = trials === 0 ? [sample(0)] : [];
  const result = await process_(...args);
  trials++;
  const samples = trials === 1 || trials % every === 0 ? [...before, sample(trials)] : before;
  return samples.length > 0 ? { ...result, samples } : result;
}
