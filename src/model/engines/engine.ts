import type * as tf from '@tensorflow/tfjs';
import type { Split } from '../../data/types.js';

export type EngineName = 'layers' | 'fast';

/**
 * How a trial's model is trained: one implementation per file. Both start from the same
 * seeded tfjs-layers model (`buildModel`) and end in it, so evaluation, export and
 * `predict` do not depend on the engine.
 */
export interface TrainingEngine {
  readonly name: EngineName;
  /** One optimizer step on rows `indices[start..end)` of `split`; returns the batch's mean loss. */
  trainBatch(split: Split, indices: Int32Array, start: number, end: number): Promise<number>;
  /** The Adam learning rate of the next steps (schedules change it between epochs; Adam's moments are kept). */
  setLearningRate(learningRate: number): void;
  /** Class probabilities of every row of `split`: (n) for one sigmoid output, (n, k) for softmax. */
  predict(split: Split): Float32Array;
  /** Remembers the current weights (the best epoch so far). */
  snapshot(): void;
  /** Puts the remembered weights back. */
  restore(): void;
  /** The layers model holding the engine's current weights (owned by the engine until `release`). */
  model(): tf.LayersModel;
  /** Frees everything; with `keepModel` the model returned by `model()` survives and the caller owns it. */
  release(keepModel: boolean): void;
}
