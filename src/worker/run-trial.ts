import { UnrecoverableError } from 'bullmq';
import { toTrainingData } from '../data/split.js';
import { NonFiniteLossError, trainTrial } from '../model/index.js';
import type { TrialJob, TrialProgress } from '../queue/trial-job.js';
import type { DatasetStore } from '../store/dataset-store.js';
import type { TrialResult } from '../store/schema.js';
import type { SweepStore } from '../store/sweep-store.js';
import { workerName } from '../util/worker-name.js';

export interface RunTrialDeps {
  store: SweepStore;
  datasets: DatasetStore;
  /** 1 for the first delivery of the job. */
  attempt: number;
  onProgress?: (progress: TrialProgress) => Promise<void> | void;
}

/** Trains one trial and writes its result; deterministic failures are not retried. */
export async function runTrial(job: TrialJob, deps: RunTrialDeps): Promise<TrialResult> {
  const worker = workerName();
  const startedAt = Date.now();
  await deps.store.markActive(job.sweepId, job.trialId, {
    worker,
    startedAt: new Date(startedAt).toISOString(),
    attempt: deps.attempt,
  });
  const dataset = await deps.datasets.get(job.datasetHash);
  const data = toTrainingData(dataset, { validationSplit: job.validationSplit, splitSeed: job.splitSeed });
  let trained;
  try {
    trained = await trainTrial(job.config, data, {
      onEpoch: (e) =>
        deps.onProgress?.({
          epoch: e.epoch,
          epochs: job.config.epochs,
          loss: e.loss,
          valLoss: e.valLoss,
          valAuc: e.valAuc,
        }),
    });
  } catch (err) {
    if (err instanceof NonFiniteLossError) throw new UnrecoverableError(err.message);
    throw err;
  }
  const result: TrialResult = {
    sweepId: job.sweepId,
    trialId: job.trialId,
    config: job.config,
    metrics: trained.metrics,
    history: trained.history,
    bestEpoch: trained.bestEpoch,
    epochsRun: trained.epochsRun,
    stoppedEarly: trained.stoppedEarly,
    params: trained.params,
    durationMs: Date.now() - startedAt,
    backend: trained.backend,
    worker,
    attempts: deps.attempt,
    finishedAt: new Date().toISOString(),
  };
  await deps.store.saveResult(result, job.metric);
  return result;
}
