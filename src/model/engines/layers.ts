/**
 * The reference engine: the tfjs-layers model trained with `trainOnBatch`, one tfjs op at a
 * time on whatever backend is active (the one to use on a tensorflow/GPU host).
 */
import * as tf from '@tensorflow/tfjs';
import type { Split } from '../../data/types.js';
import { disposeModel } from '../residual-lstm.js';
import type { TrainingEngine } from './types.js';

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

export class LayersEngine implements TrainingEngine {
  readonly name = 'layers' as const;
  private readonly optimizer: tf.AdamOptimizer;
  private best: tf.Tensor[] = [];

  constructor(
    private readonly layersModel: tf.LayersModel,
    learningRate: number,
    loss: string,
    private readonly classWeights?: number[],
  ) {
    this.optimizer = tf.train.adam(learningRate);
    layersModel.compile({ optimizer: this.optimizer, loss });
  }

  async trainBatch(split: Split, indices: Int32Array, start: number, end: number): Promise<number> {
    const [xb, yb] = gatherBatch(split, indices, start, end);
    try {
      if (this.classWeights) {
        // trainOnBatch takes no class weights; one fit over exactly this batch is the same step
        const classWeight = Object.fromEntries(this.classWeights.map((w, c) => [c, w]));
        const h = await this.layersModel.fit(xb, yb, { batchSize: end - start, epochs: 1, shuffle: false, verbose: 0, classWeight });
        return h.history.loss![0] as number;
      }
      return (await this.layersModel.trainOnBatch(xb, yb)) as number;
    } finally {
      tf.dispose([xb, yb]);
    }
  }

  predict(split: Split): Float32Array {
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

  model(): tf.LayersModel {
    return this.layersModel;
  }

  release(keepModel: boolean): void {
    tf.dispose(this.best);
    this.optimizer.dispose();
    if (!keepModel) disposeModel(this.layersModel);
  }
}
