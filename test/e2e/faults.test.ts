/**
 * Fault injection with real processes and the real Redis: kill -9, SIGTERM, trainer crashes,
 * diverging trials, cancel and resume. Nothing lost, nothing doubled.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { writeSyntheticUcr } from '../../src/data/synthetic.js';
import { TRIAL_QUEUE, TrialProgressSchema } from '../../src/queue/trial-job.js';
import { REDIS_URL, childPids, deletePrefix, exited, isAlive, logEvents, runCli, spawnCli, uniquePrefix, waitFor } from '../helpers.js';
import { sweepCli } from '../sweep-cli.js';

const prefix = uniquePrefix();
const env: NodeJS.ProcessEnv = { REDIS_URL, LSW_PREFIX: prefix };
let redis: Redis;
let queue: Queue;
let dir: string;
let train: string;

before(async () => {
  redis = new Redis(REDIS_URL);
  queue = new Queue(TRIAL_QUEUE, { connection: redis, prefix });
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-faults-'));
  // A dataset cache of this run's own: a deleted dataset must not be found in an old cache.
  env.LSW_CACHE_DIR = path.join(dir, 'cache');
  ({ train } = await writeSyntheticUcr(dir, { trainSize: 64, testSize: 16, timesteps: 24, seed: 3 }));
});

after(async () => {
  await queue.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

/** A spec of its own per test (the name makes the sweep id unique). */
const cli = () => sweepCli(dir, env);
const sweep = (name: string, lines: string[], trainFile = train): Promise<string> =>
  cli().enqueue(name, `{ train: ${trainFile}, validationSplit: 0.25 }`, lines);
const status = (sweepId: string) => cli().status(sweepId);
const untilEnded = (sweepId: string, timeoutMs?: number) => cli().untilEnded(sweepId, timeoutMs);

/** Waits until some job of the sweep reports at least `epoch` finished epochs. */
async function untilTraining(sweepId: string, epoch: number): Promise<string> {
  return waitFor(
    async () => {
      for (const job of await queue.getJobs(['active'])) {
        const p = TrialProgressSchema.safeParse(job.progress);
        if (job.id?.startsWith(sweepId) && p.success && p.data.epoch >= epoch) return job.id;
      }
      return undefined;
    },
    60_000,
    `a trial of ${sweepId} to reach epoch ${epoch}`,
  );
}

async function results(sweepId: string): Promise<Record<string, { attempts: number; worker: string }>> {
  const all = await redis.hgetall(`${prefix}:sweep:${sweepId}:results`);
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, JSON.parse(v)]));
}

// Long enough (several seconds with the fast engine and 5-fold cross-validation) to be caught mid-training.
const LONG_TRIAL = ['parameters:', '  depth: [2]', '  width: [12]', '  epochs: [300]', '  patience: [0]', '  batchSize: [16]'];

describe('faults', () => {
  test('kill -9 mid-trial: another worker picks the trial up within 15 s and finishes it once', async () => {
    const sweepId = await sweep('kill9', LONG_TRIAL);
    const a = spawnCli(['worker'], env);
    const jobId = await untilTraining(sweepId, 2);
    const trainers = await childPids(a.pid!);
    assert.ok(trainers.length >= 1, 'the worker trains in a child process');
    a.kill('SIGKILL');
    const killedAt = Date.now();
    await exited(a);
    const b = spawnCli(['worker'], env);
    try {
      const pickedUp = await waitFor(
        async () => logEvents(b.output()).find((e) => e.event === 'trial.start' && e.jobId === jobId),
        30_000,
        're-delivery to the second worker',
      );
      const redeliveryMs = Date.parse(pickedUp.time) - killedAt;
      console.log(`re-delivered ${redeliveryMs} ms after kill -9`);
      assert.ok(redeliveryMs <= 15_000, `re-delivery took ${redeliveryMs} ms`);
      // The killed worker's trainer stopped too: no orphan keeps training a copy.
      await waitFor(async () => (trainers.some(isAlive) ? undefined : true), 5_000, 'orphaned trainers to exit');

      const counts = await untilEnded(sweepId);
      assert.deepEqual([counts.completed, counts.failed], [1, 0]);
      const [result] = Object.values(await results(sweepId));
      assert.equal(result!.attempts, 2);
      assert.match(result!.worker, new RegExp(`:${b.pid}$`));
    } finally {
      b.kill('SIGTERM');
      await exited(b);
    }
  });

  test('SIGSTOP past the lock: the trial is finished elsewhere, and the late result of the stopped worker is refused', async () => {
    const sweepId = await sweep('sigstop', LONG_TRIAL);
    const a = spawnCli(['worker'], env);
    const jobId = await untilTraining(sweepId, 2);
    // The whole worker stops, trainer included: no lock renewal, no training, until SIGCONT.
    const stopped = [a.pid!, ...(await childPids(a.pid!))];
    for (const pid of stopped) process.kill(pid, 'SIGSTOP');
    const b = spawnCli(['worker'], env);
    try {
      const finished = await waitFor(
        async () => Object.values(await results(sweepId)).find((r) => r.attempts === 2),
        180_000,
        'the re-delivered trial to finish on the second worker',
      );
      assert.match(finished.worker, new RegExp(`:${b.pid}$`));
      const stored = await redis.hgetall(`${prefix}:sweep:${sweepId}:results`);
      for (const pid of stopped) process.kill(pid, 'SIGCONT');
      // The stopped worker's copy trains to its end, then its write is refused.
      const superseded = await waitFor(
        async () => logEvents(a.output()).find((e) => e.event === 'trial.superseded'),
        180_000,
        'the stopped worker to finish its stale copy',
      );
      assert.equal(superseded.attempt, 1);
      assert.equal(`${sweepId}.${String(superseded.trialId)}`, jobId);
      assert.deepEqual(
        await redis.hgetall(`${prefix}:sweep:${sweepId}:results`),
        stored,
        'the kept result is the one of the second delivery',
      );
      const counts = await status(sweepId);
      assert.deepEqual([counts.total, counts.completed, counts.failed, counts.active], [1, 1, 0, 0]);
    } finally {
      for (const pid of stopped) if (isAlive(pid)) process.kill(pid, 'SIGCONT');
      a.kill('SIGTERM');
      b.kill('SIGTERM');
      await Promise.all([exited(a), exited(b)]);
    }
  });

  test('SIGTERM: the worker finishes its trial within the grace period, then exits', async () => {
    const sweepId = await sweep(
      'sigterm-finish',
      LONG_TRIAL.map((l) => l.replace('[40]', '[15]')),
    );
    const w = spawnCli(['worker', '--grace', '120'], env);
    await untilTraining(sweepId, 1);
    w.kill('SIGTERM');
    assert.equal(await exited(w), 0);
    const events = logEvents(w.output());
    assert.ok(events.some((e) => e.event === 'trial.end' && e.status === 'completed'));
    assert.equal(events.find((e) => e.event === 'worker.stopped')?.handedBack, 0);
    assert.deepEqual(await status(sweepId), { total: 1, waiting: 0, active: 0, completed: 1, failed: 0, cancelled: 0, pruned: 0 });
  });

  test('SIGTERM past the grace period hands the trial back; another worker completes it', async () => {
    const sweepId = await sweep('sigterm-handback', LONG_TRIAL);
    const a = spawnCli(['worker', '--grace', '1'], env);
    const jobId = await untilTraining(sweepId, 1);
    a.kill('SIGTERM');
    assert.equal(await exited(a), 0);
    assert.equal(logEvents(a.output()).find((e) => e.event === 'worker.stopped')?.handedBack, 1);
    assert.equal(await (await queue.getJob(jobId))!.getState(), 'waiting');
    assert.deepEqual(await status(sweepId), { total: 1, waiting: 1, active: 0, completed: 0, failed: 0, cancelled: 0, pruned: 0 });

    const b = spawnCli(['worker'], env);
    try {
      const counts = await untilEnded(sweepId);
      assert.deepEqual([counts.completed, counts.failed], [1, 0]);
      assert.equal(Object.keys(await results(sweepId)).length, 1);
    } finally {
      b.kill('SIGTERM');
      await exited(b);
    }
  });

  test('a failed trial retires its trainer process: the next trial trains in a fresh one', async () => {
    const gone = path.join(dir, 'retire.csv');
    await writeFile(gone, `label,t0,t1,t2\n${Array.from({ length: 8 }, (_, i) => `${i % 2},${i},2,1`).join('\n')}\n`);
    const bad = await sweep('retire-bad', ['parameters:', '  depth: [1]', '  width: [4]', '  epochs: [3]'], gone);
    const { datasetHash } = JSON.parse((await redis.get(`${prefix}:sweep:${bad}`))!) as { datasetHash: string };
    await redis.del(`${prefix}:dataset:${datasetHash}`);
    const w = spawnCli(['worker'], env);
    try {
      assert.deepEqual([(await untilEnded(bad)).failed], [1]);
      const retired = await waitFor(
        async () => logEvents(w.output()).find((e) => e.event === 'trainer.retired'),
        10_000,
        'the trainer of the failed trial to retire',
      );
      assert.match(String(retired.reason), /not in Redis/);
      const pid = Number(retired.pid);
      await waitFor(async () => (isAlive(pid) ? undefined : true), 5_000, 'the retired trainer to exit');
      const good = await sweep('retire-good', ['parameters:', '  depth: [1]', '  width: [4]', '  epochs: [3]']);
      assert.deepEqual([(await untilEnded(good)).completed], [1]);
      assert.ok(!(await childPids(w.pid!)).includes(pid), 'a fresh trainer trained the next trial');
    } finally {
      w.kill('SIGTERM');
      await exited(w);
    }
  });

  test('failures: a deterministic one fails at once, a crashing trainer is retried up to the limit; both visible', async () => {
    // Deterministic: the dataset a job names is gone from Redis (flushed by someone).
    const goneSweep = await sweep('dataset-gone', ['parameters:', '  depth: [1]', '  width: [4]', '  epochs: [3]']);
    const record = JSON.parse((await redis.get(`${prefix}:sweep:${goneSweep}`))!) as { datasetHash: string };
    const gone = path.join(dir, 'gone.csv');
    await writeFile(gone, `label,t0,t1\n${Array.from({ length: 8 }, (_, i) => `${i % 2},${i},1`).join('\n')}\n`);
    const goneSweep2 = await sweep('dataset-gone-2', ['parameters:', '  depth: [1]', '  width: [4]', '  epochs: [3]'], gone);
    const record2 = JSON.parse((await redis.get(`${prefix}:sweep:${goneSweep2}`))!) as { datasetHash: string };
    await redis.del(`${prefix}:dataset:${record2.datasetHash}`);
    assert.notEqual(record.datasetHash, record2.datasetHash);
    // Transient: the trainer process dies (killed twice, the retry limit).
    const crashSweep = await sweep('crashes', [...LONG_TRIAL, 'retry: { attempts: 2, backoffMs: 200 }']);

    const w = spawnCli(['worker'], env);
    try {
      for (let attempt = 1; attempt <= 2; attempt++) {
        // The trainer marks the trial active (with its attempt number) once it runs.
        await waitFor(
          async () => {
            const active = await redis.hvals(`${prefix}:sweep:${crashSweep}:active`);
            return active.some((a) => JSON.parse(a).attempt === attempt) ? true : undefined;
          },
          60_000,
          `attempt ${attempt} of the crashing trial to train`,
        );
        for (const pid of await childPids(w.pid!)) process.kill(pid, 'SIGKILL');
      }
      const lost = await untilEnded(goneSweep2);
      assert.deepEqual([lost.completed, lost.failed], [0, 1]);
      const crash = await untilEnded(crashSweep);
      assert.deepEqual([crash.completed, crash.failed], [0, 1]);
      assert.equal((await untilEnded(goneSweep)).completed, 1, 'the other sweep trains normally');
    } finally {
      w.kill('SIGTERM');
      await exited(w);
    }
    const goneStatus = await runCli(['status', goneSweep2], env);
    assert.match(
      goneStatus.stdout,
      /failed [0-9a-f]{16} after 1 attempt\(s\): DatasetUnavailableError: dataset [0-9a-f]{64} is not in Redis/,
    );
    const goneJob = (await queue.getJobs(['failed'])).find((j) => j.id?.startsWith(goneSweep2))!;
    assert.equal(goneJob.attemptsMade, 1, 'deterministic failures are not retried');
    const crashBoard = await runCli(['leaderboard', crashSweep], env);
    assert.match(crashBoard.stdout, /failed [0-9a-f]{8} \(depth 2, width 12\) after 2 attempt\(s\): Unexpected exit code/);

    // Resume re-queues only the failed trial.
    const resumed = await runCli(['enqueue', '--resume', crashSweep, '--json'], env);
    assert.equal(JSON.parse(resumed.stdout).enqueued, 1);
    assert.deepEqual(await status(crashSweep), { total: 1, waiting: 1, active: 0, completed: 0, failed: 0, cancelled: 0, pruned: 0 });
    // Leave the queue empty for the next test.
    assert.equal(JSON.parse((await runCli(['cancel', crashSweep, '--json'], env)).stdout).removed, 1);
  });

  test('cancel removes waiting trials and keeps results; resume adds back only what is missing', async () => {
    // the fast engine trains 12 epochs of these models in well under a second: 300 keep a trial in hand long enough to stop the worker mid-sweep
    const grid = ['parameters:', '  depth: [1, 2, 3]', '  width: [4, 8]', '  epochs: [300]', '  patience: [0]'];
    const sweepId = await sweep('cancel-resume', grid);
    // A worker finishes a trial or two, then stops (finishing the one in hand).
    const w = spawnCli(['worker'], env);
    await waitFor(async () => ((await status(sweepId)).completed! >= 1 ? true : undefined), 60_000, 'a first result');
    w.kill('SIGTERM');
    await exited(w);
    const before = await results(sweepId);
    const done = Object.keys(before).length;
    assert.ok(done >= 1 && done < 6, `${done} done before cancel`);

    const cancelled = await runCli(['cancel', sweepId, '--json'], env);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.deepEqual(JSON.parse(cancelled.stdout), { sweepId, removed: 6 - done, active: 0 });
    assert.deepEqual(await status(sweepId), {
      total: 6,
      waiting: 0,
      active: 0,
      completed: done,
      failed: 0,
      cancelled: 6 - done,
      pruned: 0,
    });
    assert.deepEqual(await results(sweepId), before, 'finished results untouched');
    assert.equal((await queue.getJobs(['waiting'])).filter((j) => j.id?.startsWith(sweepId)).length, 0);

    const again = await runCli(['enqueue', '--resume', sweepId, '--json'], env);
    assert.deepEqual(JSON.parse(again.stdout), { sweepId, trials: 6, enqueued: 6 - done });
    const twice = await runCli(['enqueue', '--resume', sweepId, '--json'], env);
    assert.equal(JSON.parse(twice.stdout).enqueued, 0, 'resume is idempotent');
    assert.deepEqual(await status(sweepId), {
      total: 6,
      waiting: 6 - done,
      active: 0,
      completed: done,
      failed: 0,
      cancelled: 0,
      pruned: 0,
    });

    const w2 = spawnCli(['worker'], env);
    try {
      const counts = await untilEnded(sweepId);
      assert.deepEqual(counts, { total: 6, waiting: 0, active: 0, completed: 6, failed: 0, cancelled: 0, pruned: 0 });
    } finally {
      w2.kill('SIGTERM');
      await exited(w2);
    }
    const after = await results(sweepId);
    for (const [id, r] of Object.entries(before)) assert.deepEqual(after[id], r, 'finished results untouched');
  });

  test('resume and cancel of an unknown sweep are clear errors', async () => {
    for (const args of [
      ['enqueue', '--resume', 'nope'],
      ['cancel', 'nope'],
    ]) {
      const r = await runCli(args, env);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /no sweep "nope"/);
    }
  });
});
