/** ASHA's rungs and its decision, atomic in the real Redis through the store. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { AshaPruner, rungsOf } from '../../../src/search/pruners/asha.js';
import { SweepStore } from '../../../src/store/sweep-store.js';
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

describe('asha rungs', () => {
  test('rungs at minEpochs·η^k below the epoch budget', () => {
    assert.deepEqual(rungsOf({ minEpochs: 1, reductionFactor: 3 }, 30), [1, 3, 9, 27]);
    assert.deepEqual(rungsOf({ minEpochs: 2, reductionFactor: 2 }, 8), [2, 4]);
    assert.deepEqual(rungsOf({ minEpochs: 5, reductionFactor: 3 }, 5), []);
  });

  test('only the top max(1, ⌊n/η⌋) of the trials at a rung go on, decided in Redis', async () => {
    const asha = new AshaPruner(new SweepStore(redis, prefix), { minEpochs: 1, reductionFactor: 3 }, { name: 'valAuc', goal: 'maximize' });
    // In this order: 1st goes on (alone), 2nd worse -> stops, 3rd best -> goes on, 4th worse than 1 of 4 ...
    const decisions = [];
    for (const [id, v] of [
      ['a', 0.7],
      ['b', 0.6],
      ['c', 0.9],
      ['d', 0.65],
      ['e', 0.8],
      ['f', 0.85],
    ] as const) {
      decisions.push(await asha.report('rung-seq-0000000001', id, 1, v));
    }
    // n=1 keep1: a on; n=2 keep1: b off; n=3 keep1: c on; n=4 keep1: d off; n=5 keep1: e off (c better); n=6 keep2: f on (only c better)
    assert.deepEqual(decisions, [true, false, true, false, false, true]);
    const min = new AshaPruner(new SweepStore(redis, prefix), { minEpochs: 1, reductionFactor: 2 }, { name: 'valLoss', goal: 'minimize' });
    assert.equal(await min.report('rung-min-0000000002', 'a', 1, 0.5), true);
    assert.equal(await min.report('rung-min-0000000002', 'b', 1, 0.7), false, 'higher loss is worse');
    assert.equal(await min.report('rung-min-0000000002', 'c', 1, Number.NaN), false, 'an undefined metric is the worst');
  });

  test('many workers reporting at once lose no entry, and the best always goes on', async () => {
    const clients = Array.from({ length: 4 }, () => new Redis(REDIS_URL));
    const values = Array.from({ length: 40 }, (_, i) => ((i * 37) % 40) / 40);
    // Which report Redis ran when: the store says how many had reached the rung, this one included.
    const seen: { trialId: string; value: number; reached: number; better: number }[] = [];
    const decisions = await Promise.all(
      values.map((v, i) => {
        const store = new SweepStore(clients[i % 4]!, prefix);
        const watched = {
          addToRung: async (...args: Parameters<SweepStore['addToRung']>) => {
            const r = await store.addToRung(...args);
            seen.push({ trialId: args[2], value: v, ...r });
            return r;
          },
        };
        return new AshaPruner(watched, { minEpochs: 2, reductionFactor: 4 }, { name: 'valAuc', goal: 'maximize' }).report(
          'rung-par-0000000003',
          `t${i}`,
          2,
          v,
        );
      }),
    );
    for (const c of clients) c.disconnect();
    assert.equal(await redis.zcard(`${prefix}:sweep:rung-par-0000000003:rung:2`), 40);
    assert.equal(decisions[values.indexOf(Math.max(...values))], true);
    // Atomic: the reports ran one at a time (positions 1..40, none lost), and each decision is the
    // one a sequential ASHA makes in that order. How many go on depends on the order Redis saw.
    assert.deepEqual(
      seen.map((s) => s.reached).sort((a, b) => a - b),
      values.map((_, i) => i + 1),
    );
    const inOrder = [...seen].sort((a, b) => a.reached - b.reached);
    inOrder.forEach((s, k) => {
      const better = inOrder.slice(0, k).filter((o) => o.value > s.value).length;
      assert.equal(s.better, better, `report ${k + 1} counts the better ones before it`);
      const i = Number(s.trialId.slice(1));
      assert.equal(decisions[i], better < Math.max(1, Math.floor((k + 1) / 4)), `decision of ${s.trialId}`);
    });
    const kept = decisions.filter(Boolean).length;
    assert.ok(kept >= 1 && kept < 40, `kept ${kept}`);
  });
});
