import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { baselineVerdict, leaderboardCsv, leaderboardTable } from '../../../src/cli/leaderboard-format.js';
import { TRIAL_DEFAULTS } from '../../../src/model/trial-config.js';
import type { BaselineResult, LeaderboardRow } from '../../../src/store/records.js';

const baseline = (valAcc: number, testAcc?: number): BaselineResult => ({
  kind: 'baseline',
  method: 'minirocket',
  sweepId: 'v-0123456789',
  metrics: { valLoss: 0.1, valAcc, valAuc: 0.99, valBalancedAcc: valAcc, ...(testAcc === undefined ? {} : { testAcc }) },
  seconds: 0.3,
  durationMs: 800,
  features: 9996,
  alpha: 10,
  classes: 2,
  worker: 'w:1',
  attempts: 1,
  finishedAt: '1970-01-01T00:00:00.000Z',
  normalization: { mode: 'none' },
  inputShape: { timesteps: 8, features: 1 },
});

const trial = (rank: number, valAcc: number, testAcc?: number): LeaderboardRow => ({
  rank,
  trialId: `${rank}`.padStart(16, '0'),
  config: { ...TRIAL_DEFAULTS, seed: rank },
  metrics: { valLoss: 0.3, valAcc, valAuc: 0.9, ...(testAcc === undefined ? {} : { testAcc }) },
  epochs: 5,
  durationMs: 1000,
  backend: 'wasm',
  worker: 'w:2',
  attempts: 1,
});

const valAcc = { name: 'valAcc', goal: 'maximize' } as const;

describe('the baseline in the leaderboard', () => {
  test('the verdict says who is ahead on the metric and on test accuracy, ties included', () => {
    assert.deepEqual(baselineVerdict(baseline(0.97, 0.95), [trial(1, 0.91, 0.9), trial(2, 0.8, 0.96)], valAcc), [
      'MiniRocket baseline beats every trial: valAcc 0.9700 vs best trial 0.9100',
      'best trial test accuracy 0.9600 vs MiniRocket baseline 0.9500',
    ]);
    assert.deepEqual(baselineVerdict(baseline(0.9, 0.97), [trial(1, 0.95, 0.9)], valAcc, 'the 1 best trials'), [
      'best trial valAcc 0.9500 vs MiniRocket baseline 0.9000',
      'MiniRocket baseline beats the 1 best trials on test accuracy: 0.9700 vs best trial 0.9000',
    ]);
    assert.deepEqual(baselineVerdict(baseline(0.95), [trial(1, 0.95, 0.9)], valAcc), [
      'MiniRocket baseline ties the best trial: valAcc 0.9500',
    ]);
    // A minimised metric: lower is better.
    assert.match(
      baselineVerdict(baseline(0.9), [trial(1, 0.9)], { name: 'valLoss', goal: 'minimize' })[0]!,
      /beats every trial: valLoss 0.1000 vs best trial 0.3000/,
    );
    assert.deepEqual(baselineVerdict(baseline(0.9), [], valAcc), []);
  });

  test('table and CSV: the reference row first, outside the ranking', () => {
    const rows = [trial(1, 0.91), trial(2, 0.8)];
    const table = leaderboardTable(rows, valAcc, baseline(0.97)).split('\n');
    const ref = table.findIndex((l) => /│ ref +│ MiniRocket +│/.test(l));
    assert.ok(ref > 0 && ref < table.findIndex((l) => /│ 1 +│ 00000000/.test(l)), table.join('\n'));
    const csv = leaderboardCsv(rows, baseline(0.97)).trim().split('\n');
    assert.equal(csv.length, 4);
    assert.match(csv[0]!, /^rank,trialId,.*,kind,method$/);
    assert.match(csv[1]!, /^,,.*,0\.97,.*,baseline,minirocket$/);
    assert.match(csv[2]!, /^1,0000000000000001,.*,trial,$/);
    // Without a baseline, the trial rows are what they were, with kind trial.
    assert.equal(leaderboardCsv(rows).trim().split('\n').length, 3);
  });
});
