/**
 * k-fold cross-validation for small train files (the normal case on UCR data, where a holdout
 * of 4-10 series cannot tell configurations apart and early stopping fires after a few steps):
 *
 * 1. stratified, seeded folds of the train file (the same folds for every trial of the sweep);
 * 2. per fold, train `epochs` epochs on the other folds, validating on this one every epoch;
 * 3. the epoch budget is the epoch with the best fold-mean of the sweep's validation metric
 *    (ties: the lower mean validation loss); the trial's validation metrics are the fold means
 *    at that epoch (with their spread);
 * 4. refit on the whole train file for exactly that many epochs (a learning-rate schedule keeps
 *    the folds' horizon, `epochs`, so epoch e has the same rate as in the folds); only this model sees the test
 *    file, once, for the reported test figures (and is the model that gets exported).
 *
 * Normalisation statistics always come from the data being trained on (the fold's training
 * part, then the whole train file).
 */
import { normalizeTrainingData } from '../data/normalize.js';
import { stratifiedFolds, takeRows } from '../data/split.js';
import type { TrainingData } from '../data/types.js';
import { resolveEngine, trainsConcurrently, trainTrial, type EpochMetrics } from '../model/index.js';
import type { Metric } from '../definition/sweep-spec.js';
import type { CvSummary } from '../store/records.js';
import { mean, sampleStd } from '../util/stats.js';
import type { Protocol } from './protocol.js';

type ValMetrics = Pick<EpochMetrics, 'valLoss' | 'valAcc' | 'valAuc' | 'valBalancedAcc'>;
const VAL_KEYS = ['valLoss', 'valAcc', 'valAuc', 'valBalancedAcc'] as const;

/** The per-epoch mean over folds of every curve. */
function meanCurve(histories: EpochMetrics[][]): EpochMetrics[] {
  return histories[0]!.map((_, i) => {
    const at = histories.map((h) => h[i]!);
    return {
      epoch: i + 1,
      loss: mean(at.map((e) => e.loss)),
      valLoss: mean(at.map((e) => e.valLoss)),
      valAcc: mean(at.map((e) => e.valAcc)),
      valAuc: mean(at.map((e) => e.valAuc)),
      valBalancedAcc: mean(at.map((e) => e.valBalancedAcc)),
      durationMs: at.reduce((s, e) => s + e.durationMs, 0),
    };
  });
}

/** 1-based epoch with the best mean of the metric (a test metric is never used: valLoss then). */
function chooseBudget(curve: EpochMetrics[], metric: Metric | undefined): number {
  const key = metric && metric.name.startsWith('val') ? (metric.name as (typeof VAL_KEYS)[number]) : 'valLoss';
  const sign = key === 'valLoss' || metric?.goal === 'minimize' ? -1 : 1;
  const score = (e: EpochMetrics) => (Number.isFinite(e[key]) ? sign * e[key]! : -Infinity);
  let best = curve[0]!;
  for (const e of curve) {
    if (score(e) > score(best) || (score(e) === score(best) && e.valLoss < best.valLoss)) best = e;
  }
  return best.epoch;
}

type TrainFold = (fold: number, signal: AbortSignal | undefined) => Promise<EpochMetrics[]>;

async function foldByFold(k: number, signal: AbortSignal | undefined, trainFold: TrainFold): Promise<EpochMetrics[][]> {
  const histories: EpochMetrics[][] = [];
  for (let f = 0; f < k; f++) histories.push(await trainFold(f, signal));
  return histories;
}

/**
 * The k folds at once (k networks in memory): an engine that packs the trainings of one process
 * (the gpu engine) trains them as one. The first fold to fail stops the others, and its error is
 * the one thrown once all have ended, so nothing trains on behind a failed trial.
 */
async function allFolds(k: number, signal: AbortSignal | undefined, trainFold: TrainFold): Promise<EpochMetrics[][]> {
  const stop = new AbortController();
  const forward = () => stop.abort(signal!.reason);
  if (signal?.aborted) forward();
  signal?.addEventListener('abort', forward, { once: true });
  let failure: { error: unknown } | undefined;
  try {
    const runs = Array.from({ length: k }, (_, f) =>
      trainFold(f, stop.signal).catch((error: unknown) => {
        failure ??= { error };
        stop.abort(error);
        throw error;
      }),
    );
    const settled = await Promise.allSettled(runs);
    if (failure) throw failure.error;
    return settled.map((s) => (s as PromiseFulfilledResult<EpochMetrics[]>).value);
  } finally {
    signal?.removeEventListener('abort', forward);
  }
}

export const crossValidation: Protocol = async (config, dataset, settings, opts) => {
  const k = settings.cvFolds!;
  const folds = stratifiedFolds(dataset.train, k, settings.splitSeed);
  const common = { ...(opts.engine ? { engine: opts.engine } : {}) };
  const trainFold = async (f: number, signal: AbortSignal | undefined): Promise<EpochMetrics[]> => {
    const rest = folds.flatMap((fold, j) => (j === f ? [] : fold));
    const data: TrainingData = { train: takeRows(dataset.train, rest), validation: takeRows(dataset.train, folds[f]!) };
    const fold = await trainTrial({ ...config, patience: 0 }, normalizeTrainingData(data, settings.normalize).data, {
      ...common,
      ...(signal ? { signal } : {}),
      onEpoch: async (e) => {
        await opts.onEpoch?.(e, { kind: 'fold', fold: f + 1, folds: k });
      },
    });
    return fold.history;
  };
  const concurrent = opts.concurrentFolds ?? trainsConcurrently(resolveEngine(opts.engine ?? 'auto'));
  const histories = concurrent ? await allFolds(k, opts.signal, trainFold) : await foldByFold(k, opts.signal, trainFold);
  const curve = meanCurve(histories);
  const budget = chooseBudget(curve, settings.metric);
  const perFold: ValMetrics[] = histories.map((h) => {
    const e = h[budget - 1]!;
    return { valLoss: e.valLoss, valAcc: e.valAcc, valAuc: e.valAuc, valBalancedAcc: e.valBalancedAcc };
  });
  const cv: CvSummary = {
    folds: k,
    epoch: budget,
    perFold,
    std: Object.fromEntries(VAL_KEYS.map((key) => [key, sampleStd(perFold.map((p) => p[key]))])) as ValMetrics,
  };

  // Refit: the whole train file for `budget` epochs; its "validation" is the train file itself
  // (monitoring only: no early stopping, the last epoch's weights are the model).
  const whole: TrainingData = { train: dataset.train, validation: dataset.train, ...(dataset.test ? { test: dataset.test } : {}) };
  const normalized = normalizeTrainingData(whole, settings.normalize);
  const refit = await trainTrial({ ...config, epochs: budget, patience: 0 }, normalized.data, {
    ...common,
    ...(opts.signal ? { signal: opts.signal } : {}),
    keepModel: opts.keepModel ?? false,
    restoreBest: false,
    // the folds' learning-rate schedule, cut at the budget (not one squeezed into it)
    scheduleEpochs: config.epochs,
    onEpoch: async (e) => {
      await opts.onEpoch?.(e, { kind: 'refit', epochs: budget, folds: k });
    },
  });
  const at = curve[budget - 1]!;
  return {
    trained: {
      ...refit,
      history: curve,
      bestEpoch: budget,
      epochsRun: config.epochs,
      stoppedEarly: false,
      metrics: { ...refit.metrics, valLoss: at.valLoss, valAcc: at.valAcc, valAuc: at.valAuc, valBalancedAcc: at.valBalancedAcc },
    },
    normalization: { mode: settings.normalize, ...(normalized.stats ? { stats: normalized.stats } : {}) },
    inputShape: { timesteps: dataset.train.timesteps, features: dataset.train.features },
    cv,
    cvHistories: { folds: histories, refit: refit.history },
  };
};
