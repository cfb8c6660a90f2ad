/**
 * The reference engine: the tfjs-layers model trained with `trainOnBatch`, one tfjs op at a
 * time on whatever backend is active (the one to use on a tensorflow/GPU host).
 */
import * as tf from '@tensorflow/tfjs';
import type { Split } from '../../data/types.js';
import type { Loss } from '../network-plan.js';
import { disposeModel } from '../residual-lstm.js';
import type { TrainingEngine } from './engine.js';

const PREDICT_BATCH = 512;

/** Copies the rows `indices[start..end)` of a split into fresh batch tensors. */
function gatherBatch(split: Split, indices: Int32Array, start: number, end: number): [tf.Tensor3D, tf.Tensor2D] {
  const row = split.timesteps * split.features;
  const size = end - start;
  const xb = new Float32Array(size * row);
  const yb = new Float32Array(size);
  for (let k = 0; k < size; k++) {
    const i = indices[start + k]!;
    xb.set(split.x.subarray(i * row, (i + 1) * row), k * row);
    yb[k] = split.y[i]!;
  }
  return [tf.tensor3d(xb, [size, split.timesteps, split.features]), tf.tensor2d(yb, [size, 1])];
}

export interface LayersEngineOptions {
  learningRate: number;
  loss: Loss;
  classes: number;
  /** loss weight per class */
  classWeights?: number[];
  /** global gradient-norm clipping (0: none) */
  clipNorm?: number;
}

export class LayersEngine implements TrainingEngine {
  readonly name = 'layers' as const;
  private readonly optimizer: tf.AdamOptimizer;
  private best: tf.Tensor[] = [];
  /** sum of batch loss x batch rows since the last takeLossSum */
  private lossSum = 0;

  constructor(
    private readonly layersModel: tf.LayersModel,
    private readonly opts: LayersEngineOptions,
  ) {
    this.optimizer = tf.train.adam(opts.learningRate);
    layersModel.compile({ optimizer: this.optimizer, loss: opts.loss });
  }

  setLearningRate(learningRate: number): void {
    // tfjs' AdamOptimizer reads `learningRate` at every applyGradients (trainOnBatch's too) and
    // keeps its moment variables: changing it is Keras' `optimizer.learning_rate.assign(lr)`.
    (this.optimizer as unknown as { learningRate: number }).learningRate = learningRate;
  }

  async trainBatch(split: Split, indices: Int32Array, start: number, end: number): Promise<void> {
    const [xb, yb] = gatherBatch(split, indices, start, end);
    try {
      const loss =
        !this.opts.classWeights && !this.opts.clipNorm
          ? ((await this.layersModel.trainOnBatch(xb, yb)) as number)
          : this.customStep(xb, yb);
      this.lossSum += loss * (end - start);
    } finally {
      tf.dispose([xb, yb]);
    }
  }

  async takeLossSum(): Promise<number> {
    const sum = this.lossSum;
    this.lossSum = 0;
    return sum;
  }

  /** trainOnBatch's step, written out so the loss can be weighted and the gradients clipped. */
  private customStep(xb: tf.Tensor3D, yb: tf.Tensor2D): number {
    const { classWeights, clipNorm, classes, loss } = this.opts;
    const variables = this.layersModel.trainableWeights.map((w) => w.read() as tf.Variable);
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const out = this.layersModel.apply(xb, { training: true }) as tf.Tensor;
        const perSample =
          loss === 'binaryCrossentropy'
            ? tf.metrics.binaryCrossentropy(yb, out)
            : tf.metrics.categoricalCrossentropy(tf.oneHot(tf.cast(tf.reshape(yb, [-1]), 'int32'), classes), out);
        const weighted = classWeights
          ? tf.mul(perSample, tf.gather(tf.tensor1d(classWeights), tf.cast(tf.reshape(yb, [-1]), 'int32')))
          : perSample;
        return tf.mean(weighted) as tf.Scalar;
      }, variables);
      let applied = grads;
      if (clipNorm) {
        const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))).dataSync()[0]!;
        if (norm > clipNorm) applied = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, clipNorm / norm)]));
      }
      this.optimizer.applyGradients(Object.entries(applied).map(([name, tensor]) => ({ name, tensor })));
      return value.dataSync()[0]!;
    });
  }

  async predict(split: Split): Promise<Float32Array> {
    return tf.tidy(() => {
      const x = tf.tensor3d(split.x, [split.n, split.timesteps, split.features]);
      const p = this.layersModel.predict(x, { batchSize: PREDICT_BATCH }) as tf.Tensor;
      return p.dataSync() as Float32Array;
    });
  }

  snapshot(): void {
    tf.dispose(this.best);
    this.best = this.layersModel.getWeights().map((w) => w.clone());
  }

  restore(): void {
    this.layersModel.setWeights(this.best);
  }

  async model(): Promise<tf.LayersModel> {
    return this.layersModel;
  }

  release(keepModel: boolean): void {
    tf.dispose(this.best);
    this.optimizer.dispose();
    if (!keepModel) disposeModel(this.layersModel);
  }
}
