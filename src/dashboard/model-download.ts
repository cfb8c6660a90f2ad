/**
 * Downloads of trained models, one zip per trial: `<sweepId>-<trialId>.zip` holds model.json,
 * weights.bin and trial.json, the files `lstm-sweep best <id> --trial <t> --export <dir>` writes;
 * `<sweepId>-baseline.zip` the MiniRocket baseline's minirocket.json and trial.json
 * (`best --baseline --export`).
 */
import { Router, type Request, type Response } from 'express';
import { zipSync } from 'fflate';
import { z } from 'zod';
import { modelDirFiles } from '../model/saved-model.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import type { SweepRecord } from '../store/records.js';
import type { SweepStore } from '../store/sweep-store.js';
import { TRIAL_SUMMARY_FILE, baselineSummary, trialSummary, trialSummaryJson } from '../store/trial-export.js';
import { formatZodIssues } from '../util/errors.js';
import { HttpError, SweepIdSchema, TrialIdSchema, params, query } from './validate.js';

const TrialParams = z.strictObject({ sweepId: SweepIdSchema, trialId: TrialIdSchema });
const SweepParams = z.strictObject({ sweepId: SweepIdSchema });
const NoQuery = z.strictObject({});

function sendZip(res: Response, name: string, files: { name: string; data: Uint8Array }[]): void {
  // Weights are float32 noise to deflate: stored as they are (level 0), the JSON files compressed.
  const zip = zipSync(Object.fromEntries(files.map((f) => [f.name, [f.data, { level: f.name.endsWith('.json') ? 6 : 0 }]])), {
    mtime: new Date(),
  });
  res.attachment(name);
  res.type('application/zip');
  res.send(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength));
}

export function modelDownloadRouter(store: SweepStore, artifacts: ArtifactStore): Router {
  const router = Router();
  async function sweepOf(req: Request, sweepId: string): Promise<SweepRecord> {
    query(req, NoQuery);
    const sweep = await store.getSweep(sweepId);
    if (!sweep) throw new HttpError(404, `no sweep "${sweepId}" under prefix "${store.prefix}"`);
    return sweep;
  }

  router.get('/sweeps/:sweepId/trials/:trialId/model', async (req, res) => {
    const { sweepId, trialId } = params(req, TrialParams);
    const sweep = await sweepOf(req, sweepId);
    const result = await store.getResult(sweepId, trialId);
    if (!result)
      throw new HttpError(404, `trial ${trialId} of sweep ${sweepId} has no result (not finished, failed, or not one of its trials)`);
    if (!result.model) {
      const why = sweep.spec.dryRun ? 'the sweep is a dry run: it trains no model' : 'its worker ran with --artifacts none';
      throw new HttpError(404, `the model of trial ${trialId} was not kept (${why})`);
    }
    const saved = await artifacts.load(sweepId, trialId, result.model);
    const summary = Buffer.from(trialSummaryJson(trialSummary(sweep, result)));
    sendZip(res, `${sweepId}-${trialId}.zip`, [...modelDirFiles(saved), { name: TRIAL_SUMMARY_FILE, data: summary }]);
  });

  router.get('/sweeps/:sweepId/baseline/model', async (req, res) => {
    const { sweepId } = params(req, SweepParams);
    const sweep = await sweepOf(req, sweepId);
    const state = await store.baselineState(sweep);
    if (state.state === 'none') throw new HttpError(404, `sweep ${sweepId} has no baseline (its spec says baseline: none)`);
    if (state.state !== 'done')
      throw new HttpError(404, `the MiniRocket baseline of sweep ${sweepId} has no result yet (it is ${state.state})`);
    const result = state.result;
    if (!result.model)
      throw new HttpError(404, `the baseline model of sweep ${sweepId} was not kept (its worker ran with --artifacts none)`);
    // The MiniRocket code is loaded by the route that needs it only, as best --baseline does.
    const { MINIROCKET_FILE, MiniRocketModelSchema, miniRocketJson } = await import('../model/minirocket/index.js');
    const text = await artifacts.loadBaseline(sweepId, MINIROCKET_FILE, result.model);
    const parsed = MiniRocketModelSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new HttpError(
        500,
        `the stored baseline model of sweep ${sweepId} is not a valid MiniRocket model: ${formatZodIssues(parsed.error)}`,
      );
    }
    sendZip(res, `${sweepId}-baseline.zip`, [
      { name: MINIROCKET_FILE, data: Buffer.from(miniRocketJson(parsed.data)) },
      { name: TRIAL_SUMMARY_FILE, data: Buffer.from(trialSummaryJson(baselineSummary(sweep, result))) },
    ]);
  });

  return router;
}
