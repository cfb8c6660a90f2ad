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
import {
  TRIAL_SUMMARY_FILE,
  baselineSummary,
  finishedBaseline,
  isRefusal,
  storedBaselineModel,
  trialSummary,
  trialSummaryJson,
} from '../store/trial-export.js';
import { sweepOr404 } from './api.js';
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
    return sweepOr404(store, sweepId);
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
    const result = await finishedBaseline(store, sweep);
    if (isRefusal(result)) throw new HttpError(result.status, result.refused);
    const model = await storedBaselineModel(artifacts, sweep, result);
    if (isRefusal(model)) throw new HttpError(model.status, model.refused);
    const { MINIROCKET_FILE, miniRocketJson } = await import('../model/minirocket/index.js');
    sendZip(res, `${sweepId}-baseline.zip`, [
      { name: MINIROCKET_FILE, data: Buffer.from(miniRocketJson(model)) },
      { name: TRIAL_SUMMARY_FILE, data: Buffer.from(trialSummaryJson(baselineSummary(sweep, result))) },
    ]);
  });

  return router;
}
