import { setTimeout as sleep } from 'node:timers/promises';
import type { TrialJob } from '../queue/trial-job.js';
import type { TrainResult } from '../model/train.js';

/** How long a dry-run trial "trains". */
export const DRY_RUN_MS = 3;

/**
 * Stands in for training in `dryRun` sweeps: every other step of a trial (payload validation,
 * dataset fetch, progress, result write, ranking) runs as usual. The metric is derived from the
 * trial id, so rankings are stable and distinct.
 */
export async function dryRunTrial(job: TrialJob): Promise<Omit<TrainResult, 'model'>> {
  await sleep(DRY_RUN_MS);
  const valAuc = 0.5 + parseInt(job.trialId.slice(0, 8), 16) / 2 ** 33;
  const epoch = { epoch: 1, loss: 0.5, valLoss: 1 - valAuc, valAcc: valAuc, valAuc, valBalancedAcc: valAuc, durationMs: DRY_RUN_MS };
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
