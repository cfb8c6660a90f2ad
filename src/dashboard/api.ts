import { Router, type Request } from 'express';
import { z } from 'zod';
import { compareInputSchema, pairedComparison } from '../analysis/paired.js';
import { SWEEPABLE, vocabularyJson } from '../definition/vocabulary.js';
import type { BaselineState, SweepRecord } from '../store/records.js';
import { skippedRecord, type SkippedRecord, type SweepStore } from '../store/sweep-store.js';
import { CorruptRecordError } from '../util/errors.js';
import { configsPage } from './configs.js';
import { importanceRoute } from './importance.js';
import { HttpError, SweepIdSchema, TrialIdSchema, params, parseInput, query } from './validate.js';
import { activeTrialView, completedCurves, trainingCurves, type TrialCurves } from './trial-views.js';

const SweepParams = z.strictObject({ sweepId: SweepIdSchema });
const NoQuery = z.strictObject({});
/**
 * The leaderboard is served in pages: `limit` rows (default 100, at most 1,000) from rank
 * `offset + 1` (default 0), so that a sweep of 100,000 results never makes one 40 MB answer.
 */
export const LEADERBOARD_PAGE = { defaultLimit: 100, maxLimit: 1000 } as const;
const LeaderboardQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(LEADERBOARD_PAGE.maxLimit).default(LEADERBOARD_PAGE.defaultLimit),
  offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
});
/** `by` (and `ref`) are checked against the sweep itself once it is read: compareInputSchema. */
const CompareQuery = z.strictObject({ by: z.string().max(64).optional(), ref: z.string().max(100).optional() });
const CurvesQuery = z.strictObject({
  trials: z
    .string()
    .max(50 * 17)
    .transform((s) => (s === '' ? [] : s.split(',')))
    .pipe(z.array(TrialIdSchema).max(50, { message: 'at most 50 trials at once' })),
});

/** Names of the hyperparameters the spec varies (more than one value, or a range), plus seed. */
export function sweptParameters(sweep: SweepRecord): string[] {
  const names: string[] = SWEEPABLE.filter((name) => {
    const values = sweep.spec.parameters[name];
    return values !== undefined && (!Array.isArray(values) || new Set(values).size > 1);
  });
  if (new Set(sweep.spec.seeds).size > 1) names.push('seed');
  return names;
}

export function summary(sweep: SweepRecord) {
  return {
    sweepId: sweep.sweepId,
    name: sweep.spec.name,
    createdAt: sweep.createdAt,
    method: sweep.spec.method,
    metric: sweep.spec.metric,
    dryRun: sweep.spec.dryRun,
    hasTest: sweep.spec.dataset.test !== undefined,
    shape: sweep.shape,
    datasetHash: sweep.datasetHash,
    trials: sweep.trials,
    swept: sweptParameters(sweep),
    parameters: sweep.spec.parameters,
    seeds: sweep.spec.seeds,
  };
}

/**
 * The sweep's reference (baseline job) as the API shows it: null when the sweep has none, else
 * its state and, once done, its metrics under the trials' names (val*: leave-one-out on the train file).
 */
export function baselineView(b: BaselineState) {
  if (b.state === 'none') return null;
  if (b.state !== 'done') {
    return {
      kind: 'baseline' as const,
      method: 'minirocket' as const,
      state: b.state,
      ...(b.state === 'failed' ? { reason: b.failure.reason } : {}),
      ...(b.state === 'running' ? { worker: b.worker } : {}),
    };
  }
  const r = b.result;
  return {
    kind: 'baseline' as const,
    method: r.method,
    state: b.state,
    metrics: r.metrics,
    seconds: r.seconds,
    durationMs: r.durationMs,
    features: r.features,
    alpha: r.alpha,
    worker: r.worker,
    finishedAt: r.finishedAt,
    /** its model was kept: GET /api/sweeps/<id>/baseline/model downloads it */
    hasModel: r.model !== undefined,
  };
}

/** The sweep, or a 404 that names it and the prefix looked under. */
export async function sweepOr404(store: SweepStore, sweepId: string): Promise<SweepRecord> {
  const sweep = await store.getSweep(sweepId);
  if (!sweep) throw new HttpError(404, `no sweep "${sweepId}" under prefix "${store.prefix}"`);
  return sweep;
}

/** JSON routes under /api: read-only views of the store. */
export function apiRouter(store: SweepStore): Router {
  const router = Router();

  async function overview(sweep: SweepRecord, skipped: SkippedRecord[] = []) {
    const [counts, top, baseline] = await Promise.all([
      store.counts(sweep.sweepId),
      store.leaderboard(sweep.sweepId, sweep.spec.metric, 1, { skipped }),
      store.baselineState(sweep, skipped),
    ]);
    const best = top[0];
    return {
      ...summary(sweep),
      counts,
      best: best ? { trialId: best.trialId, value: best.metrics[sweep.spec.metric.name] ?? null, config: best.config } : null,
      baseline: baselineView(baseline),
    };
  }

  async function sweepOf(req: Request): Promise<SweepRecord> {
    return sweepOr404(store, params(req, SweepParams).sweepId);
  }

  router.get('/health', async (req, res) => {
    query(req, NoQuery);
    await store.ping();
    res.json({ ok: true, prefix: store.prefix });
  });

  router.get('/meta', (req, res) => {
    query(req, NoQuery);
    res.json(vocabularyJson());
  });

  /** `{sweeps, skipped}`: a corrupt record is left out and named in `skipped` ({key, field?, reason}), never a 500. */
  router.get('/sweeps', async (req, res) => {
    query(req, NoQuery);
    // Every sweep at once: the commands of all of them share the connection's round trips.
    const skipped: SkippedRecord[] = [];
    const read = async (sweepId: string) => {
      try {
        const sweep = await store.getSweep(sweepId);
        return sweep && (await overview(sweep, skipped));
      } catch (err) {
        if (!(err instanceof CorruptRecordError)) throw err;
        skipped.push(skippedRecord(err));
        return undefined;
      }
    };
    const sweeps = await Promise.all((await store.listSweeps()).map(read));
    res.json({ sweeps: sweeps.filter((s) => s !== undefined), skipped });
  });

  router.get('/sweeps/:sweepId', async (req, res) => {
    query(req, NoQuery);
    const sweep = await sweepOf(req);
    res.json(await overview(sweep));
  });

  /** `{ total, offset, limit, rows, nextOffset }`: nextOffset is null on the last page. */
  router.get('/sweeps/:sweepId/leaderboard', async (req, res) => {
    const { limit, offset } = query(req, LeaderboardQuery);
    const sweep = await sweepOf(req);
    const [total, rows, baseline] = await Promise.all([
      store.rankedCount(sweep.sweepId),
      store.leaderboard(sweep.sweepId, sweep.spec.metric, limit, { offset }),
      store.baselineState(sweep),
    ]);
    // The baseline is the sweep's reference, on every page, never one of the ranked rows.
    res.json({ total, offset, limit, rows, nextOffset: offset + limit < total ? offset + limit : null, baseline: baselineView(baseline) });
  });

  /** By configuration (seed groups, as `leaderboard --by-config --json`), paged like the leaderboard. */
  router.get('/sweeps/:sweepId/configs', async (req, res) => {
    const page = query(req, LeaderboardQuery);
    const sweep = await sweepOf(req);
    const [groups, baseline] = await Promise.all([configsPage(store, sweep, page), store.baselineState(sweep)]);
    res.json({ ...groups, baseline: baselineView(baseline) });
  });

  router.get('/sweeps/:sweepId/failures', async (req, res) => {
    query(req, NoQuery);
    const sweep = await sweepOf(req);
    const failures = await store.getFailures(sweep.sweepId);
    failures.sort((a, b) => b.failedAt.localeCompare(a.failedAt));
    res.json(failures);
  });

  router.get('/sweeps/:sweepId/active', async (req, res) => {
    query(req, NoQuery);
    const sweep = await sweepOf(req);
    const [active, live] = await Promise.all([store.getActive(sweep.sweepId), store.getLive(sweep.sweepId)]);
    const ids = [...active.keys()];
    const configs = await store.getTrialConfigs(sweep.sweepId, ids);
    res.json(ids.map((trialId, i) => activeTrialView(trialId, active.get(trialId), configs[i], live.get(trialId))));
  });

  /** Paired comparisons by one parameter (src/analysis/paired.ts): the JSON of `lstm-sweep compare --json`. */
  router.get('/sweeps/:sweepId/compare', async (req, res) => {
    const raw = query(req, CompareQuery);
    const sweep = await sweepOf(req);
    const rows = await store.leaderboard(sweep.sweepId, sweep.spec.metric);
    res.json(pairedComparison(sweep, rows, parseInput(compareInputSchema(sweep, rows), raw, 'query')));
  });

  /**
   * Per-epoch histories: from the result of a finished trial (a cross-validated one with its folds'
   * curves, its refit's and its budget), else the live one of a trial in training (with its phase).
   */
  router.get('/sweeps/:sweepId/curves', async (req, res) => {
    const { trials } = query(req, CurvesQuery);
    const sweep = await sweepOf(req);
    if (trials.length === 0) {
      res.json([]);
      return;
    }
    const [results, cvCurves, live, configs] = await Promise.all([
      store.findResults(sweep.sweepId, trials),
      store.getCvHistories(sweep.sweepId, trials),
      store.getLive(sweep.sweepId),
      store.getTrialConfigs(sweep.sweepId, trials),
    ]);
    const curves: TrialCurves[] = [];
    trials.forEach((trialId, i) => {
      const result = results[i];
      if (result) {
        curves.push(completedCurves(result, cvCurves[i]));
        return;
      }
      const now = live.get(trialId);
      if (now) curves.push(trainingCurves(trialId, configs[i], now));
    });
    res.json(curves);
  });

  importanceRoute(router, store, sweepOf, sweptParameters);

  return router;
}
