import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TRIAL_DEFAULTS } from '../../../src/model/trial-config.js';

describe('seed groups', () => {
  test('one row per configuration with mean ± sd over seeds, ranked by the mean', async () => {
    const { bySeedGroups } = await import('../../../src/store/aggregate.js');
    const row = (width: number, seed: number, valAuc: number, testAcc: number) => ({
      rank: 0,
      trialId: `${width}-${seed}`,
      config: { ...TRIAL_DEFAULTS, width, seed },
      metrics: { valAuc, valLoss: 1 - valAuc, valAcc: valAuc, testAcc },
      epochs: 1,
      durationMs: 1,
      backend: 'cpu',
      worker: 'w',
      attempts: 1,
    });
    const rows = [row(8, 1, 0.9, 0.8), row(8, 2, 0.7, 0.6), row(16, 1, 0.85, 0.9), row(16, 2, 0.83, 0.8), row(32, 1, Number.NaN, 0.5)];
    const groups = bySeedGroups(rows, { name: 'valAuc', goal: 'maximize' });
    assert.deepEqual(
      groups.map((g) => [g.rank, g.config.width, g.seeds]),
      [
        [1, 16, [1, 2]],
        [2, 8, [1, 2]],
        [3, 32, [1]],
      ],
    );
    assert.ok(Math.abs(groups[0]!.metric.mean - 0.84) < 1e-12);
    assert.ok(Math.abs(groups[1]!.metric.std - Math.sqrt(0.02)) < 1e-12, 'sample standard deviation');
    assert.deepEqual([groups[1]!.metric.min, groups[1]!.metric.max], [0.7, 0.9]);
    assert.ok(Math.abs(groups[0]!.testAcc!.mean - 0.85) < 1e-12);
    assert.ok(Number.isNaN(groups[2]!.metric.mean), 'a config without a usable metric ranks last');
    assert.equal('seed' in groups[0]!.config, false);
    const byLoss = bySeedGroups(rows, { name: 'valLoss', goal: 'minimize' });
    assert.equal(byLoss[0]!.config.width, 16);
  });
});
