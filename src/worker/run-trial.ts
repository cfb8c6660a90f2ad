import { disposeModel, type EngineChoice, type TrainResult } from '../model/index.js';
import { runProtocol } from '../protocol/protocol-registry.js';
import { saveModel, type SavedModel } from '../model/saved-model.js';
import type { ArtifactLocation, ArtifactStore } from '../store/artifact-store.js';
import type { TrialJob, TrialProgress } from '../queue/trial-job.js';
import type { DatasetStore } from '../store/dataset-store.js';
import type { EpochMetrics, SweepRecord, TrialResult } from '../store/records.js';
import type { SweepStore } from '../store/sweep-store.js';
import { encodeTestPredictions } from '../store/test-predictions.js';
import { log } from '../util/logger.js';
import { workerName } from '../util/worker-name.js';
import { dryRunTrial } from './dry-run.js';
import { prunerFor } from '../search/pruners/pruner-registry.js';
import { LswError } from '../util/errors.js';
import { classifyFailure } from './failures.js';
import { verifyJob } from './verify-job.js';

export interface RunTrialDeps {
  store: SweepStore;
  datasets: DatasetStore;
  /** where to keep the trained model; omitted or `none`: not kept */
  artifacts?: { store: ArtifactStore; location: ArtifactLocation };
  onProgress?: (progress: TrialProgress) => Promise<void> | void;
  /** Aborts training (the worker is handing the trial back). */
  signal?: AbortSignal;
  /** training engine (default auto) */
  engine?: EngineChoice;
}

export type TrialOutcome =
  | { status: 'completed'; result: TrialResult }
  /** an earlier delivery of this job already wrote the result (its completion was cut off) */
  | { status: 'already-done'; result: TrialResult }
  | { status: 'cancelled' }
  /** a later delivery of this trial holds it (this worker lost its lock): its result was not written */
  | { status: 'superseded' };

/**
 * Trains one trial and writes its result (one record per trial: a re-delivered trial
 * overwrites its own record). Deterministic failures come out as UnrecoverableError.
 */
export async function runTrial(job: TrialJob, deps: RunTrialDeps): Promise<TrialOutcome> {
  const worker = workerName();
  const startedAt = Date.now();
  const start = await startDelivery(job, deps, worker, startedAt);
  if (start.cancelled) {
    await deps.store.markCancelled(job.sweepId, [job.trialId]);
    return { status: 'cancelled' };
  }
  if (start.earlier) {
    await deps.store.clearActive(job.sweepId, job.trialId);
    return { status: 'already-done', result: start.earlier };
  }
  let trained: Trained;
  try {
    trained = await train(job, deps, start.sweep);
  } catch (err) {
    throw classifyFailure(err);
  }
  const model =
    trained.savedModel && deps.artifacts
      ? await deps.artifacts.store.save(deps.artifacts.location, job.sweepId, job.trialId, trained.savedModel)
      : undefined;
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
    ...(trained.engine ? { engine: trained.engine } : {}),
    worker,
    attempts: start.fence,
    finishedAt: new Date().toISOString(),
    ...(model ? { model } : {}),
    ...(trained.prunedAt !== undefined ? { pruned: { epoch: trained.prunedAt } } : {}),
    ...(trained.inputShape ? { inputShape: trained.inputShape } : {}),
    ...(trained.normalization && trained.normalization.mode !== 'none' ? { normalization: trained.normalization } : {}),
    ...(trained.cv ? { cv: trained.cv } : {}),
    ...(trained.cvHistories ? { cvHistories: trained.cvHistories } : {}),
    ...(trained.testPredictions ? { testPredictions: trained.testPredictions } : {}),
  };
  if (!(await deps.store.saveResult(result, job.metric, start.fence))) {
    // This delivery lost its job (its worker was stopped or cut off past the lock) and the trial
    // was delivered again: the later delivery's result stands.
    log('trial.superseded', { worker, sweepId: job.sweepId, trialId: job.trialId, attempt: start.fence });
    return { status: 'superseded' };
  }
  return { status: 'completed', result };
}

/** Marks failures that happened before any training: the trainer's engine was never touched. */
const REFUSED = Symbol('refused before training');

export function isRefusedJob(err: unknown): boolean {
  return typeof err === 'object' && err !== null && REFUSED in err;
}

/** Checks the job against its stored sweep and starts this delivery; nothing is written for a job lstm-sweep did not make. */
async function startDelivery(job: TrialJob, deps: RunTrialDeps, worker: string, startedAt: number) {
  try {
    const sweep = await verifyJob(job, deps.store);
    const start = await deps.store.startTrial(job.sweepId, job.trialId, {
      worker,
      startedAt: new Date(startedAt).toISOString(),
    });
    if (!start.known)
      throw new LswError(`job ${job.sweepId}.${job.trialId}: sweep ${job.sweepId} has no trial ${job.trialId}`, 'deterministic');
    return { ...start, sweep };
  } catch (err) {
    throw classifyFailure(err);
  }
}

type Trained = Omit<TrainResult, 'model' | 'testProbabilities'> & {
  savedModel?: SavedModel;
  inputShape?: { timesteps: number; features: number };
  normalization?: TrialResult['normalization'];
  cv?: TrialResult['cv'];
  cvHistories?: TrialResult['cvHistories'];
  testPredictions?: TrialResult['testPredictions'];
};

async function train(job: TrialJob, deps: RunTrialDeps, sweep: SweepRecord): Promise<Trained> {
  const dataset = await deps.datasets.get(job.datasetHash);
  if (job.dryRun) return dryRunTrial(job, sweep.spec.parameters);
  const keepModel = deps.artifacts !== undefined && deps.artifacts.location.kind !== 'none';
  // one live curve per phase (holdout, fold i of k, refit): folds trained at once report in turn
  const histories = new Map<string, EpochMetrics[]>();
  const pruner = prunerFor(job.earlyTerminate, deps.store, job.metric);
  const settings = {
    validationSplit: job.validationSplit,
    splitSeed: job.splitSeed,
    normalize: job.normalize,
    metric: job.metric,
    ...(job.cvFolds ? { cvFolds: job.cvFolds } : {}),
  };
  const run = await runProtocol(job.config, dataset, settings, {
    keepModel,
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.engine ? { engine: deps.engine } : {}),
    onEpoch: async (e, phase) => {
      // the live curve shown is that of the phase that reported last
      const key = phase.kind === 'fold' ? `fold ${phase.fold}` : phase.kind;
      const history = histories.get(key) ?? [];
      histories.set(key, history);
      history.push(e);
      await deps.store.saveLiveHistory(job.sweepId, job.trialId, history, phase);
      await deps.onProgress?.({
        epoch: e.epoch,
        epochs: phase.kind === 'refit' ? phase.epochs : job.config.epochs,
        loss: e.loss,
        valLoss: e.valLoss,
        valAuc: e.valAuc,
        ...(phase.kind === 'fold' ? { fold: phase.fold, folds: phase.folds } : {}),
        // the refit's folds too: progress views count a cv trial's work in folds plus the refit
        ...(phase.kind === 'refit' ? { refit: true, folds: phase.folds } : {}),
      });
      if (pruner && phase.kind === 'holdout' && pruner.isCheckpoint(e.epoch, job.config.epochs)) {
        const value = e[job.metric.name as 'valAuc' | 'valAcc' | 'valBalancedAcc' | 'valLoss'];
        if (!(await pruner.report(job.sweepId, job.trialId, e.epoch, value))) return 'stop';
      }
    },
  });
  const { model, testProbabilities, ...result } = run.trained;
  const extras = {
    inputShape: run.inputShape,
    normalization: run.normalization,
    ...(run.cv ? { cv: run.cv } : {}),
    ...(run.cvHistories ? { cvHistories: run.cvHistories } : {}),
    ...(testProbabilities && dataset.test ? { testPredictions: encodeTestPredictions(dataset.test.y, testProbabilities) } : {}),
  };
  if (!model) return { ...result, ...extras };
  try {
    return { ...result, ...extras, savedModel: await saveModel(model) };
  } finally {
    disposeModel(model);
  }
}
