import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { datasetMismatch, metricNote, sweepBest, trialPoints } from '../../../src/analysis/sweep-comparison.js';
import { TRIAL_DEFAULTS } from '../../../src/model/trial-config.js';
import type { LeaderboardRow, SweepRecord } from '../../../src/store/records.js';

const valAuc = { name: 'valAuc', goal: 'maximize' } as const;
const valLoss = { name: 'valLoss', goal: 'minimize' } as const;

/** The fields of a sweep record the comparison reads. */
const sweep = (sweepId: string, seeds: number[], metric: SweepRecord['spec']['metric'] = valAuc, datasetHash = 'a'.repeat(64)) =>
  ({ sweepId, datasetHash, spec: { seeds, metric } }) as unknown as SweepRecord;

const row = (trialId: string, depth: number, seed: number, auc: number, loss: number, testAcc?: number): LeaderboardRow => ({
  rank: 0,
  trialId,
  config: { ...TRIAL_DEFAULTS, depth, seed },
  metrics: { valLoss: loss, valAcc: 0.5, valAuc: auc, ...(testAcc === undefined ? {} : { testAcc }) },
  epochs: 3,
  durationMs: 1,
  backend: 'cpu',
  worker: 'w:1',
  attempts: 1,
});

describe('comparing sweeps', () => {
  // depth 1: auc 0.9 and 0.5 (mean 0.7); depth 2: 0.8 and 0.8 (mean 0.8). The best single trial is depth 1's seed 0.
  const rows = [row('t1', 1, 0, 0.9, 0.2, 1), row('t2', 2, 0, 0.8, 0.3, 0.5), row('t3', 2, 1, 0.8, 0.1, 0.75), row('t4', 1, 1, 0.5, 0.6)];

  test('several seeds: the best configuration by its mean over the seeds, as leaderboard --by-config ranks it', () => {
    const best = sweepBest(sweep('s-0123456789', [0, 1]), rows, valAuc);
    assert.equal(best?.kind, 'config');
    assert.equal(best.config.depth, 2);
    assert.deepEqual(best.trialIds, ['t2', 't3']);
    assert.equal(best.value, 0.8);
    assert.equal(best.testAcc, 0.625);
  });

  test('one seed: the best trial, on the given metric and its direction', () => {
    const auc = sweepBest(sweep('s-0123456789', [0]), rows, valAuc);
    assert.deepEqual([auc?.kind, auc?.trialIds, auc?.value, auc?.testAcc], ['trial', ['t1'], 0.9, 1]);
    const loss = sweepBest(sweep('s-0123456789', [0]), rows, valLoss);
    assert.deepEqual([loss?.trialIds, loss?.value, loss?.testAcc], [['t3'], 0.1, 0.75]);
    assert.equal(sweepBest(sweep('s-0123456789', [0]), [], valAuc), null);
  });

  test('the points are the finished trials with a finite value, test accuracy null when absent', () => {
    const nan = row('t5', 3, 0, Number.NaN, 1);
    assert.deepEqual(trialPoints([...rows, nan], valAuc).at(-1), { trialId: 't4', value: 0.5, testAcc: null });
    assert.equal(trialPoints([...rows, nan], valAuc).length, 4);
  });

  test('different datasets are named; different metrics are noted, the first sweep leads', () => {
    const a = sweep('a-0123456789', [0]);
    const b = sweep('b-0123456789', [0], valLoss, 'b'.repeat(64));
    assert.equal(datasetMismatch([a, sweep('c-0123456789', [0])]), undefined);
    assert.match(
      datasetMismatch([a, b])!,
      /different datasets: a-0123456789 \(dataset aaaaaaaaaaaa\), b-0123456789 \(dataset bbbbbbbbbbbb\)/,
    );
    assert.equal(metricNote([a, sweep('c-0123456789', [0])]), null);
    assert.match(metricNote([a, b])!, /different metrics .*; all are compared on valAuc \(maximize\), the first sweep's/);
  });
});
