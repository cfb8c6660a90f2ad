import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { encodeDataset } from '../../../src/data/codec.js';
import { syntheticSplit } from '../../../src/data/synthetic.js';
import { TRIAL_DEFAULTS, type TrialConfig } from '../../../src/model/trial-config.js';
import { trialIdOf } from '../../../src/definition/trials.js';
import { DATASETS_IN_MEMORY, DatasetStore } from '../../../src/store/dataset-store.js';
import { Keys } from '../../../src/store/keys.js';
import { SweepStore } from '../../../src/store/sweep-store.js';
import type { TrialResult } from '../../../src/store/records.js';
import { REDIS_URL, deletePrefix, fakeResult, uniquePrefix } from '../../helpers.js';

const prefix = uniquePrefix();
let redis: Redis;
before(() => {
  redis = new Redis(REDIS_URL);
});
after(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

const config = (width: number): TrialConfig => ({ ...TRIAL_DEFAULTS, width, seed: 1 });

function result(sweepId: string, c: TrialConfig, valAuc: number, valLoss: number): TrialResult {
  return fakeResult(sweepId, c, { valAuc, valLoss, valAcc: 0.5 });
}

describe('sweep store', () => {
  const sweepId = 'store-test-0000000000';
  const trials = [8, 16, 32, 64].map((w) => ({ trialId: trialIdOf(config(w)), config: config(w) }));

  test('counts, ranking in both directions, unusable metrics last', async () => {
    const store = new SweepStore(redis, prefix);
    const record = {
      sweepId,
      spec: {} as never,
      datasetHash: 'x',
      shape: { timesteps: 1, features: 1, trainSamples: 1 },
      trials: 4,
      createdAt: new Date().toISOString(),
    };
    assert.equal(await store.createSweep(record, trials), true);
    assert.equal(await store.createSweep(record, trials), false, 'second create finds it');
    // Trials without jobs are not waiting: they count apart until the producer has queued them.
    assert.deepEqual(await store.counts(sweepId), {
      total: 4,
      waiting: 0,
      active: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      pruned: 0,
      notQueued: 4,
    });
    await store.jobsQueued(sweepId, 4);
    assert.deepEqual(await store.startTrial(sweepId, trials[0]!.trialId, { worker: 'h:1', startedAt: 'now' }), {
      known: true,
      fence: 1,
      cancelled: false,
      earlier: undefined,
    });
    assert.deepEqual(await store.counts(sweepId), { total: 4, waiting: 3, active: 1, completed: 0, failed: 0, cancelled: 0, pruned: 0 });

    const max = { name: 'valAuc', goal: 'maximize' } as const;
    await store.saveResult(result(sweepId, config(8), 0.7, 0.5), max);
    await store.saveResult(result(sweepId, config(16), 0.9, 0.6), max);
    await store.saveResult(result(sweepId, config(32), Number.NaN, 0.4), max);
    assert.deepEqual(await store.counts(sweepId), { total: 4, waiting: 1, active: 0, completed: 3, failed: 0, cancelled: 0, pruned: 0 });
    const board = await store.leaderboard(sweepId, max);
    assert.deepEqual(
      board.map((r) => r.config.width),
      [16, 8, 32],
    );
    assert.deepEqual(
      board.map((r) => r.rank),
      [1, 2, 3],
    );
    assert.ok(Number.isNaN(board[2]!.metrics.valAuc), 'NaN survives the JSON round trip');
    assert.deepEqual(
      (await store.leaderboard(sweepId, max, 1)).map((r) => r.config.width),
      [16],
    );
    // a tie on the metric goes to the lower validation loss
    await store.saveResult(result(sweepId, config(64), 0.9, 0.3), max);
    assert.deepEqual(
      (await store.leaderboard(sweepId, max)).map((r) => r.config.width),
      [64, 16, 8, 32],
    );
    const keys = new Keys(prefix);
    await redis.hdel(keys.results(sweepId), trialIdOf(config(64)));
    await redis.zrem(keys.ranking(sweepId), trialIdOf(config(64)));
    const min = { name: 'valLoss', goal: 'minimize' } as const;
    await redis.del(keys.ranking(sweepId));
    for (const r of await store.getResults(sweepId)) await store.saveResult(r, min);
    assert.deepEqual(
      (await store.leaderboard(sweepId, min)).map((r) => r.config.width),
      [32, 8, 16],
    );
  });

  test('a failure never hides a result, and a later result clears a failure', async () => {
    const store = new SweepStore(redis, prefix);
    const max = { name: 'valAuc', goal: 'maximize' } as const;
    const failure = (c: TrialConfig) => ({ sweepId, trialId: trialIdOf(c), config: c, reason: 'boom', attempts: 3, failedAt: 'now' });
    await store.saveFailure(failure(config(8)));
    await store.saveFailure(failure(config(64)));
    assert.deepEqual(
      (await store.getFailures(sweepId)).map((f) => f.config.width),
      [64],
    );
    assert.equal((await store.counts(sweepId)).failed, 1);
    await store.saveResult(result(sweepId, config(64), 0.8, 0.5), max);
    assert.deepEqual(await store.getFailures(sweepId), []);
    assert.deepEqual(await store.counts(sweepId), { total: 4, waiting: 0, active: 0, completed: 4, failed: 0, cancelled: 0, pruned: 0 });
  });
});

describe('live histories', () => {
  const sweepId = 'store-live-0000000000';
  const epoch = (n: number) => ({ epoch: n, loss: 0.5, valLoss: 0.6, valAcc: 0.7, valAuc: Number.NaN, valBalancedAcc: 0.7, durationMs: 3 });

  test('carry their phase; a bare history from an older worker still reads, without one', async () => {
    const store = new SweepStore(redis, prefix);
    await store.saveLiveHistory(sweepId, 'a', [epoch(1), epoch(2)], { kind: 'fold', fold: 2, folds: 3 });
    await store.saveLiveHistory(sweepId, 'b', [epoch(1)], { kind: 'refit', epochs: 4, folds: 3 });
    await redis.hset(new Keys(prefix).live(sweepId), 'c', JSON.stringify([epoch(1)]));
    const live = await store.getLive(sweepId);
    assert.deepEqual(live.get('a'), { phase: { kind: 'fold', fold: 2, folds: 3 }, history: [epoch(1), epoch(2)] });
    assert.deepEqual(live.get('b')?.phase, { kind: 'refit', epochs: 4, folds: 3 });
    assert.deepEqual(live.get('c'), { history: [epoch(1)] });
    assert.deepEqual((await store.getLiveHistories(sweepId)).get('a'), [epoch(1), epoch(2)]);
  });

  test("a cross-validated trial's fold and refit curves are kept apart from its result, and a rewrite without them drops them", async () => {
    const store = new SweepStore(redis, prefix);
    const c = config(8);
    const trialId = trialIdOf(c);
    const cvHistories = {
      folds: [
        [epoch(1), epoch(2)],
        [epoch(1), epoch(2)],
      ],
      refit: [epoch(1)],
    };
    const max = { name: 'valAuc', goal: 'maximize' } as const;
    await store.saveResult({ ...result(sweepId, c, 0.8, 0.5), cvHistories }, max);
    const [stored] = await store.findResults(sweepId, [trialId]);
    assert.equal(stored?.trialId, trialId);
    assert.equal(stored?.cvHistories, undefined, 'the result record does not carry the curves');
    assert.deepEqual(await store.getCvHistories(sweepId, [trialId, 'ffffffffffffffff']), [cvHistories, undefined]);
    await store.saveResult(result(sweepId, c, 0.8, 0.5), max);
    assert.deepEqual(await store.getCvHistories(sweepId, [trialId]), [undefined]);
  });
});

describe('trial deliveries', () => {
  const sweepId = 'fence-test-0000000000';
  const trial = { trialId: trialIdOf(config(8)), config: config(8) };
  const record = {
    sweepId,
    spec: {} as never,
    datasetHash: 'x',
    shape: { timesteps: 1, features: 1, trainSamples: 1 },
    trials: 1,
    createdAt: 'now',
  };
  const active = { worker: 'h:1', startedAt: 'now' };
  const max = { name: 'valAuc', goal: 'maximize' } as const;

  test('a trial its sweep does not hold, or a sweep that does not exist, starts nothing and writes nothing', async () => {
    const store = new SweepStore(redis, prefix);
    assert.deepEqual(await store.startTrial('ghost-0123456789', trial.trialId, active), { known: false });
    await store.createSweep(record, [trial]);
    assert.deepEqual(await store.startTrial(sweepId, '0123456789abcdef', active), { known: false });
    assert.deepEqual([...(await store.getActive(sweepId)).keys()], []);
    assert.deepEqual(await redis.keys(`${prefix}:sweep:ghost-*`), []);
  });

  test('only the latest delivery writes the result: a stale one is refused, atomically', async () => {
    const store = new SweepStore(redis, prefix);
    await store.createSweep(record, [trial]);
    // A server that has not seen the scripts yet (new, restarted, SCRIPT FLUSH) gets their text.
    await redis.script('FLUSH');
    const first = await store.startTrial(sweepId, trial.trialId, active);
    const second = await store.startTrial(sweepId, trial.trialId, { ...active, worker: 'h:2' });
    assert.ok(first.known && second.known);
    assert.equal(second.fence, first.fence + 1);
    assert.equal(await store.saveResult({ ...result(sweepId, config(8), 0.9, 0.1), worker: 'h:2', attempts: 2 }, max, second.fence), true);
    // the first delivery comes back late (its worker was stopped) with a different result
    assert.equal(await store.saveResult({ ...result(sweepId, config(8), 0.5, 0.9), worker: 'h:1', attempts: 1 }, max, first.fence), false);
    const kept = await store.getResult(sweepId, trial.trialId);
    assert.deepEqual([kept?.worker, kept?.attempts, kept?.metrics.valAuc], ['h:2', 2, 0.9]);
    assert.deepEqual(
      (await store.leaderboard(sweepId, max)).map((r) => r.metrics.valAuc),
      [0.9],
    );
  });
});

describe('dataset store', () => {
  test('stores once by sha256, fetches, verifies and caches locally', async () => {
    const encoded = encodeDataset({ train: syntheticSplit({ n: 10, timesteps: 5, seed: 1 }) });
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'lsw-cache-'));
    const producer = new DatasetStore(redis, prefix);
    const hash = await producer.put(encoded);
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(await producer.put(encoded), hash);

    const worker = new DatasetStore(redis, prefix, cacheDir);
    const ds = await worker.get(hash);
    assert.equal(ds.train.n, 10);
    const cacheFile = path.join(cacheDir, 'datasets', `${hash}.bin`);
    assert.ok(existsSync(cacheFile));

    // Another process on the same host reads the cache, even with the key gone from Redis.
    await redis.del(`${prefix}:dataset:${hash}`);
    assert.equal((await new DatasetStore(redis, prefix, cacheDir).get(hash)).train.n, 10);

    // A corrupted cache file is ignored (and Redis has nothing left to fall back on).
    await writeFile(cacheFile, 'garbage');
    await assert.rejects(new DatasetStore(redis, prefix, cacheDir).get(hash), /not in Redis/);
  });

  test(`keeps only the ${DATASETS_IN_MEMORY} most recently used datasets in memory`, async () => {
    const store = new DatasetStore(redis, prefix); // no cache folder: a forgotten dataset must come from Redis
    const hashes = await Promise.all(
      [11, 12, 13].map((seed) => store.put(encodeDataset({ train: syntheticSplit({ n: 4, timesteps: 5, seed }) }))),
    );
    for (const hash of hashes) await store.get(hash);
    await store.get(hashes[1]!); // most recent: 13, 12
    await redis.del(...hashes.map((h) => `${prefix}:dataset:${h}`));
    assert.equal((await store.get(hashes[2]!)).train.n, 4);
    assert.equal((await store.get(hashes[1]!)).train.n, 4);
    await assert.rejects(store.get(hashes[0]!), /not in Redis/); // the least recently used was let go
  });

  test('a dataset whose bytes do not match its hash is rejected', async () => {
    const fake = '0'.repeat(64);
    await redis.set(`${prefix}:dataset:${fake}`, encodeDataset({ train: syntheticSplit({ n: 4, timesteps: 6, seed: 2 }) }));
    await assert.rejects(new DatasetStore(redis, prefix).get(fake), /does not match its hash/);
  });
});
