import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { parseSpecText } from '../../../src/definition/load-spec.js';
import { SweepStore } from '../../../src/store/sweep-store.js';
import type { BaselineResult, SweepRecord } from '../../../src/store/records.js';
import { REDIS_URL, deletePrefix, uniquePrefix } from '../../helpers.js';

const prefix = uniquePrefix();
let redis: Redis;
before(() => {
  redis = new Redis(REDIS_URL);
});
after(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

function record(sweepId: string, extra = ''): SweepRecord {
  return {
    sweepId,
    spec: parseSpecText(`name: b\ndataset: { train: t.csv }\n${extra}`, 's'),
    datasetHash: 'b'.repeat(64),
    shape: { timesteps: 8, features: 1, trainSamples: 10 },
    trials: 0,
    createdAt: new Date().toISOString(),
  };
}

function result(sweepId: string, valAcc: number, attempts: number): BaselineResult {
  return {
    kind: 'baseline',
    method: 'minirocket',
    sweepId,
    metrics: { valLoss: 0.2, valAcc, valAuc: 0.9, valBalancedAcc: valAcc },
    seconds: 0.5,
    durationMs: 700,
    features: 9996,
    alpha: 10,
    classes: 2,
    worker: 'w:1',
    attempts,
    finishedAt: new Date().toISOString(),
    normalization: { mode: 'none' },
    inputShape: { timesteps: 8, features: 1 },
  };
}

describe('the baseline record of a sweep', () => {
  test('states: queued, running, done; only the latest delivery writes; trials never see it', async () => {
    const store = new SweepStore(redis, prefix);
    const sweep = record('bl-store-0000000001');
    assert.deepEqual(await store.startBaseline(sweep.sweepId, { worker: 'w:1', startedAt: 'now' }), { known: false });
    assert.equal(await store.createSweep(sweep, []), true);
    assert.deepEqual(await store.baselineState(sweep), { state: 'queued' });

    const first = await store.startBaseline(sweep.sweepId, { worker: 'w:1', startedAt: 't1' });
    assert.deepEqual(first, { known: true, fence: 1, cancelled: false, earlier: undefined });
    assert.deepEqual(await store.baselineState(sweep), { state: 'running', worker: 'w:1', startedAt: 't1', attempt: 1 });
    // The job is delivered again (its worker lost the lock): the first delivery may no longer write.
    const second = await store.startBaseline(sweep.sweepId, { worker: 'w:2', startedAt: 't2' });
    assert.equal(second.known && second.fence, 2);
    assert.equal(await store.saveBaseline(result(sweep.sweepId, 0.5, 1), 1), false);
    assert.equal(await store.saveBaseline(result(sweep.sweepId, 0.9, 2), 2), true);
    const done = await store.baselineState(sweep);
    assert.equal(done.state === 'done' && done.result.metrics.valAcc, 0.9);
    // A failure reported after the result keeps the result; a third delivery finds it.
    await store.saveBaselineFailure(sweep.sweepId, { reason: 'late', attempts: 3, failedAt: 'now' });
    assert.equal((await store.baselineState(sweep)).state, 'done');
    const third = await store.startBaseline(sweep.sweepId, { worker: 'w:3', startedAt: 't3' });
    assert.equal(third.known && third.earlier?.metrics.valAcc, 0.9);

    assert.deepEqual(await store.counts(sweep.sweepId), {
      total: 0,
      waiting: 0,
      active: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      pruned: 0,
    });
    assert.deepEqual(await store.leaderboard(sweep.sweepId, sweep.spec.metric), []);
  });

  test('failed, cancelled, queued again; none for a sweep without a baseline', async () => {
    const store = new SweepStore(redis, prefix);
    const sweep = record('bl-store-0000000002');
    await store.createSweep(sweep, []);
    await store.saveBaselineFailure(sweep.sweepId, { reason: 'boom', attempts: 3, worker: 'w:1', failedAt: 'now' });
    const failed = await store.baselineState(sweep);
    assert.equal(failed.state === 'failed' && failed.failure.reason, 'boom');
    await store.queuingBaseline(sweep.sweepId);
    assert.equal((await store.baselineState(sweep)).state, 'queued');
    await store.markBaselineCancelled(sweep.sweepId);
    assert.equal((await store.baselineState(sweep)).state, 'cancelled');
    await store.queuingBaseline(sweep.sweepId);
    assert.equal((await store.baselineState(sweep)).state, 'queued');

    const skipped: Parameters<SweepStore['baselineState']>[1] = [];
    await redis.hset(`${prefix}:sweep:${sweep.sweepId}:baseline`, 'result', '{"kind":"baseline"}');
    assert.equal((await store.baselineState(sweep, skipped)).state, 'queued');
    assert.equal(skipped!.length, 1);

    assert.deepEqual(await store.baselineState(record('bl-store-0000000003', 'baseline: none\n')), { state: 'none' });
    assert.deepEqual(await store.baselineState(record('bl-store-0000000004', 'dryRun: true\n')), { state: 'none' });
  });
});
