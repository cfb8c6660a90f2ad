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
