/**
 * Hyperparameter importance (#13.4) finds what matters: on synthetic finished trials whose metric
 * depends strongly on the learning rate, less on the head (a named choice), weakly on depth and not
 * at all on dropout, the ranking comes out in that order, the same on every call and whatever the
 * rows' order; too few trials give no importances but the reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  IMPORTANCE,
  importanceParameters,
  parameterImportance,
  sampleRanks,
  trialsNeeded,
  type ImportanceParameter,
} from '../../../src/analysis/importance.js';
import type { LeaderboardRow } from '../../../src/store/records.js';
import { createRng } from '../../../src/util/rng.js';

const METRIC = { name: 'valLoss', goal: 'minimize' } as const;
const PARAMS: ImportanceParameter[] = [
  { name: 'depth', log: false },
  { name: 'dropout', log: false },
  { name: 'learningRate', log: true },
  { name: 'head', log: false },
];

/** `n` finished trials: valLoss = 2 (log10 lr + 2.5)^2 + 1.2 [head lstm] + 0.3 depth + noise; dropout plays no part. */
function rows(n: number, seed = 7): LeaderboardRow[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const learningRate = 10 ** (-4 + 3 * rng());
    const depth = 1 + Math.floor(4 * rng());
    const dropout = 0.5 * rng();
    const head = rng() < 0.5 ? 'dense' : 'lstm';
    const valLoss = 2 * (Math.log10(learningRate) + 2.5) ** 2 + (head === 'lstm' ? 1.2 : 0) + 0.3 * depth + 0.02 * (rng() - 0.5);
    return {
      rank: 0,
      trialId: `t${String(i).padStart(4, '0')}`,
      config: { depth, width: 8, dropout, recurrentDropout: 0, learningRate, batchSize: 16, epochs: 3, head, seed: 1 },
      metrics: { valLoss, valAcc: 0.5, valAuc: 0.5 },
      epochs: 3,
      durationMs: 1,
      backend: 'cpu',
      worker: 'h:1',
      attempts: 1,
    } as unknown as LeaderboardRow;
  });
}

test('the ranking follows what the metric depends on: learning rate, head, depth, then dropout', () => {
  const report = parameterImportance(rows(90), METRIC, PARAMS);
  assert.equal(report.note, undefined, report.note);
  assert.deepEqual(
    report.parameters.map((p) => p.name),
    ['learningRate', 'head', 'depth', 'dropout'],
  );
  const imp = Object.fromEntries(report.parameters.map((p) => [p.name, p.importance]));
  assert.ok(imp.learningRate! > 0.6, `learning rate dominates: ${imp.learningRate}`);
  assert.ok(imp.dropout! < 0.03, `dropout plays no part: ${imp.dropout}`);
  const sum = report.parameters.reduce((s, p) => s + p.importance, 0);
  assert.ok(Math.abs(sum - 1) < 1e-9, `importances sum to 1: ${sum}`);
  assert.ok(report.r2! > 0.5, `the forest predicts held-out trials: R^2 ${report.r2}`);
  assert.equal(report.trials, 90);
  // Correlations: depth raises the loss; a named choice has none.
  const corr = Object.fromEntries(report.parameters.map((p) => [p.name, p.correlation]));
  assert.ok(corr.depth! > 0, `depth correlates positively: ${corr.depth}`);
  assert.equal(corr.head, null);
  assert.ok(Math.abs(corr.dropout!) < 0.3, `dropout barely correlates: ${corr.dropout}`);
});

test('the same trials give the same importances, in any order', () => {
  const data = rows(60, 11);
  const a = parameterImportance(data, METRIC, PARAMS);
  const b = parameterImportance([...data].reverse(), METRIC, PARAMS);
  assert.deepEqual(b, a);
  assert.ok(a.parameters[0]!.importance > 0);
});

test('too few trials: no importances, and a note that says how many are needed', () => {
  const few = parameterImportance(rows(9), METRIC, PARAMS);
  assert.deepEqual(few.parameters, []);
  assert.equal(few.r2, null);
  assert.match(few.note ?? '', /^9 finished trials: importance needs at least 10 to mean anything/);
  // Two per varying parameter: 12 trials are too few for 8 parameters.
  const eight = [...PARAMS, ...['width', 'batchSize', 'epochs', 'recurrentDropout'].map((name) => ({ name, log: false }))];
  assert.equal(trialsNeeded(8), 16);
  const perParam = parameterImportance(rows(12), METRIC, eight);
  assert.deepEqual(perParam.parameters, []);
  assert.match(perParam.note ?? '', /^12 finished trials: importance needs at least 16/);
  // Trials whose metric is not finite do not count.
  const broken = rows(12).map((r, i) => (i < 3 ? { ...r, metrics: { ...r.metrics, valLoss: Number.NaN } } : r));
  assert.match(parameterImportance(broken, METRIC, PARAMS).note ?? '', /^9 finished trials/);
});

test('a metric that does not depend on any parameter: nothing stands out, and the note says the fit is weak', () => {
  const rng = createRng(5);
  const noise = rows(60).map((r) => ({ ...r, metrics: { ...r.metrics, valLoss: rng() } }));
  const report = parameterImportance(noise, METRIC, PARAMS);
  assert.ok(report.r2! < IMPORTANCE.weakFit, `R^2 ${report.r2}`);
  assert.match(report.note ?? '', /explain only|No parameter predicts/);
});

test('scales and samples: log where the spec range is log, an even sample of the ranking', () => {
  const scales = importanceParameters(
    {
      parameters: { learningRate: [0.001, 0.01], dropout: { min: 0, max: 0.5, log: false }, width: { min: 4, max: 64, log: true } },
    } as never,
    ['learningRate', 'dropout', 'width', 'seed'],
  );
  assert.deepEqual(
    scales.map((s) => s.log),
    [true, false, true, false],
  );
  assert.deepEqual(sampleRanks(5, 10), [0, 1, 2, 3, 4]);
  const ranks = sampleRanks(1000, 200);
  assert.equal(ranks.length, 200);
  assert.equal(ranks[0], 0);
  assert.equal(ranks.at(-1), 999);
  assert.equal(new Set(ranks).size, 200);
});
