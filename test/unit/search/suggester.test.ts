import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SweepSpecSchema, type SweepSpecInput } from '../../../src/definition/sweep-spec.js';
import { withAbsentOptions } from '../../../src/model/trial-config.js';
import { trialJobId, type TrialJob } from '../../../src/queue/trial-job.js';
import { createTrialQueue } from '../../../src/queue/trial-queue.js';
import { topUpSweep } from '../../../src/search/suggester.js';
import type { SweepRecord, TrialResult } from '../../../src/store/records.js';
import { SweepStore } from '../../../src/store/sweep-store.js';
import { REDIS_URL, deletePrefix, fakeResult, uniquePrefix } from '../../helpers.js';

/**
 * The suggester against the real, closed store: it reads trials, results, failures and cancel
 * marks only through SweepStore's methods and writes trials and jobs through the store and the
 * queue. No workers: the test plays them by writing results.
 */
const prefix = uniquePrefix();
let redis: Redis;
let store: SweepStore;
let queue: Queue<TrialJob>;

before(() => {
  redis = new Redis(REDIS_URL);
  store = new SweepStore(redis, prefix);
  queue = createTrialQueue(redis, prefix);
});
after(async () => {
  await queue.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

async function tpeSweep(name: string, spec: Partial<SweepSpecInput>): Promise<SweepRecord> {
  const sweepId = `${name}-0123456789`;
  const parsed = SweepSpecSchema.parse({
    name,
    dataset: { train: 'train.csv' },
    method: 'tpe',
    count: 8,
    parallelism: 3,
    parameters: { depth: [1, 2, 3], width: [4, 8, 16], dropout: { min: 0, max: 0.5 } },
    metric: { name: 'valLoss', goal: 'minimize' },
    dryRun: true,
    ...spec,
  });
  const record: SweepRecord = {
    sweepId,
    spec: parsed,
    datasetHash: 'f'.repeat(64),
    shape: { timesteps: 8, features: 1, trainSamples: 20 },
    trials: parsed.count ?? 0,
    createdAt: new Date().toISOString(),
  };
  assert.equal(await store.createSweep(record, []), true);
  return record;
}

async function finish(sweepId: string, trial: { trialId: string; config: TrialResult['config'] }, valLoss: number): Promise<void> {
  const result = fakeResult(sweepId, trial.config, { valLoss, valAcc: 0.5, valAuc: 0.5 }, 'test:1');
  await store.saveResult(result, { name: 'valLoss', goal: 'minimize' });
}

const configKey = (t: { config: TrialResult['config'] }) => JSON.stringify(withAbsentOptions({ ...t.config, seed: 0 }));

async function jobsOf(sweepId: string): Promise<string[]> {
  const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
  return jobs.filter((j) => j.data.sweepId === sweepId).map((j) => j.data.trialId);
}

describe('suggester', () => {
  test('keeps `parallelism` trials pending, registers each before its job, and spends the budget exactly', async () => {
    const sweep = await tpeSweep('sugg-budget', {});
    assert.equal(await topUpSweep(sweep, { store, queue }), 3);
    assert.equal(await topUpSweep(sweep, { store, queue }), 0, 'three pending: nothing more');
    let trials = await store.getTrials(sweep.sweepId);
    assert.equal(trials.length, 3);
    assert.deepEqual((await jobsOf(sweep.sweepId)).sort(), trials.map((t) => t.trialId).sort());

    // results arrive one at a time, as workers finish them; each frees one slot
    const done = new Set<string>();
    for (let round = 0; round < 10; round++) {
      trials = await store.getTrials(sweep.sweepId);
      const open = trials.filter((t) => !done.has(t.trialId));
      if (open.length === 0) break;
      await finish(sweep.sweepId, open[0]!, 1 / (round + 2));
      done.add(open[0]!.trialId);
      await topUpSweep(sweep, { store, queue });
    }
    trials = await store.getTrials(sweep.sweepId);
    assert.equal(trials.length, 8, 'exactly the budget');
    assert.equal(new Set(trials.map(configKey)).size, 8, 'no configuration twice');
    assert.equal(await topUpSweep(sweep, { store, queue }), 0, 'budget spent');
  });

  test('concurrent suggesters (one per worker) never add past parallelism or repeat a configuration', async () => {
    const sweep = await tpeSweep('sugg-race', { count: 20, parallelism: 4 });
    const added = await Promise.all(Array.from({ length: 6 }, () => topUpSweep(sweep, { store, queue })));
    assert.equal(
      added.reduce((a, b) => a + b, 0),
      4,
    );
    const trials = await store.getTrials(sweep.sweepId);
    assert.equal(trials.length, 4);
    assert.equal(new Set(trials.map(configKey)).size, 4);
  });

  test('failed and cancelled trials free their slot; a cancelled sweep gets no suggestion', async () => {
    const sweep = await tpeSweep('sugg-dropped', { count: 10, parallelism: 2 });
    assert.equal(await topUpSweep(sweep, { store, queue }), 2);
    const [a, b] = await store.getTrials(sweep.sweepId);
    await store.saveFailure({
      sweepId: sweep.sweepId,
      trialId: a!.trialId,
      config: a!.config,
      reason: 'diverged',
      attempts: 1,
      worker: 'test:1',
      failedAt: new Date().toISOString(),
    });
    await store.markCancelled(sweep.sweepId, [b!.trialId]);
    assert.equal(await topUpSweep(sweep, { store, queue }), 2, 'both slots are free again');
    await store.requestCancel(sweep.sweepId);
    await finish(sweep.sweepId, (await store.getTrials(sweep.sweepId))[2]!, 0.3);
    assert.equal(await topUpSweep(sweep, { store, queue }), 0);
  });

  test('a small discrete space ends early and the sweep total shrinks to what was tried', async () => {
    const sweep = await tpeSweep('sugg-small', { count: 10, parallelism: 10, parameters: { depth: [1, 2], width: [4, 8] } });
    assert.equal(await topUpSweep(sweep, { store, queue }), 4, 'every combination, then no more');
    const trials = await store.getTrials(sweep.sweepId);
    for (const [i, t] of trials.entries()) await finish(sweep.sweepId, t, i / 10);
    assert.equal(await topUpSweep(sweep, { store, queue }), 0);
    assert.equal((await store.counts(sweep.sweepId)).total, 4);
  });

  test('trials registered by a suggester that died before queueing get their jobs from the next one', async () => {
    const sweep = await tpeSweep('sugg-orphan', { count: 6, parallelism: 2 });
    assert.equal(await topUpSweep(sweep, { store, queue }), 2);
    const [first] = await store.getTrials(sweep.sweepId);
    await queue.remove(trialJobId(sweep.sweepId, first!.trialId));
    assert.ok(!(await jobsOf(sweep.sweepId)).includes(first!.trialId), 'its job is gone');
    assert.equal(await topUpSweep(sweep, { store, queue }), 0, 'still two pending');
    assert.ok((await jobsOf(sweep.sweepId)).includes(first!.trialId), 'queued again');
  });
});
