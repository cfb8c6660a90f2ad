/**
 * Trains one trial: build -> seeded epochs of shuffled mini-batches on a training engine
 * (./engines: the fast wasm engine, the tfjs-layers model or the packed gpu engine) -> per-epoch validation
 * metrics -> early stopping on validation loss -> restore best weights -> test metrics.
 * Everything tfjs allocates is disposed before returning (unless `keepModel`).
 */
import * as tf from '@tensorflow/tfjs';
import type { Split, TrainingData } from '../data/types.js';
import type { TrialConfig } from './trial-config.js';
import { ModelBuildError, NonFiniteLossError } from '../util/errors.js';
import { createRng, shuffleInPlace } from '../util/rng.js';
import { createEngine, resolveEngine, type EngineChoice, type EngineName, type TrainingEngine } from './engines/engine-registry.js';
import { augmentBatch } from './augment.js';
import { createLrScheduler } from './lr-schedule.js';
import { accuracy, balancedAccuracy, binaryCrossEntropy, multiclassMetrics, rocAuc } from './metrics.js';
import { buildModel, countParams } from './residual-lstm.js';
import { withSeededMathRandom, withSeededMathRandomSync } from './seeded-random.js';

export interface EpochMetrics {
  /** 1-based */
  epoch: number;
  /** mean training loss over the epoch's batches (weighted by batch size) */
  loss: number;
  valLoss: number;
  valAcc: number;
  /** NaN when the validation split holds a single class */
  valAuc: number;
  /** mean per-class recall */
  valBalancedAcc: number;
  durationMs: number;
}

export interface TrainMetrics {
  valLoss: number;
  valAcc: number;
  valAuc: number;
  valBalancedAcc: number;
  testLoss?: number;
  testAcc?: number;
  testAuc?: number;
  testBalancedAcc?: number;
}

export interface TrainResult {
  history: EpochMetrics[];
  /** 1-based epoch with the lowest validation loss; its weights are the ones evaluated */
  bestEpoch: number;
  stoppedEarly: boolean;
  /** the epoch at which onEpoch asked to stop (the trial was pruned), if it did */
  prunedAt?: number;
  epochsRun: number;
  /** validation metrics of `bestEpoch`; test metrics of the restored best weights */
  metrics: TrainMetrics;
  params: number;
  /** `tf.getBackend()` during training */
  backend: string;
  /** the Adam learning rate of every epoch run (`lrSchedule`) */
  learningRates?: number[];
  /** the engine that trained it (absent for dry runs) */
  engine?: EngineName;
  /** class probabilities on the test split ((n) or (n, k)), from the weights evaluated */
  testProbabilities?: Float32Array;
  /** only with `keepModel: true`; the caller must free it with `disposeModel(model)` */
  model?: tf.LayersModel;
}

export interface TrainOptions {
  /** Called after every epoch; returning 'stop' ends training there (early termination across trials). */
  onEpoch?: (e: EpochMetrics) => void | 'stop' | Promise<void | 'stop'>;
  signal?: AbortSignal;
  /** Return the trained model (best weights) instead of disposing it. */
  keepModel?: boolean;
  /** Training engine (default 'auto': see resolveEngine). */
  engine?: EngineChoice;
  /**
   * Keep the weights of the best validation epoch (default). false: a fixed budget, the last
   * epoch's weights are the result (the refit of cross-validation, whose "validation" is the
   * training data itself).
   */
  restoreBest?: boolean;
  /**
   * Epochs the learning-rate schedule spans (default `config.epochs`). The cross-validation
   * refit trains fewer epochs than the folds but passes their budget, so that epoch e gets the
   * same rate in both.
   */
  scheduleEpochs?: number;
}

/** Decorrelates the shuffle stream from the initializer seeds. */
const SHUFFLE_SALT = 0x5bd1e995;
const DROPOUT_SALT = 0x27d4eb2f;
const AUGMENT_SALT = 0x165667b1;
/** Longest stretch of training without yielding to the event loop. */
const YIELD_MS = 200;

function checkData(data: TrainingData): void {
  const { train } = data;
  if (train.n < 1) throw new Error('training split is empty');
  for (const [name, s] of Object.entries(data) as [string, Split | undefined][]) {
    if (!s) continue;
    if (s.timesteps !== train.timesteps || s.features !== train.features) {
      throw new Error(`${name} split shape (${s.timesteps}, ${s.features}) != train (${train.timesteps}, ${train.features})`);
    }
    if (s.x.length !== s.n * s.timesteps * s.features || s.y.length !== s.n) {
      throw new Error(`${name} split: array lengths do not match n=${s.n}`);
    }
  }
  if (data.validation.n < 1) throw new Error('validation split is empty');
}

/** sklearn's 'balanced' weights: n / (k * n_c); a class absent from `labels` gets 1. */
export function balancedClassWeights(labels: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  return counts.map((c) => (c === 0 ? 1 : labels.length / (classes * c)));
}

/** Classes of the task: one more than the highest label anywhere in the data (at least 2). */
export function classesOf(data: TrainingData): number {
  let max = 1;
  for (const split of [data.train, data.validation, data.test]) if (split) for (const y of split.y) max = Math.max(max, y);
  return max + 1;
}

interface SplitMetrics {
  loss: number;
  acc: number;
  auc: number;
  balancedAcc: number;
}

function metricsOf(split: Split, probs: Float32Array, classes: number): SplitMetrics {
  if (classes > 2) return multiclassMetrics(split.y, probs, classes);
  return {
    loss: binaryCrossEntropy(split.y, probs),
    acc: accuracy(split.y, probs),
    auc: rocAuc(split.y, probs),
    balancedAcc: balancedAccuracy(split.y, probs),
  };
}

/**
 * Trains `config` on `data`. Deterministic for a given config, seed, data and backend:
 * initializers are seeded, batches are shuffled with `createRng`, the fast engine's dropout
 * masks come from `dropoutSeed`, and tfjs' (layers engine) from a seeded Math.random (see
 * withSeededMathRandom).
 *
 * Only the layers engine holds the process-wide Math.random swap while it trains (tfjs draws
 * its dropout seeds from Math.random at every training step), so only it must run one trial at
 * a time per process. The other engines take Math.random only around the synchronous model
 * build (which draws nothing from it today: its initializers get explicit seeds; the swap keeps
 * it so if tfjs changes), so several of their trainings may run concurrently in one process (the
 * packed gpu engine runs them as one).
 *
 * Early stopping: stop once the validation loss has not improved for `patience` epochs
 * (0 = run all epochs). In every case the weights of the best epoch (lowest validation
 * loss) are restored at the end, as Keras' `restore_best_weights=True`, and the reported
 * metrics are those of that epoch. Throws NonFiniteLossError when an epoch's training or
 * validation loss is NaN/Inf.
 */
export async function trainTrial(config: TrialConfig, data: TrainingData, opts: TrainOptions = {}): Promise<TrainResult> {
  checkData(data);
  const engineName = resolveEngine(opts.engine ?? 'auto');
  if (engineName === 'layers')
    return withSeededMathRandom(config.seed, () => runEpochs(startEngine(engineName, config, data), config, data, opts));
  const engine = withSeededMathRandomSync(config.seed, () => startEngine(engineName, config, data));
  return runEpochs(engine, config, data, opts);
}

/** Builds the seeded model and wraps it in the engine (which then owns it). */
function startEngine(engineName: EngineName, config: TrialConfig, data: TrainingData): TrainingEngine {
  const { train } = data;
  const shape = { timesteps: train.timesteps, features: train.features };
  const classes = classesOf(data);
  try {
    const model = buildModel(shape, { ...config, classes });
    const classWeights = config.classWeight === 'balanced' ? balancedClassWeights(train.y, classes) : undefined;
    return createEngine(engineName, model, {
      shape,
      config: { ...config, classes },
      dropoutSeed: (config.seed ^ DROPOUT_SALT) >>> 0,
      ...(classWeights ? { classWeights } : {}),
    });
  } catch (err) {
    throw new ModelBuildError(config, err);
  }
}

/** The epochs of `trainTrial` on a started engine; releases it. */
async function runEpochs(engine: TrainingEngine, config: TrialConfig, data: TrainingData, opts: TrainOptions): Promise<TrainResult> {
  const { train } = data;
  const shape = { timesteps: train.timesteps, features: train.features };
  const classes = classesOf(data);
  const restoreBest = opts.restoreBest ?? true;
  let keep = false;
  try {
    const rng = createRng((config.seed ^ SHUFFLE_SALT) >>> 0);
    const indices = Int32Array.from({ length: train.n }, (_, i) => i);
    const augment = config.augment ?? 'none';
    const augmentRng = createRng((config.seed ^ AUGMENT_SALT) >>> 0);
    const batchRows = Int32Array.from({ length: config.batchSize }, (_, i) => i);
    const schedule = createLrScheduler(config.lrSchedule ?? 'none', config.learningRate, opts.scheduleEpochs ?? config.epochs);
    const learningRates: number[] = [];
    const history: EpochMetrics[] = [];
    let bestEpoch = 0;
    let bestLoss = Infinity;
    let stoppedEarly = false;
    let prunedAt: number | undefined;
    let lastYield = performance.now();

    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const t0 = performance.now();
      shuffleInPlace(indices, rng);
      engine.setLearningRate(schedule.rate);
      learningRates.push(schedule.rate);
      for (let start = 0; start < train.n; start += config.batchSize) {
        opts.signal?.throwIfAborted();
        const end = Math.min(train.n, start + config.batchSize);
        // augmentation happens here, engine-agnostic: every engine gets the same augmented batch
        if (augment === 'none') await engine.trainBatch(train, indices, start, end);
        else await engine.trainBatch(augmentBatch(augment, train, indices, start, end, augmentRng), batchRows, 0, end - start);
        if (performance.now() - lastYield > YIELD_MS) {
          // the fast engine never awaits: let abort signals and disconnects through
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
      }
      // both asked before either is awaited: the gpu engine answers them with one readback
      const [lossSum, valProbs] = await Promise.all([engine.takeLossSum(), engine.predict(data.validation)]);
      const loss = lossSum / train.n;
      if (!Number.isFinite(loss)) throw new NonFiniteLossError(epoch, loss, 'training');
      const val = metricsOf(data.validation, valProbs, classes);
      if (!Number.isFinite(val.loss)) throw new NonFiniteLossError(epoch, val.loss, 'validation');
      const metrics: EpochMetrics = {
        epoch,
        loss,
        valLoss: val.loss,
        valAcc: val.acc,
        valAuc: val.auc,
        valBalancedAcc: val.balancedAcc,
        durationMs: performance.now() - t0,
      };
      history.push(metrics);
      schedule.endEpoch(epoch, metrics.loss);
      if (!restoreBest || val.loss < bestLoss) {
        bestLoss = val.loss;
        bestEpoch = epoch;
        if (restoreBest) engine.snapshot();
      }
      if ((await opts.onEpoch?.(metrics)) === 'stop' && epoch < config.epochs) {
        prunedAt = epoch;
        break;
      }
      if (config.patience > 0 && epoch - bestEpoch >= config.patience && epoch < config.epochs) {
        stoppedEarly = true;
        break;
      }
    }

    if (restoreBest) engine.restore();
    const bestMetrics = history[bestEpoch - 1]!;
    const result: TrainResult = {
      history,
      bestEpoch,
      stoppedEarly,
      ...(prunedAt !== undefined ? { prunedAt } : {}),
      epochsRun: history.length,
      metrics: {
        valLoss: bestMetrics.valLoss,
        valAcc: bestMetrics.valAcc,
        valAuc: bestMetrics.valAuc,
        valBalancedAcc: bestMetrics.valBalancedAcc,
      },
      params: countParams(shape, { ...config, classes }),
      backend: tf.getBackend(),
      learningRates,
      engine: engine.name,
    };
    if (data.test && data.test.n > 0) {
      const probs = await engine.predict(data.test);
      const test = metricsOf(data.test, probs, classes);
      Object.assign(result.metrics, { testLoss: test.loss, testAcc: test.acc, testAuc: test.auc, testBalancedAcc: test.balancedAcc });
      result.testProbabilities = probs;
    }
    if (opts.keepModel) {
      result.model = await engine.model();
      keep = true;
    }
    return result;
  } finally {
    engine.release(keep);
  }
}
