import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { meanInterval, tQuantile } from '../../../src/analysis/interval.js';
import { compareInputSchema, pairedComparison, type PairedComparison } from '../../../src/analysis/paired.js';
import { TRIAL_DEFAULTS, type TrialConfig } from '../../../src/model/trial-config.js';
import type { LeaderboardRow, SweepRecord } from '../../../src/store/records.js';

const close = (a: number | null | undefined, b: number, eps = 1e-9) => assert.ok(a != null && Math.abs(a - b) < eps, `${a} ≉ ${b}`);

function sweep(parameters: Record<string, unknown>, metric = { name: 'valAuc', goal: 'maximize' }): SweepRecord {
  return { sweepId: 'unit-sweep', spec: { parameters, metric, seeds: [0, 1] } } as unknown as SweepRecord;
}

let next = 0;
function row(config: Partial<TrialConfig> & Record<string, unknown>, metrics: Record<string, number>, extra: Partial<LeaderboardRow> = {}) {
  return {
    rank: 0,
    trialId: `trial${String(next++).padStart(4, '0')}`,
    config: { ...TRIAL_DEFAULTS, seed: 0, ...config } as TrialConfig,
    metrics: { valLoss: 0.5, valAcc: 0.5, ...metrics } as LeaderboardRow['metrics'],
    epochs: 1,
    durationMs: 1,
    backend: 'cpu',
    worker: 'w',
    attempts: 1,
    ...extra,
  } as LeaderboardRow;
}

function compare(s: SweepRecord, rows: LeaderboardRow[], by: string, ref?: string): PairedComparison {
  return pairedComparison(s, rows, compareInputSchema(s, rows).parse({ by, ref }));
}

describe('Student t interval of a mean', () => {
  test('quantiles match the printed table (two-sided 95%)', () => {
    close(tQuantile(1), 12.7062, 1e-4);
    close(tQuantile(3), 3.1824, 1e-4);
    close(tQuantile(10), 2.2281, 1e-4);
    close(tQuantile(30), 2.0423, 1e-4);
  });

  test('mean ± t · sd / √n, by hand: 1, 2, 3, 4', () => {
    const s = meanInterval([1, 2, 3, 4, Number.NaN])!;
    assert.equal(s.n, 4, 'NaN is left out');
    close(s.mean, 2.5);
    close(s.sd, Math.sqrt(5 / 3));
    // t(0.975, 3) = 3.182446; sd / √4 = 0.645497
    close(s.halfWidth, 3.182446 * 0.645497, 1e-5);
    close(s.low, 2.5 - 2.054255, 1e-5);
    close(s.high, 2.5 + 2.054255, 1e-5);
  });

  test('one value: a mean, no interval; none: undefined', () => {
    assert.deepEqual(meanInterval([0.7]), { n: 1, mean: 0.7, sd: null, halfWidth: null, low: null, high: null, df: 0, confidence: 0.95 });
    assert.equal(meanInterval([Number.NaN]), undefined);
  });
});

describe('paired comparisons', () => {
  test('residual: pairs within a seed, absent residual read as true, unpaired trials left out', () => {
    const { residual: _r, ...absent } = { ...TRIAL_DEFAULTS, residual: true };
    const rows = [
      row({ ...absent, depth: 1, seed: 0 }, { valAuc: 0.8, testAcc: 0.7 }), // residual absent = true
      row({ depth: 1, seed: 0, residual: false }, { valAuc: 0.75, testAcc: 0.72 }),
      row({ depth: 1, seed: 1, residual: true }, { valAuc: 0.9, testAcc: 0.8 }), // spelled out
      row({ depth: 1, seed: 1, residual: false }, { valAuc: 0.82, testAcc: 0.8 }),
      row({ depth: 2, seed: 0, residual: false }, { valAuc: 0.6 }), // no depth-2 partner
      row({ depth: 1, seed: 1, residual: true, width: 8 }, { valAuc: 0.99 }), // differs in width too
    ];
    const r = compare(sweep({ residual: [true, false], depth: [1, 2] }), rows, 'residual');
    assert.equal(r.reference, false, 'a switch is compared with off');
    assert.deepEqual(r.parameters, ['depth', 'width', 'residual']);
    assert.equal(r.comparisons.length, 1);
    const c = r.comparisons[0]!;
    assert.equal(c.value, true);
    assert.deepEqual(
      c.pairs.map((p) => [p.seed, p.config.depth, p.trials.reference, p.trials.other]),
      [
        [0, 1, rows[1]!.trialId, rows[0]!.trialId],
        [1, 1, rows[3]!.trialId, rows[2]!.trialId],
      ],
    );
    assert.equal('residual' in c.pairs[0]!.config, false, 'the shared part leaves out by');
    assert.equal('seed' in c.pairs[0]!.config, false, 'and the seed');
    // valAuc in points: +5 and +8; testAcc: -2 and 0.
    close(c.pairs[0]!.metric.diff, 5);
    close(c.pairs[1]!.metric.diff, 8);
    close(c.summary.metric!.mean, 6.5);
    close(c.summary.metric!.sd, Math.sqrt(4.5));
    // t(0.975, 1) · sd / √2 = 12.7062 · 1.5 = 19.06
    close(c.summary.metric!.halfWidth, 12.706205 * 1.5, 1e-4);
    close(c.summary.testAcc!.mean, -1);
    assert.equal(r.metric.unit, 'points');
    assert.equal(
      c.sentence,
      'residual helps validation ROC AUC by +6.5 ± 19.1 points on 2 pairs (95% interval, t; it includes 0); test accuracy -1.0 ± 12.7 points',
    );
    assert.equal(r.noPairs, undefined);
  });

  test('a parameter with 3 values: the smallest is the reference, one comparison per other value; --ref moves it', () => {
    const rows = [0, 1].flatMap((seed) =>
      [1, 2, 3].map((depth) => row({ depth, seed }, { valLoss: 1 - 0.1 * depth + 0.05 * seed, valAuc: 0.5 })),
    );
    const s = sweep({ depth: [3, 1, 2] }, { name: 'valLoss', goal: 'minimize' });
    const r = compare(s, rows, 'depth');
    assert.equal(r.reference, 1);
    assert.deepEqual(r.values, [1, 2, 3]);
    assert.deepEqual(
      r.comparisons.map((c) => [c.value, c.pairs.length]),
      [
        [2, 2],
        [3, 2],
      ],
    );
    assert.equal(r.metric.unit, 'loss');
    close(r.comparisons[1]!.summary.metric!.mean, -0.2, 1e-12);
    close(r.comparisons[1]!.summary.metric!.sd, 0, 1e-12);
    assert.equal(r.comparisons[1]!.sentence, 'depth 3 (vs 1) helps validation loss by -0.200 ± 0.000 on 2 pairs (95% interval, t)');
    const moved = compare(s, rows, 'depth', '2');
    assert.equal(moved.reference, 2);
    assert.deepEqual(
      moved.comparisons.map((c) => [c.value, c.summary.metric!.mean.toFixed(3)]),
      [
        [1, '0.100'],
        [3, '-0.100'],
      ],
    );
    assert.match(moved.comparisons[0]!.sentence, /^depth 1 \(vs 2\) hurts validation loss by \+0\.100/);
  });

  test('named choices: the vocabulary default is the reference; an absent option reads as it', () => {
    const rows = [0, 1].flatMap((seed) => [
      row({ seed }, { valAuc: 0.7 }), // classWeight absent = none
      row({ seed, classWeight: 'balanced' }, { valAuc: 0.7 + 0.01 * (seed + 1) }),
    ]);
    const r = compare(sweep({ classWeight: ['balanced', 'none'] }), rows, 'classWeight');
    assert.equal(r.reference, 'none');
    assert.equal(r.comparisons[0]!.value, 'balanced');
    assert.equal(r.comparisons[0]!.pairs.length, 2);
    close(r.comparisons[0]!.summary.metric!.mean, 1.5);
  });

  test('a single pair has no interval; an undefined AUC drops out of the summary', () => {
    const rows = [
      row({ seed: 0, head: 'dense' }, { valAuc: 0.8 }),
      row({ seed: 0, head: 'lstm' }, { valAuc: 0.7 }),
      row({ seed: 1, head: 'dense' }, { valAuc: Number.NaN }),
      row({ seed: 1, head: 'lstm' }, { valAuc: 0.6 }),
    ];
    const c = compare(sweep({ head: ['dense', 'lstm'] }), rows, 'head').comparisons[0]!;
    assert.equal(c.pairs.length, 2);
    assert.equal(c.pairs[1]!.metric.diff, null);
    assert.equal(c.summary.metric!.n, 1);
    assert.equal(c.sentence, 'head lstm (vs dense) hurts validation ROC AUC by -10.0 points on 1 pair (one pair: no interval)');
  });

  test('trials stopped early by ASHA are left out', () => {
    const rows = [
      row({ seed: 0, residual: false }, { valAuc: 0.5 }),
      row({ seed: 0 }, { valAuc: 0.9 }),
      row({ seed: 1, residual: false }, { valAuc: 0.5 }, { prunedAt: 2 }),
      row({ seed: 1 }, { valAuc: 0.6 }),
    ];
    const r = compare(sweep({ residual: [true, false] }), rows, 'residual');
    assert.deepEqual(r.trials, { finished: 3, pruned: 1 });
    assert.equal(r.comparisons[0]!.pairs.length, 1);
  });

  test('a random search over continuous values has no pairs, and says why', () => {
    const rows = [0.001, 0.002, 0.003, 0.004].map((learningRate, i) =>
      row({ learningRate, seed: 0, residual: i % 2 === 0 }, { valAuc: 0.7 }),
    );
    const r = compare(sweep({ residual: [true, false], learningRate: { min: 0.001, max: 0.01, log: true } }), rows, 'residual');
    assert.equal(r.comparisons[0]!.pairs.length, 0);
    assert.equal(r.comparisons[0]!.summary.metric, null);
    assert.match(r.noPairs!, /no two finished trials differ in residual alone: they also differ in learning rate \(a random or tpe search/);
    const none = compare(sweep({ residual: [true, false] }), [], 'residual');
    assert.equal(none.noPairs, 'no pairs: no finished trial yet');
  });

  test('by must be a parameter the sweep varies, ref one of its values', () => {
    const rows = [row({ seed: 0 }, { valAuc: 0.5 }), row({ seed: 0, depth: 3 }, { valAuc: 0.5 })];
    const schema = compareInputSchema(sweep({ depth: [2, 3], width: [32] }), rows);
    const by = schema.safeParse({ by: 'width' });
    assert.equal(by.success, false);
    assert.match(by.error!.issues[0]!.message, /not a parameter this sweep varies; valid: depth$/);
    const missing = schema.safeParse({});
    assert.match(missing.error!.issues[0]!.message, /name a parameter the sweep varies: depth/);
    const ref = schema.safeParse({ by: 'depth', ref: '7' });
    assert.match(ref.error!.issues[0]!.message, /depth takes 2, 3 in this sweep, not 7/);
    assert.equal(schema.parse({ by: 'depth', ref: '3.0' }).reference, 3, 'a number written otherwise');
  });
});
