import { bySeedGroups } from '../store/aggregate.js';
import type { SweepRecord } from '../store/records.js';
import type { SweepStore } from '../store/sweep-store.js';

/**
 * One page of the leaderboard by configuration: the groups of `lstm-sweep leaderboard --by-config
 * --json` (bySeedGroups over every finished trial, with test predictions for the seed ensemble),
 * the same rows in the same order, `{kind: 'config', rank, config, seeds, trialIds, metric,
 * testAcc?, ensembleTestAcc?}`.
 */
export async function configsPage(store: SweepStore, sweep: SweepRecord, { limit, offset }: { limit: number; offset: number }) {
  const rows = await store.leaderboard(sweep.sweepId, sweep.spec.metric, undefined, { withPredictions: true });
  // Means over seeds need every trial: the groups are made of all of them, then paged.
  const groups = bySeedGroups(rows, sweep.spec.metric);
  const total = groups.length;
  return {
    total,
    offset,
    limit,
    rows: groups.slice(offset, offset + limit).map((g) => ({ kind: 'config' as const, ...g })),
    nextOffset: offset + limit < total ? offset + limit : null,
  };
}
