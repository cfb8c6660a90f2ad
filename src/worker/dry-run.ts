import { setTimeout as sleep } from 'node:timers/promises';
import type { TrialJob } from '../queue/trial-job.js';
import type { TrainResult } from '../model/train.js';
import { evaluateFit, fitDryRun } from '../search/objective-fit.js';
import { sweepSpace, type ParameterSpace } from '../search/space.js';
import { assignmentOf } from '../search/suggester.js';
import { LswError } from '../util/errors.js';

/** How long a dry-run trial "trains". */
export const DRY_RUN_MS = 3;

/**
 * Stands in for training in `dryRun` sweeps: every other step of a trial (payload validation,
 * dataset fetch, progress, result write, ranking) runs as usual. With `dryRun: true` the metric is
 * derived from the trial id, so rankings are stable and distinct. With `dryRun: { objective }`
 * valLoss is that test function at the trial's configuration (src/search/objective-fit.ts) and the
 * other metrics are NaN (not measured): a search through the queue against a known optimum.
 */
export async function dryRunTrial(job: TrialJob, parameters: ParameterSpace): Promise<Omit<TrainResult, 'model'>> {
  await sleep(DRY_RUN_MS);
  const space = sweepSpace(parameters);
  let fit;
  try {
    fit = fitDryRun(job.dryRun, space);
  } catch (err) {
    // enqueue refuses such a sweep; a stored one that no longer fits fails the same on every worker
    throw new LswError(err instanceof Error ? err.message : String(err), 'deterministic');
  }
  const valAuc = fit ? Number.NaN : 0.5 + parseInt(job.trialId.slice(0, 8), 16) / 2 ** 33;
  const valLoss = fit ? evaluateFit(fit, assignmentOf(job.config, space)) : 1 - valAuc;
  const epoch = { epoch: 1, loss: 0.5, valLoss, valAcc: valAuc, valAuc, valBalancedAcc: valAuc, durationMs: DRY_RUN_MS };
  return {
    history: [epoch],
    bestEpoch: 1,
    stoppedEarly: false,
    epochsRun: 1,
    metrics: { valLoss: epoch.valLoss, valAcc: epoch.valAcc, valAuc, valBalancedAcc: valAuc },
    params: 0,
    backend: 'dry-run',
  };
}
