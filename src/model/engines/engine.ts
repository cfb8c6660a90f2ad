import type * as tf from '@tensorflow/tfjs';
import type { Split } from '../../data/types.js';

export type EngineName = 'layers' | 'fast' | 'gpu';

/**
 * How a trial's model is trained: one implementation per file. Every engine starts from the
 * same seeded tfjs-layers model (`buildModel`) and ends in it, so evaluation, export and
 * `predict` do not depend on the engine.
 *
 * The calls are asynchronous so that an engine may queue work on a device and answer later:
 * the packed gpu engine gathers the calls of many concurrent trainings into one dispatch and
 * reads the loss back once per epoch, not per step.
 */
export interface TrainingEngine {
  readonly name: EngineName;
  /** Queues one optimizer step on rows indices[start..end) of split; may resolve before the step has run on the device. */
  trainBatch(split: Split, indices: Int32Array, start: number, end: number): Promise<void>;
  /** Sum of (batch mean loss x batch rows) over the batches trained since the last call; NaN/Inf when one was not finite. */
  takeLossSum(): Promise<number>;
  /** The Adam learning rate of the next steps (schedules change it between epochs; Adam's moments are kept). */
  setLearningRate(learningRate: number): void;
  /** Class probabilities of every row of split: (n) for one sigmoid output, (n, k) for softmax. */
  predict(split: Split): Promise<Float32Array>;
  /** Remembers the current weights (the best epoch so far). */
  snapshot(): void;
  /** Puts the remembered weights back. */
  restore(): void;
  /** The layers model holding the engine's current weights (owned by the engine until `release`). */
  model(): Promise<tf.LayersModel>;
  /** Frees everything; with `keepModel` the model returned by `model()` survives and the caller owns it. */
  release(keepModel: boolean): void;
}
