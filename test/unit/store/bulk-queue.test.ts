/**
 * The bulk paths that keep 100,000-trial sweeps fast (#12.8), on the real Redis with a prefix of
 * their own and a real BullMQ worker: cancel removes a sweep's queued jobs in one pass (none that
 * finished, failed or is training, none of another sweep), resume finds job states without a
 * per-job scan, and status counts what is there.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { writeSyntheticUcr } from '../../../src/data/synthetic.js';
import { loadSpecFile } from '../../../src/definition/load-spec.js';
import { trialIdOf } from '../../../src/definition/trials.js';
import { TRIAL_DEFAULTS } from '../../../src/model/trial-config.js';
import { cancelSweep } from '../../../src/producer/cancel.js';
import { enqueueSweep, prepareSweep } from '../../../src/producer/enqueue.js';
import { resumeSweep } from '../../../src/producer/resume.js';
import { TRIAL_QUEUE, trialJobId, type TrialJob } from '../../../src/queue/trial-job.js';
import { createTrialQueue, queueKeyNames } from '../../../src/queue/trial-queue.js';
import { DatasetStore } from '../../../src/store/dataset-store.js';
import { Keys } from '../../../src/store/keys.js';
import { SweepStore } from '../../../src/store/sweep-store.js';
import { REDIS_URL, deletePrefix, fakeResult, uniquePrefix, waitFor } from '../../helpers.js';

const prefix = uniquePrefix();
const N = 300;
let redis: Redis;
let dir: string;
let store: SweepStore;
let queue: ReturnType<typeof createTrialQueue>;
let deps: { store: SweepStore; datasets: DatasetStore; queue: ReturnType<typeof createTrialQueue> };

before(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-bulk-queue-'));
  await writeSyntheticUcr(path.join(dir, 'data'), { trainSize: 16, testSize: 8, timesteps: 8, seed: 3 });
  store = new SweepStore(redis, prefix);
  queue = createTrialQueue(redis, prefix);
  deps = { store, datasets: new DatasetStore(redis, prefix), queue };
});
after(async () => {
  await queue.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

/** A dry-run grid sweep of `n` trials (widths 1..n), enqueued through the real producer. */
async function enqueue(name: string, n: number): Promise<string> {
  const file = path.join(dir, `${name}.json`);
  const spec = {
    name,
    dataset: { train: 'data/train.csv', format: 'ucr', protocol: 'holdout', validationSplit: 0.25 },
    method: 'grid',
    parameters: { width: Array.from({ length: n }, (_, i) => i + 1) },
    retry: { attempts: 2, backoffMs: 600_000 },
    dryRun: true,
  };
  await writeFile(file, JSON.stringify(spec));
  return (await enqueueSweep(await prepareSweep(await loadSpecFile(file)), deps)).sweepId;
}

const jobsOf = async (sweepId: string, states: ('wait' | 'delayed' | 'failed' | 'completed' | 'active')[]) =>
  (await queue.getJobs(states, 0, -1)).filter((j) => j.data.sweepId === sweepId);

describe('bulk queue paths', () => {
  test('cancel removes every queued job of the sweep and none that finished, failed or is training, nor another sweep whose id starts with it; resume queues each open trial once', async () => {
    const a = await enqueue('bulk-cancel', N);
    // Its job ids start with "<a>.": a removal by prefix alone would take them too.
    const b = await enqueue(`${a}.b`, 20);

    // A worker of our own takes A's first four jobs: a transient failure (then delayed for its
    // retry), a deterministic one (failed for good), a finished trial, and one left training.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const taken: string[] = [];
    // BullMQ leaves a connection it was handed open on close: ours, disconnected below.
    const workerConnection = redis.duplicate();
    const worker = new Worker<TrialJob>(
      TRIAL_QUEUE,
      async (job: Job<TrialJob>) => {
        const { sweepId, trialId, config } = job.data;
        taken.push(trialId);
        const k = taken.length;
        if (k === 1) throw new Error('transient');
        if (k === 2) {
          await store.saveFailure({ sweepId, trialId, config, reason: 'deterministic', attempts: 1, failedAt: new Date().toISOString() });
          throw new UnrecoverableError('deterministic');
        }
        const start = await store.startTrial(sweepId, trialId, { worker: 'test', startedAt: new Date().toISOString() });
        assert.ok(start.known);
        if (k >= 4) await released;
        await store.saveResult(fakeResult(sweepId, config, { valAuc: 0.5, valLoss: 0.5, valAcc: 0.5 }), job.data.metric, start.fence);
      },
      { connection: workerConnection, prefix, concurrency: 1 },
    );
    try {
      await waitFor(
        async () => ((await jobsOf(a, ['active'])).length === 1 && taken.length === 4 ? true : undefined),
        30_000,
        'four jobs taken',
      );
      const [delayedId, failedId, doneId, activeId] = taken as [string, string, string, string];
      assert.equal((await jobsOf(a, ['delayed']))[0]?.data.trialId, delayedId);
      assert.equal((await jobsOf(a, ['failed']))[0]?.data.trialId, failedId);

      const summary = await cancelSweep(a, deps);
      assert.deepEqual({ removed: summary.removed, active: summary.active }, { removed: N - 3, active: 1 });
      const cancelled = new Set(await redis.smembers(new Keys(prefix).cancelled(a)));
      assert.equal(cancelled.size, N - 3);
      for (const id of [failedId, doneId, activeId]) assert.ok(!cancelled.has(id), `${id} is not cancelled`);
      assert.ok(cancelled.has(delayedId), 'the delayed retry is cancelled');
      // What is left of A's jobs: the failed, the completed and the active one; B untouched.
      assert.equal(await queue.getJobState(trialJobId(a, failedId)), 'failed');
      assert.equal(await queue.getJobState(trialJobId(a, doneId)), 'completed');
      assert.equal(await queue.getJobState(trialJobId(a, activeId)), 'active');
      assert.equal(await queue.getJobState(trialJobId(a, delayedId)), 'unknown');
      assert.deepEqual(await jobsOf(a, ['wait', 'delayed']), []);
      assert.equal((await jobsOf(b, ['wait'])).length, 20);
      assert.deepEqual(await store.counts(a), { total: N, waiting: 0, active: 1, completed: 1, failed: 1, cancelled: N - 3, pruned: 0 });
      assert.equal((await store.counts(b)).waiting, 20);

      release();
      await waitFor(async () => ((await store.counts(a)).completed === 2 ? true : undefined), 30_000, 'the active trial finished');
    } finally {
      release();
      await worker.close();
      workerConnection.disconnect();
    }

    // Resume: every trial without a result gets one job (the failed one's replaced), no more.
    const resumed = await resumeSweep(a, deps);
    assert.equal(resumed.enqueued, N - 2);
    const waiting = await jobsOf(a, ['wait']);
    assert.equal(new Set(waiting.map((j) => j.data.trialId)).size, N - 2);
    assert.equal(waiting.length, N - 2);
    assert.deepEqual(await store.counts(a), { total: N, waiting: N - 2, active: 0, completed: 2, failed: 0, cancelled: 0, pruned: 0 });
    // A second resume finds every job in place and adds nothing.
    assert.equal((await resumeSweep(a, deps)).enqueued, 0);
    assert.deepEqual(
      await store.queuedJobStates(queueKeyNames(queue), [trialJobId(a, waiting[0]!.data.trialId), trialJobId(a, '0000000000000000')]),
      ['queued', 'none'],
    );
  });

  test('queued jobs are removed in several bounded steps when there are more than one step takes', async () => {
    const c = await enqueue('bulk-steps', 25);
    const { removed, active } = await store.removeQueuedJobs(queueKeyNames(queue), trialJobId(c, ''), { batch: 7 });
    assert.equal(active, 0);
    assert.equal(removed.length, 25);
    assert.equal(new Set(removed).size, 25);
    assert.deepEqual(await jobsOf(c, ['wait']), []);
  });

  test('a sweep of 100,000 trials is stored, marked cancelled and queued again whole (one call with 200,000 arguments overflowed the stack)', async () => {
    const sweepId = 'bulk-100k-0123456789';
    const trials = Array.from({ length: 100_000 }, (_, i) => {
      const config = { ...TRIAL_DEFAULTS, width: i + 1, seed: 0 };
      return { trialId: trialIdOf(config), config };
    });
    const record = {
      sweepId,
      spec: {} as never,
      datasetHash: 'x',
      shape: { timesteps: 1, features: 1, trainSamples: 1 },
      trials: trials.length,
      createdAt: new Date().toISOString(),
    };
    assert.equal(await store.createSweep(record, trials), true);
    const ids = trials.map((t) => t.trialId);
    await store.markCancelled(sweepId, ids);
    assert.deepEqual(await store.counts(sweepId), {
      total: 100_000,
      waiting: 0,
      active: 0,
      completed: 0,
      failed: 0,
      cancelled: 100_000,
      pruned: 0,
    });
    // Queued again: marks cleared, counted as not queued until their jobs are added.
    await store.queuing(sweepId, ids);
    assert.deepEqual(await store.counts(sweepId), {
      total: 100_000,
      waiting: 0,
      active: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      pruned: 0,
      notQueued: 100_000,
    });
    await store.jobsQueued(sweepId, 100_000);
    assert.equal((await store.counts(sweepId)).waiting, 100_000);
    assert.equal((await store.trialIds(sweepId)).length, 100_000);
  });
});
