/**
 * `GET /api/compare?sweeps=<id>,<id>,...`: two to eight sweeps of one dataset side by side — each
 * one's summary, best configuration, baseline and its finished trials' metric values (the points
 * of the page's box plots).
 */
import { Router } from 'express';
import { z } from 'zod';
import { datasetMismatch, metricNote, sweepBest, trialPoints } from '../analysis/sweep-comparison.js';
import type { SweepRecord } from '../store/records.js';
import type { SweepStore } from '../store/sweep-store.js';
import { baselineView, summary } from './api.js';
import { HttpError, SweepIdSchema, query } from './validate.js';

export const COMPARE_MAX = 8;

const CompareQuery = z.strictObject({
  sweeps: z
    .string()
    .max(COMPARE_MAX * 92)
    .transform((s) => s.split(','))
    .pipe(
      z
        .array(SweepIdSchema)
        .min(2, { message: 'name at least 2 sweeps, comma-separated' })
        .max(COMPARE_MAX, { message: `at most ${COMPARE_MAX} sweeps at once` })
        .refine((ids) => new Set(ids).size === ids.length, { message: 'a sweep is named twice' }),
    ),
});

export function compareRouter(store: SweepStore): Router {
  const router = Router();

  router.get('/compare', async (req, res) => {
    const { sweeps: ids } = query(req, CompareQuery);
    const records = await Promise.all(ids.map((id) => store.getSweep(id)));
    const missing = ids.filter((_, i) => !records[i]);
    if (missing.length > 0)
      throw new HttpError(404, `no sweep ${missing.map((id) => `"${id}"`).join(', ')} under prefix "${store.prefix}"`);
    const sweeps = records as SweepRecord[];
    const mismatch = datasetMismatch(sweeps);
    if (mismatch) throw new HttpError(400, mismatch);
    const metric = sweeps[0]!.spec.metric;

    const entries = await Promise.all(
      sweeps.map(async (sweep) => {
        // Every finished trial: the distribution needs all of them, the best configuration too (means over seeds).
        const [counts, rows, baseline] = await Promise.all([
          store.counts(sweep.sweepId),
          store.leaderboard(sweep.sweepId, sweep.spec.metric, -1, { withPredictions: sweep.spec.seeds.length > 1 }),
          store.baselineState(sweep),
        ]);
        return {
          ...summary(sweep),
          counts,
          finished: rows.length,
          best: sweepBest(sweep, rows, metric),
          baseline: baselineView(baseline),
          points: trialPoints(rows, metric),
        };
      }),
    );
    res.json({ datasetHash: sweeps[0]!.datasetHash, metric, note: metricNote(sweeps), sweeps: entries });
  });

  return router;
}
