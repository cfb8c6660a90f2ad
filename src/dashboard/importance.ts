import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Request, Router } from 'express';
import { z } from 'zod';
import {
  importanceParameters,
  parameterImportance,
  sampleRanks,
  trialsNeeded,
  type ImportanceParameter,
  type ImportanceReport,
} from '../analysis/importance.js';
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

/** What a fit needs, sent to its thread (importance-thread.ts). */
export interface ImportanceJob {
  rows: LeaderboardRow[];
  metric: Metric;
  parameters: ImportanceParameter[];
  total: number;
}

/** The thread's file beside this one: .js when built, .ts when run from source (the tests, under tsx). */
const EXT = path.extname(fileURLToPath(import.meta.url));
const THREAD = new URL(`./importance-thread${EXT}`, import.meta.url);

function startThread(job: ImportanceJob): Worker {
  if (EXT !== '.ts') return new Worker(THREAD, { workerData: job });
  // A worker thread does not inherit tsx's loader: tsx's own API loads the .ts entry there.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(THREAD.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(boot, { eval: true, workerData: job });
}

/** One fit in a worker thread of its own (started per fit: fits are rare, see the memo below). */
function fitInThread(job: ImportanceJob): Promise<ImportanceReport> {
  return new Promise((resolve, reject) => {
    const thread = startThread(job);
    thread.once('message', resolve);
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the importance thread exited with code ${code} before answering`)));
  });
}

/**
 * GET /api/sweeps/:sweepId/importance → `{ method, metric, trials, used, r2, parameters: [{name,
 * importance, correlation}], note? }` (src/analysis/importance.ts). The fit takes up to a second of
 * CPU: it runs in a worker thread, and the last answer per sweep is kept while its fitted trials
 * are the same.
 */
export function importanceRoute(
  router: Router,
  store: SweepStore,
  sweepOf: (req: Request) => Promise<SweepRecord>,
  swept: (sweep: SweepRecord) => string[],
): void {
  // Per sweep, the last fit (or the one under way, which a second request waits for).
  const memo = new Map<string, { key: string; report: Promise<ImportanceReport> }>();
  router.get('/sweeps/:sweepId/importance', async (req, res) => {
    const q = query(req, ImportanceQuery);
    const sweep = await sweepOf(req);
    const metric: Metric = q.metric ? { name: q.metric, goal: metricInfo(q.metric)!.goal } : sweep.spec.metric;
    const total = await store.rankedCount(sweep.sweepId);
    const rows = await sampledRows(store, sweep, total);
    const parameters = importanceParameters(sweep.spec, swept(sweep));
    const key = JSON.stringify([metric, total, parameters, rows.map((r) => [r.trialId, r.metrics[metric.name] ?? null])]);
    let entry = memo.get(sweep.sweepId);
    if (entry?.key !== key) {
      // Only what the fit reads crosses to the thread.
      const slim = rows.map((r) => ({ trialId: r.trialId, config: r.config, metrics: r.metrics }) as LeaderboardRow);
      const job = { rows: slim, metric, parameters, total };
      // Too few trials: no fit, only the note; no thread needed.
      const report =
        rows.length < trialsNeeded(parameters.length)
          ? Promise.resolve(parameterImportance(slim, metric, parameters, { total }))
          : fitInThread(job);
      entry = { key, report };
      memo.set(sweep.sweepId, entry);
      const mine = entry;
      mine.report.catch(() => memo.get(sweep.sweepId) === mine && memo.delete(sweep.sweepId));
    }
    res.json(await entry.report);
  });
}
