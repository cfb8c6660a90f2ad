/**
 * The sweep's baseline job (`baseline: minirocket`): MiniRocket fitted once on the whole train
 * file, normalised as the sweep's trials normalise it, and scored on the test file when there is
 * one. Fenced and classified like a trial (run-trial.ts): only the current delivery writes, and
 * failures that would recur on any worker are never retried.
 */
import { featureStats, normalizeSplit, type FeatureStats } from '../data/normalize.js';
import type { Split } from '../data/types.js';
import { baselineOf } from '../definition/sweep-spec.js';
import { accuracy, balancedAccuracy, binaryCrossEntropy, multiclassMetrics, rocAuc } from '../model/metrics.js';
import { MINIROCKET_FILE, fitMiniRocket, predictMiniRocket } from '../model/minirocket/index.js';
import { MAX_TRAIN_SERIES } from '../model/minirocket/limits.js';
import { baselineJobFor, type BaselineJob, type BaselineProgress } from '../queue/baseline-job.js';
import type { BaselineResult } from '../store/records.js';
import type { SweepStore } from '../store/sweep-store.js';
import { encodeTestPredictions } from '../store/test-predictions.js';
import { LswError } from '../util/errors.js';
import { canonicalJson } from '../util/hash.js';
import { log } from '../util/logger.js';
import { workerName } from '../util/worker-name.js';
import { classifyFailure } from './failures.js';
import type { RunTrialDeps } from './run-trial.js';

export type BaselineOutcome =
  { status: 'completed' | 'already-done'; result: BaselineResult } | { status: 'cancelled' } | { status: 'superseded' };

export type RunBaselineDeps = Omit<RunTrialDeps, 'onProgress' | 'engine'> & {
  onProgress?: (progress: BaselineProgress) => Promise<void> | void;
};

export async function runBaseline(job: BaselineJob, deps: RunBaselineDeps): Promise<BaselineOutcome> {
  const worker = workerName();
  const startedAt = Date.now();
  let start;
  try {
    await verifyBaselineJob(job, deps.store);
    start = await deps.store.startBaseline(job.sweepId, { worker, startedAt: new Date(startedAt).toISOString() });
    if (!start.known) throw new LswError(`baseline job of ${job.sweepId}: there is no such sweep`, 'deterministic');
  } catch (err) {
    throw classifyFailure(err);
  }
  if (start.cancelled) {
    await deps.store.markBaselineCancelled(job.sweepId);
    return { status: 'cancelled' };
  }
  if (start.earlier) {
    await deps.store.clearBaselineActive(job.sweepId);
    return { status: 'already-done', result: start.earlier };
  }
  let fitted: Awaited<ReturnType<typeof fit>>;
  try {
    fitted = await fit(job, deps);
  } catch (err) {
    throw classifyFailure(err);
  }
  const model = deps.artifacts
    ? await deps.artifacts.store.saveBaseline(deps.artifacts.location, job.sweepId, MINIROCKET_FILE, fitted.model)
    : undefined;
  const result: BaselineResult = {
    kind: 'baseline',
    method: 'minirocket',
    sweepId: job.sweepId,
    metrics: fitted.metrics,
    seconds: fitted.seconds,
    durationMs: Date.now() - startedAt,
    features: fitted.features,
    alpha: fitted.alpha,
    classes: fitted.classes,
    worker,
    attempts: start.fence,
    finishedAt: new Date().toISOString(),
    ...(model ? { model } : {}),
    normalization: { mode: job.normalize, ...(fitted.stats ? { stats: fitted.stats } : {}) },
    inputShape: fitted.inputShape,
    ...(fitted.testPredictions ? { testPredictions: fitted.testPredictions } : {}),
  };
  if (!(await deps.store.saveBaseline(result, start.fence))) {
    log('baseline.superseded', { worker, sweepId: job.sweepId, attempt: start.fence });
    return { status: 'superseded' };
  }
  return { status: 'completed', result };
}

/** A payload must be exactly the job its stored sweep makes: anything else was made outside lstm-sweep. */
async function verifyBaselineJob(job: BaselineJob, store: SweepStore): Promise<void> {
  const sweep = await store.getSweep(job.sweepId);
  if (!sweep) throw new LswError(`baseline job: there is no sweep "${job.sweepId}" under prefix "${store.prefix}"`, 'deterministic');
  if (baselineOf(sweep.spec) === 'none') throw new LswError(`baseline job: sweep ${job.sweepId} has no baseline`, 'deterministic');
  const expected: Record<string, unknown> = baselineJobFor(sweep);
  const actual: Record<string, unknown> = job;
  const differs = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].filter(
    (field) => canonicalJson(expected[field] ?? null) !== canonicalJson(actual[field] ?? null),
  );
  if (differs.length > 0) {
    throw new LswError(`baseline job of ${job.sweepId} differs from its stored sweep in ${differs.join(', ')}`, 'deterministic');
  }
}

/** Loss, accuracy, AUC and balanced accuracy of class probabilities, as trials report them. */
function scoreOf(split: Split, probs: Float32Array, classes: number) {
  if (classes > 2) return multiclassMetrics(split.y, probs, classes);
  return {
    loss: binaryCrossEntropy(split.y, probs),
    acc: accuracy(split.y, probs),
    auc: rocAuc(split.y, probs),
    balancedAcc: balancedAccuracy(split.y, probs),
  };
}

async function fit(job: BaselineJob, deps: RunBaselineDeps) {
  const dataset = await deps.datasets.get(job.datasetHash);
  const { train: raw, test: rawTest } = dataset;
  if (raw.n > MAX_TRAIN_SERIES) {
    throw new LswError(
      `the MiniRocket baseline takes at most ${MAX_TRAIN_SERIES} training series, the train file has ${raw.n}: set baseline: none`,
      'deterministic',
    );
  }
  // As the trials: `feature` statistics from the train file only, applied to the test file.
  const stats: FeatureStats | undefined = job.normalize === 'feature' ? featureStats(raw) : undefined;
  const train = normalizeSplit(raw, job.normalize, stats);
  const test = rawTest && normalizeSplit(rawTest, job.normalize, stats);
  let classes = 2;
  for (const split of [raw, rawTest]) if (split) for (const y of split.y) classes = Math.max(classes, y + 1);
  let lastReport = 0;
  const fitted = await fitMiniRocket(train, {
    seed: job.seed,
    classes,
    ...(deps.signal ? { signal: deps.signal } : {}),
    onProgress: (stage, fraction) => {
      // At most a few reports a second: each is a Redis write.
      if (fraction < 1 && Date.now() - lastReport < 250) return;
      lastReport = Date.now();
      void Promise.resolve(deps.onProgress?.({ baseline: 'minirocket', stage, fraction })).catch(() => undefined);
    },
  }).catch((err: unknown) => {
    // The data's own limits (labels, sizes) fail the same way on any worker.
    if (err instanceof RangeError) throw new LswError(`MiniRocket: ${err.message}`, 'deterministic', { cause: err });
    throw err;
  });
  const v = fitted.validation;
  const metrics: BaselineResult['metrics'] = { valLoss: v.loss, valAcc: v.acc, valAuc: v.auc, valBalancedAcc: v.balancedAcc };
  let testPredictions: BaselineResult['testPredictions'];
  if (test) {
    const probs = predictMiniRocket(fitted.model, test);
    const t = scoreOf(test, probs, classes);
    Object.assign(metrics, { testLoss: t.loss, testAcc: t.acc, testAuc: t.auc, testBalancedAcc: t.balancedAcc });
    testPredictions = encodeTestPredictions(test.y, probs);
  }
  return {
    model: fitted.model,
    metrics,
    seconds: fitted.seconds,
    features: fitted.features,
    alpha: fitted.alpha,
    classes,
    stats,
    inputShape: { timesteps: raw.timesteps, features: raw.features },
    testPredictions,
  };
}
