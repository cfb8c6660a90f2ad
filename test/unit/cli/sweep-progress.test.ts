import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

describe('watch progress line', () => {
  test('bar, counts and ETA from the completion rate', async () => {
    const { progressLine, formatDuration } = await import('../../../src/cli/sweep-progress.js');
    const counts = { total: 10, waiting: 4, active: 2, completed: 3, failed: 1, cancelled: 0, pruned: 0 };
    const line = progressLine(counts, 0, 40_000, 10);
    assert.equal(line, '████░░░░░░ 4/10 trials | 2 active | 1 failed | ETA 1m 0s');
    assert.match(progressLine({ ...counts, waiting: 0, active: 0, completed: 9 }, 0, 1000, 10), /ETA done/);
    assert.match(progressLine({ ...counts, completed: 0, failed: 0 }, 0, 1000, 10), /ETA -/);
    assert.equal(formatDuration(7300), '2h 1m');
  });
});

describe('where an active trial stands', () => {
  test('phase in words: fold i/k, refit, holdout', async () => {
    const { phaseText, phaseOfProgress } = await import('../../../src/queue/trial-progress.js');
    assert.equal(phaseText({ phase: { kind: 'fold', fold: 3, folds: 5 }, epoch: 40, epochs: 150 }), 'fold 3/5, epoch 40/150');
    assert.equal(phaseText({ phase: { kind: 'refit', epochs: 5, folds: 5 }, epoch: 4, epochs: 150 }), 'refit, epoch 4/5');
    assert.equal(phaseText({ phase: { kind: 'holdout' }, epoch: 7, epochs: 20 }), 'epoch 7/20');
    assert.equal(phaseText({ epoch: 7, epochs: 20 }), 'epoch 7/20', 'a live history older than phases');
    // what the worker reports on the job (src/worker/run-trial.ts)
    const base = { loss: 0.5, valLoss: 0.6, valAuc: 0.7 };
    assert.deepEqual(phaseOfProgress({ ...base, epoch: 2, epochs: 8, fold: 2, folds: 3 }), { kind: 'fold', fold: 2, folds: 3 });
    assert.deepEqual(phaseOfProgress({ ...base, epoch: 2, epochs: 5, refit: true, folds: 3 }), { kind: 'refit', epochs: 5, folds: 3 });
    assert.deepEqual(phaseOfProgress({ ...base, epoch: 2, epochs: 8 }), { kind: 'holdout' });
  });

  test('work done: a cv trial counts its k folds and its refit, never going back at a new fold', async () => {
    const { workDone } = await import('../../../src/queue/trial-progress.js');
    const fold = (f: number, epoch: number) => workDone({ phase: { kind: 'fold', fold: f, folds: 3 }, epoch, epochs: 8 });
    const refit = (epoch: number) => workDone({ phase: { kind: 'refit', epochs: 4, folds: 3 }, epoch, epochs: 8 });
    assert.equal(fold(1, 0), 0);
    assert.equal(fold(1, 8), 1 / 4);
    assert.equal(fold(2, 4), 1.5 / 4);
    assert.equal(fold(3, 8), 3 / 4);
    assert.equal(refit(2), 3.5 / 4);
    assert.equal(refit(4), 1);
    const sequence = [fold(1, 7), fold(1, 8), fold(2, 1), fold(3, 1), refit(1), refit(4)];
    assert.deepEqual(
      [...sequence].sort((a, b) => a - b),
      sequence,
      'monotone across folds and the refit',
    );
    assert.equal(workDone({ phase: { kind: 'holdout' }, epoch: 5, epochs: 20 }), 0.25);
    assert.equal(workDone({ epoch: 5, epochs: 0 }), 0);
  });

  test('ETA from the work done since watching began; "estimating" before any, never NaN or Infinity', async () => {
    const { etaText } = await import('../../../src/cli/sweep-progress.js');
    assert.equal(etaText({ total: 8, done: 0, doneAtStart: 0, elapsedS: 0 }), 'estimating');
    assert.equal(etaText({ total: 8, done: 0, doneAtStart: 0, elapsedS: 30 }), 'estimating', 'nothing done yet');
    // no trial has ended, but the first is half way through its folds: 0.5 trial in 10 s, 7.5 to go
    assert.equal(etaText({ total: 8, done: 0.5, doneAtStart: 0, elapsedS: 10 }), '2m 30s');
    // watching a sweep half done: only the work since then gives the rate
    assert.equal(etaText({ total: 10, done: 6, doneAtStart: 5, elapsedS: 20 }), '1m 20s');
    assert.equal(etaText({ total: 8, done: 8, doneAtStart: 2, elapsedS: 10 }), 'done');
  });
});
