import type { Request, Router } from 'express';
import { z } from 'zod';
import { importanceParameters, parameterImportance, sampleRanks, type ImportanceReport } from '../analysis/importance.js';
import { MetricNameSchema, type Metric } from '../definition/sweep-spec.js';
import { metricInfo } from '../definition/vocabulary.js';
import type { LeaderboardRow, SweepRecord } from '../store/records.js';
import type { SweepStore } from '../store/sweep-store.js';
import { query } from './validate.js';

/** `metric`: rank importance for another recorded metric than the sweep's (default: the sweep's). */
const ImportanceQuery = z.strictObject({ metric: MetricNameSchema.optional() });

/** The finished trials to fit: all of them, or an even sample of the ranking (one page of one per rank). */
async function sampledRows(store: SweepStore, sweep: SweepRecord, total: number): Promise<LeaderboardRow[]> {
  const ranks = sampleRanks(total);
  if (ranks.length === total) return store.leaderboard(sweep.sweepId, sweep.spec.metric);
  const pages = await Promise.all(ranks.map((offset) => store.leaderboard(sweep.sweepId, sweep.spec.metric, 1, { offset })));
  return pages.flat();
}

/**
 * GET /api/sweeps/:sweepId/importance → `{ method, metric, trials, used, r2, parameters: [{name,
 * importance, correlation}], note? }` (src/analysis/importance.ts). The fit takes up to half a
 * second, and the page asks again whenever a trial finishes: the last answer per sweep is kept
 * while its fitted trials are the same.
 */
export function importanceRoute(
  router: Router,
  store: SweepStore,
  sweepOf: (req: Request) => Promise<SweepRecord>,
  swept: (sweep: SweepRecord) => string[],
): void {
  const cache = new Map<string, { key: string; report: ImportanceReport }>();
  router.get('/sweeps/:sweepId/importance', async (req, res) => {
    const q = query(req, ImportanceQuery);
    const sweep = await sweepOf(req);
    const metric: Metric = q.metric ? { name: q.metric, goal: metricInfo(q.metric)!.goal } : sweep.spec.metric;
    const total = await store.rankedCount(sweep.sweepId);
    const rows = await sampledRows(store, sweep, total);
    const parameters = importanceParameters(sweep.spec, swept(sweep));
    const key = JSON.stringify([metric, total, parameters, rows.map((r) => [r.trialId, r.metrics[metric.name] ?? null])]);
    const cached = cache.get(sweep.sweepId);
    if (cached?.key === key) {
      res.json(cached.report);
      return;
    }
    const report = parameterImportance(rows, metric, parameters, { total });
    cache.set(sweep.sweepId, { key, report });
    res.json(report);
  });
}
