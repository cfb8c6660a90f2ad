/**
 * MiniRocket (Dempster, Schmidt & Webb, KDD 2021) as the project's reference baseline: the
 * transform (transform.ts), a ridge classifier with its penalty chosen by leave-one-out
 * cross-validation on the train file (ridge-cv.ts), and probabilities calibrated on the
 * leave-one-out decision values (calibration.ts). The leave-one-out predictions also give honest
 * validation metrics computed from the train file only.
 */
import { MAX_TRAIN_SERIES } from './limits.js';
import type { Split } from '../../data/types.js';
import { createRng } from '../../util/rng.js';
import { accuracy, balancedAccuracy, binaryCrossEntropy, multiclassMetrics, rocAuc } from '../metrics.js';
import { dilationPlan, paddingFlags } from './kernels.js';
import { Scratch, fitTransform, transformRange, type TransformParams } from './transform.js';
import { DEFAULT_ALPHAS, fitRidgeCv } from './ridge-cv.js';
import { fitScale, probabilities } from './calibration.js';
import { MINIROCKET_FORMAT, decodeFloat32, encodeFloat32, parseMiniRocketModel, type MiniRocketModel } from './model-file.js';

export interface MiniRocketOptions {
  seed: number;
  classes: number;
  signal?: AbortSignal;
  onProgress?: (stage: 'transform' | 'ridge', fraction: number) => void;
}

export interface MiniRocketFit {
  model: MiniRocketModel;
  alpha: number;
  /** leave-one-out figures on the train file (calibrated probabilities) */
  validation: { loss: number; acc: number; auc: number; balancedAcc: number };
  features: number;
  seconds: number;
}

/** Series transformed between two yields to the event loop. */
const CHUNK = 16;

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function fitMiniRocket(train: Split, opts: MiniRocketOptions): Promise<MiniRocketFit> {
  const started = performance.now();
  const { classes, signal } = opts;
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`classes must be a whole number >= 2, got ${classes}`);
  if (!Number.isInteger(opts.seed)) throw new RangeError(`seed must be a whole number, got ${opts.seed}`);
  if (train.n < 2) throw new RangeError(`MiniRocket needs at least 2 training series, got ${train.n}`);
  if (train.n > MAX_TRAIN_SERIES)
    throw new RangeError(`MiniRocket's leave-one-out ridge takes at most ${MAX_TRAIN_SERIES} training series, got ${train.n}`);
  for (const y of train.y) {
    if (!Number.isInteger(y) || y < 0 || y >= classes) throw new RangeError(`label ${y} is not a class 0..${classes - 1}`);
  }
  signal?.throwIfAborted();
  const rng = createRng(opts.seed);
  const plan = dilationPlan(train.timesteps);
  const params = fitTransform(train, { ...plan, padding: paddingFlags(plan.dilations.length) }, rng);
  const p = params.biases.length;
  const n = train.n;

  const z = new Float32Array(n * p);
  const scratch = new Scratch(train.timesteps, train.features);
  for (let i = 0; i < n; i += CHUNK) {
    const end = Math.min(n, i + CHUNK);
    transformRange(params, train, i, end, z.subarray(i * p, end * p), scratch);
    opts.onProgress?.('transform', end / n);
    await pause();
    signal?.throwIfAborted();
  }
  const { mean, std } = standardise(z, n, p);

  const t = classes === 2 ? 1 : classes;
  const targets = new Float64Array(n * t);
  for (let i = 0; i < n; i++) {
    const y = train.y[i]!;
    if (t === 1) targets[i] = y === 1 ? 1 : -1;
    else for (let c = 0; c < t; c++) targets[i * t + c] = c === y ? 1 : -1;
  }
  const ridge = await fitRidgeCv(z, n, p, targets, t, DEFAULT_ALPHAS, async (fraction) => {
    opts.onProgress?.('ridge', fraction);
    await pause();
    signal?.throwIfAborted();
  });
  const scale = fitScale(ridge.looDecision, train.y, classes);
  const looProbs = probabilities(ridge.looDecision, n, classes, scale);
  const validation =
    classes === 2
      ? {
          loss: binaryCrossEntropy(train.y, looProbs),
          acc: accuracy(train.y, looProbs),
          auc: rocAuc(train.y, looProbs),
          balancedAcc: balancedAccuracy(train.y, looProbs),
        }
      : multiclassMetrics(train.y, looProbs, classes);

  const model = parseMiniRocketModel(
    {
      format: MINIROCKET_FORMAT,
      version: 1,
      inputShape: { timesteps: train.timesteps, features: train.features },
      classes,
      seed: opts.seed,
      alpha: ridge.alpha,
      dilations: params.dilations,
      featuresPerDilation: params.featuresPerDilation,
      padding: params.padding,
      channelCounts: params.channelCounts,
      channelIndices: params.channelIndices,
      biases: encodeFloat32(params.biases),
      featureMean: encodeFloat32(mean),
      featureStd: encodeFloat32(std),
      weights: encodeFloat32(ridge.weights),
      intercepts: Array.from(ridge.intercepts),
      calibration: { method: classes === 2 ? 'sigmoid' : 'softmax', scale },
    },
    'fitMiniRocket',
  );
  return { model, alpha: ridge.alpha, validation, features: p, seconds: (performance.now() - started) / 1000 };
}

/** Per-column mean and population std (1 for a constant column), then z -> (z - mean) / std in place. */
function standardise(z: Float32Array, n: number, p: number): { mean: Float32Array; std: Float32Array } {
  const sum = new Float64Array(p);
  const sq = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      const v = z[i * p + j]!;
      sum[j]! += v;
      sq[j]! += v * v;
    }
  }
  const mean = new Float32Array(p);
  const std = new Float32Array(p);
  for (let j = 0; j < p; j++) {
    const m = sum[j]! / n;
    const s = Math.sqrt(Math.max(0, sq[j]! / n - m * m));
    mean[j] = m;
    std[j] = s > 1e-6 ? s : 1;
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) z[i * p + j] = (z[i * p + j]! - mean[j]!) / std[j]!;
  return { mean, std };
}

interface Decoded {
  params: TransformParams;
  /** targets x p weights on the raw PPV features (std folded in) */
  weights: Float64Array;
  intercepts: Float64Array;
}
const decodedCache = new WeakMap<MiniRocketModel, Decoded>();

function decode(model: MiniRocketModel): Decoded {
  const cached = decodedCache.get(model);
  if (cached) return cached;
  const biases = decodeFloat32(model.biases);
  const mean = decodeFloat32(model.featureMean);
  const std = decodeFloat32(model.featureStd);
  const stored = decodeFloat32(model.weights);
  const p = biases.length;
  const t = model.intercepts.length;
  const weights = new Float64Array(t * p);
  const intercepts = Float64Array.from(model.intercepts);
  for (let c = 0; c < t; c++) {
    for (let j = 0; j < p; j++) {
      const w = stored[c * p + j]! / std[j]!;
      weights[c * p + j] = w;
      intercepts[c]! -= w * mean[j]!;
    }
  }
  const params: TransformParams = {
    timesteps: model.inputShape.timesteps,
    features: model.inputShape.features,
    dilations: model.dilations,
    featuresPerDilation: model.featuresPerDilation,
    padding: model.padding,
    channelCounts: model.channelCounts,
    channelIndices: model.channelIndices,
    biases,
  };
  const out = { params, weights, intercepts };
  decodedCache.set(model, out);
  return out;
}

/** Ridge decision values (n x targets) of a split. */
export function decisionMiniRocket(model: MiniRocketModel, split: Split): Float64Array {
  const { timesteps, features } = model.inputShape;
  if (split.timesteps !== timesteps || split.features !== features) {
    throw new Error(
      `MiniRocket model expects series of ${timesteps} time steps x ${features} features, got ${split.timesteps} x ${split.features}`,
    );
  }
  const { params, weights, intercepts } = decode(model);
  const p = params.biases.length;
  const t = intercepts.length;
  const out = new Float64Array(split.n * t);
  const rows = new Float32Array(CHUNK * p);
  const scratch = new Scratch(timesteps, features);
  for (let i = 0; i < split.n; i += CHUNK) {
    const end = Math.min(split.n, i + CHUNK);
    transformRange(params, split, i, end, rows, scratch);
    for (let r = 0; r < end - i; r++) {
      for (let c = 0; c < t; c++) {
        let s = intercepts[c]!;
        for (let j = 0; j < p; j++) s += weights[c * p + j]! * rows[r * p + j]!;
        out[(i + r) * t + c] = s;
      }
    }
  }
  return out;
}

/** Class probabilities: binary (n) P(class 1); k > 2 (n, k) rows summing to 1 (TrainingEngine.predict's layout). */
export function predictMiniRocket(model: MiniRocketModel, split: Split): Float32Array {
  const decision = decisionMiniRocket(model, split);
  return probabilities(decision, split.n, model.classes, model.calibration.scale);
}
