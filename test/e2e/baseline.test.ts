/**
 * The sweep's reference baseline (MiniRocket) through real parts: the built CLI, the real Redis, a
 * real worker process fitting it on ItalyPowerDemand (read in place from ../shared/datasets), then
 * exported and used by `predict`.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { BASELINE_JOB, baselineJobId } from '../../src/queue/baseline-job.js';
import { TRIAL_QUEUE } from '../../src/queue/trial-job.js';
import { REDIS_URL, REPO_ROOT, deletePrefix, exited, runCli, spawnCli, uniquePrefix, waitFor } from '../helpers.js';

const DATA = path.resolve(REPO_ROOT, '../shared/datasets/ItalyPowerDemand');
const TEST_CSV = path.join(DATA, 'test.csv');
const prefix = uniquePrefix();
const env = { REDIS_URL, LSW_PREFIX: prefix, LSW_CACHE_DIR: '' };
let redis: Redis;
let queue: Queue;
let queueConnection: Redis;
let dir: string;

/** A spec file over ItalyPowerDemand: one tiny trial (two epochs), plus the given lines. */
async function spec(name: string, lines: string[] = []): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(
    file,
    [
      `name: ${name}`,
      `dataset: { train: ${path.join(DATA, 'train.csv')}, test: ${TEST_CSV}, protocol: holdout, validationSplit: 0.25, normalize: feature }`,
      'parameters: { depth: [1], width: [4], epochs: [2], batchSize: [32] }',
      'metric: { name: valAcc, goal: maximize }',
      ...lines,
    ].join('\n'),
  );
  return file;
}

async function enqueue(args: string[]): Promise<{ sweepId: string; trials: number; enqueued: number; baselineQueued?: boolean }> {
  const r = await runCli(['enqueue', ...args, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function baselineJobs(sweepId: string) {
  const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed']);
  return jobs.filter((j) => j.id === baselineJobId(sweepId));
}

before(async () => {
  redis = new Redis(REDIS_URL);
  queueConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  queue = new Queue(TRIAL_QUEUE, { connection: queueConnection, prefix });
  dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-baseline-'));
});

after(async () => {
  await queue.close();
  queueConnection.disconnect();
  await deletePrefix(redis, prefix);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('the MiniRocket baseline of a sweep', () => {
  let sweepId: string;
  let artifacts: string;

  test('enqueue adds one baseline job beside the trials, once however often it runs', async () => {
    const file = await spec('italy-baseline');
    const first = await enqueue([file]);
    sweepId = first.sweepId;
    assert.deepEqual([first.trials, first.enqueued, first.baselineQueued], [1, 1, true]);
    const again = await enqueue([file]);
    const resumed = await enqueue(['--resume', sweepId]);
    assert.deepEqual([again.enqueued, again.baselineQueued, resumed.enqueued, resumed.baselineQueued], [0, false, 0, false]);
    const jobs = await baselineJobs(sweepId);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]!.name, BASELINE_JOB);
    assert.deepEqual(Object.keys(jobs[0]!.data as object).sort(), ['datasetHash', 'method', 'normalize', 'seed', 'sweepId']);
    // The trial counts know nothing of it.
    const status = await runCli(['status', sweepId, '--json'], env);
    assert.deepEqual(JSON.parse(status.stdout), { total: 1, waiting: 1, active: 0, completed: 0, failed: 0, cancelled: 0, pruned: 0 });
  });

  test('a worker fits it once; status counts stay the trials', async () => {
    artifacts = path.join(dir, 'artifacts');
    const worker = spawnCli(['worker', '--artifacts', artifacts], env);
    try {
      await waitFor(
        async () => {
          const r = await runCli(['status', sweepId], env);
          return /completed 1/.test(r.stdout) && /baseline: MiniRocket done/.test(r.stdout) ? true : undefined;
        },
        120_000,
        'the trial and the baseline to finish',
      );
    } finally {
      worker.kill('SIGTERM');
    }
    assert.equal(await exited(worker), 0, worker.output());
    const events = worker
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { event: string; jobId?: string; status?: string });
    assert.deepEqual(
      events.filter((e) => e.event.startsWith('baseline.')).map((e) => [e.event, e.jobId, e.status]),
      [
        ['baseline.start', baselineJobId(sweepId), undefined],
        ['baseline.end', baselineJobId(sweepId), 'completed'],
      ],
    );
    assert.equal(events.filter((e) => e.event === 'trial.start').length, 1);
    const status = await runCli(['status', sweepId, '--json'], env);
    assert.deepEqual(JSON.parse(status.stdout), { total: 1, waiting: 0, active: 0, completed: 1, failed: 0, cancelled: 0, pruned: 0 });
    assert.deepEqual(await readdir(path.join(artifacts, sweepId, 'baseline')), ['minirocket.json']);
  });

  test('leaderboard shows it first, as the reference, in the table, JSON and CSV', async () => {
    const json = JSON.parse((await runCli(['leaderboard', sweepId, '--json'], env)).stdout) as Array<{
      kind: string;
      method?: string;
      rank?: number;
      trialId?: string;
      metrics: Record<string, number>;
      features?: number;
    }>;
    assert.deepEqual(
      json.map((r) => r.kind),
      ['baseline', 'trial'],
    );
    const [baseline, trial] = json as [(typeof json)[0], (typeof json)[0]];
    assert.equal(baseline.method, 'minirocket');
    assert.equal(baseline.rank, undefined);
    assert.ok(baseline.metrics.testAcc! > 0.9, `MiniRocket test accuracy on ItalyPowerDemand: ${baseline.metrics.testAcc}`);
    assert.ok(baseline.metrics.valAcc! > 0.85 && baseline.metrics.valAuc! > 0.9, JSON.stringify(baseline.metrics));
    assert.ok(baseline.features! > 1000);
    assert.equal(trial.rank, 1);
    assert.match(trial.trialId!, /^[0-9a-f]{16}$/);

    const csv = (await runCli(['leaderboard', sweepId, '--csv'], env)).stdout.trim().split('\n');
    assert.equal(csv.length, 3);
    assert.match(csv[0]!, /^rank,trialId,depth,.*,kind,method$/);
    assert.match(csv[1]!, /^,,.*,baseline,minirocket$/);
    assert.match(csv[2]!, /^1,[0-9a-f]{16},.*,trial,$/);

    const table = (await runCli(['leaderboard', sweepId], env)).stdout;
    const lines = table.split('\n');
    const ref = lines.findIndex((l) => /│ ref +│ MiniRocket/.test(l));
    const first = lines.findIndex((l) => /│ 1 +│ [0-9a-f]{8}/.test(l));
    assert.ok(ref > 0 && first > ref, table);
    // The verdict says which is ahead, on the sweep's metric and on test accuracy.
    const [ours, theirs] = [baseline.metrics.valAcc!, trial.metrics.valAcc!];
    assert.match(
      table,
      ours > theirs
        ? /MiniRocket baseline beats every trial: valAcc [\d.]+ vs best trial/
        : ours === theirs
          ? /MiniRocket baseline ties the best trial: valAcc/
          : /best trial valAcc [\d.]+ vs MiniRocket/,
    );
    const [oursTest, theirsTest] = [baseline.metrics.testAcc!, trial.metrics.testAcc!];
    assert.match(
      table,
      oursTest > theirsTest
        ? /MiniRocket baseline beats every trial on test accuracy/
        : oursTest === theirsTest
          ? /ties the best trial on test accuracy/
          : /best trial test accuracy/,
    );

    const grouped = JSON.parse((await runCli(['leaderboard', sweepId, '--by-config', '--json'], env)).stdout) as Array<{ kind: string }>;
    assert.deepEqual(
      grouped.map((g) => g.kind),
      ['baseline', 'config'],
    );
  });

  test('best --baseline --export and predict give the stored test accuracy; a tampered model is refused', async () => {
    const out = path.join(dir, 'exported');
    const best = await runCli(['best', sweepId, '--baseline', '--export', out], env);
    assert.equal(best.code, 0, best.stderr);
    assert.deepEqual((await readdir(out)).sort(), ['minirocket.json', 'trial.json']);
    const meta = JSON.parse(await readFile(path.join(out, 'trial.json'), 'utf8')) as {
      kind: string;
      metrics: { testAcc: number };
      normalization: { mode: string; stats?: unknown };
    };
    assert.equal(meta.kind, 'baseline');
    assert.equal(meta.normalization.mode, 'feature');
    assert.ok(meta.normalization.stats);

    const predicted = await runCli(['predict', '--model', out, '--data', TEST_CSV, '--json']);
    assert.equal(predicted.code, 0, predicted.stderr);
    const rows = JSON.parse(predicted.stdout) as Array<{ label: number; trueLabel: number; probability: number }>;
    assert.equal(rows.length, 1029);
    const accuracy = rows.filter((r) => r.label === r.trueLabel).length / rows.length;
    assert.equal(accuracy.toFixed(6), meta.metrics.testAcc.toFixed(6));

    const bad = path.join(dir, 'tampered');
    await cp(out, bad, { recursive: true });
    const model = JSON.parse(await readFile(path.join(bad, 'minirocket.json'), 'utf8')) as { intercepts: number[] };
    model.intercepts.push(0.5);
    await writeFile(path.join(bad, 'minirocket.json'), JSON.stringify(model));
    const refused = await runCli(['predict', '--model', bad, '--data', TEST_CSV]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /cannot load the MiniRocket model in .*tampered.*intercepts: has 2 entries, expected 1/);
    assert.equal(refused.stdout, '');
  });

  test('baseline: none, and dry-run sweeps by default, add no baseline job', async () => {
    const none = await enqueue([await spec('italy-none', ['baseline: none'])]);
    const dry = await enqueue([await spec('italy-dry', ['dryRun: true'])]);
    for (const s of [none, dry]) {
      assert.equal(s.baselineQueued, undefined);
      assert.equal((await baselineJobs(s.sweepId)).length, 0);
      const status = await runCli(['status', s.sweepId], env);
      assert.doesNotMatch(status.stdout, /baseline/);
      await runCli(['cancel', s.sweepId], env);
    }
    // Leaving the option out means the default: the same sweep (and id) as before it existed.
    const explicit = await enqueue([await spec('italy-baseline', ['baseline: minirocket'])]);
    assert.equal(explicit.sweepId, sweepId);
  });

  test('cancel removes a queued baseline job; enqueue --resume adds it back; concurrent producers add it once', async () => {
    const file = await spec('italy-cancel');
    const [a, b] = await Promise.all([enqueue([file]), enqueue([file])]);
    assert.equal(a.sweepId, b.sweepId);
    assert.deepEqual([a.baselineQueued, b.baselineQueued].sort(), [false, true]);
    assert.equal((await baselineJobs(a.sweepId)).length, 1);

    const cancelled = await runCli(['cancel', a.sweepId, '--json'], env);
    assert.deepEqual(JSON.parse(cancelled.stdout), { sweepId: a.sweepId, removed: 1, active: 0, baseline: 'removed' });
    assert.equal((await baselineJobs(a.sweepId)).length, 0);
    assert.match((await runCli(['status', a.sweepId], env)).stdout, /baseline: MiniRocket cancelled/);

    const resumed = await enqueue(['--resume', a.sweepId]);
    assert.deepEqual([resumed.enqueued, resumed.baselineQueued], [1, true]);
    assert.equal((await baselineJobs(a.sweepId)).length, 1);
    assert.match((await runCli(['status', a.sweepId], env)).stdout, /baseline: MiniRocket queued/);
    await runCli(['cancel', a.sweepId], env);
  });

  test('a failure that would recur anywhere (its dataset gone from Redis) fails it at once, recorded, not retried', async () => {
    // Last: the train file's content is shared by every sweep of this file (content-addressed).
    const { sweepId: gone } = await enqueue([await spec('italy-gone', ['retry: { attempts: 3, backoffMs: 0 }'])]);
    const record = JSON.parse((await redis.get(`${prefix}:sweep:${gone}`))!) as { datasetHash: string };
    await redis.del(`${prefix}:dataset:${record.datasetHash}`);
    // A cache of its own: earlier workers cached this content on disk.
    const worker = spawnCli(['worker', '--cache-dir', path.join(dir, 'fresh-cache')], env);
    try {
      await waitFor(
        async () => ((await queue.getJobState(baselineJobId(gone))) === 'failed' ? true : undefined),
        60_000,
        'the baseline job to fail',
      );
    } finally {
      worker.kill('SIGTERM');
    }
    assert.equal(await exited(worker), 0, worker.output());
    const job = await queue.getJob(baselineJobId(gone));
    assert.equal(job!.attemptsMade, 1, 'not retried');
    const status = await waitFor(
      async () => {
        const r = await runCli(['status', gone], env);
        return /baseline: MiniRocket failed/.test(r.stdout) ? r.stdout : undefined;
      },
      10_000,
      'the failure to be recorded',
    );
    assert.match(status, /baseline: MiniRocket failed after 1 attempt\(s\): .*dataset/i);
    const best = await runCli(['best', gone, '--baseline'], env);
    assert.equal(best.code, 2);
    assert.match(best.stderr, /has no result yet: it failed/);
  });
});
