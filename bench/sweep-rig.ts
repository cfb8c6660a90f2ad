/**
 * What the sweep benchmarks (search, accuracy) share: a unique Redis prefix, a temp folder and
 * real worker processes, all removed again (also on Ctrl-C); and a sweep enqueued through the
 * real producer and awaited until every trial has ended.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { enqueueSweep, prepareSweep } from '../src/producer/enqueue.js';
import { createTrialQueue } from '../src/queue/trial-queue.js';
import { loadSpecFile } from '../src/definition/load-spec.js';
import type { SweepSpec } from '../src/definition/sweep-spec.js';
import { endedCount, StatusCountsSchema, type StatusCounts } from '../src/store/records.js';
import { DatasetStore } from '../src/store/dataset-store.js';
import { SweepStore } from '../src/store/sweep-store.js';
import { CLI, REDIS_URL, benchPrefix, deletePrefix, onInterrupt, runCli, spawnGroup, stopAll, type Spawned } from './common.js';

export interface SweepRig {
  prefix: string;
  redis: Redis;
  store: SweepStore;
  dir: string;
  /** stops the workers, deletes the prefix's keys and the folder */
  cleanup: () => Promise<void>;
}

/** `workers` worker processes (`lstm-sweep worker --artifacts none ...extraArgs`) on a fresh prefix. */
export async function startSweepRig(kind: string, workers: number, extraArgs: string[] = []): Promise<SweepRig> {
  const prefix = benchPrefix(kind);
  const redis = new Redis(REDIS_URL);
  const dir = await mkdtemp(path.join(os.tmpdir(), `lsw-bench-${kind}-`));
  const spawned: Spawned[] = [];
  const cleanup = onInterrupt(async () => {
    await stopAll(spawned);
    await deletePrefix(redis, prefix);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < workers; i++) {
    spawned.push(
      spawnGroup([CLI, 'worker', '--artifacts', 'none', ...extraArgs], {
        env: { REDIS_URL, LSW_PREFIX: prefix, LSW_CACHE_DIR: path.join(dir, 'cache') },
      }),
    );
  }
  return { prefix, redis, store: new SweepStore(redis, prefix), dir, cleanup };
}

/**
 * Writes `text` as `file` in the rig's folder, enqueues it and waits until every trial has
 * ended, and with `withBaseline` its reference baseline too. With `failOnFailed`, a failed trial
 * (or baseline) is an error. Returns the sweep id, the spec as stored (protocol resolved) and the
 * seconds it took.
 */
export async function runSweep(
  rig: SweepRig,
  file: string,
  text: string,
  opts: { failOnFailed?: boolean; withBaseline?: boolean } = {},
): Promise<{ sweepId: string; spec: SweepSpec; seconds: number }> {
  const specFile = path.join(rig.dir, file);
  await writeFile(specFile, text);
  const started = Date.now();
  const queue = createTrialQueue(rig.redis, rig.prefix);
  const prepared = await prepareSweep(await loadSpecFile(specFile));
  const { sweepId } = await enqueueSweep(prepared, { store: rig.store, datasets: new DatasetStore(rig.redis, rig.prefix), queue });
  await queue.close();
  for (;;) {
    const counts = await rig.store.counts(sweepId);
    if (endedCount(counts) >= counts.total) {
      if (opts.failOnFailed && counts.failed > 0)
        throw new Error(`${file}: ${counts.failed} trials failed: ${JSON.stringify(await rig.store.getFailures(sweepId))}`);
      break;
    }
    await sleep(500);
  }
  while (opts.withBaseline) {
    const sweep = await rig.store.getSweep(sweepId);
    const baseline = sweep ? await rig.store.baselineState(sweep) : { state: 'none' as const };
    if (baseline.state === 'failed' && opts.failOnFailed) throw new Error(`${file}: the baseline failed: ${JSON.stringify(baseline)}`);
    if (baseline.state !== 'queued' && baseline.state !== 'running') break;
    await sleep(500);
  }
  return { sweepId, spec: prepared.spec, seconds: (Date.now() - started) / 1000 };
}

/**
 * As `runSweep`, but the way a user does it: `lstm-sweep enqueue --json`, then `lstm-sweep status
 * --json` every `pollMs` until every trial has ended (`onProgress` hears each change of the
 * counts). Seconds run from the start of the enqueue command to the status that showed the end.
 */
export async function runSweepViaCli(
  rig: SweepRig,
  file: string,
  text: string,
  opts: { pollMs?: number; timeoutS?: number; onProgress?: (counts: StatusCounts, seconds: number) => void } = {},
): Promise<{ sweepId: string; counts: StatusCounts; seconds: number }> {
  const specFile = path.join(rig.dir, file);
  await writeFile(specFile, text);
  const env = { REDIS_URL, LSW_PREFIX: rig.prefix };
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  const { sweepId } = JSON.parse(await runCli(['enqueue', specFile, '--json'], env)) as { sweepId: string };
  let last = '';
  for (;;) {
    const counts = StatusCountsSchema.parse(JSON.parse(await runCli(['status', sweepId, '--json'], env)));
    const key = JSON.stringify(counts);
    if (key !== last) opts.onProgress?.(counts, seconds());
    last = key;
    if (endedCount(counts) >= counts.total) return { sweepId, counts, seconds: seconds() };
    if (opts.timeoutS !== undefined && seconds() > opts.timeoutS) {
      throw new Error(`${file}: ${endedCount(counts)} of ${counts.total} trials ended after ${opts.timeoutS} s (--timeout-s)`);
    }
    await sleep(opts.pollMs ?? 1000);
  }
}
