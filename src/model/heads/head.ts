import type * as tf from '@tensorflow/tfjs';

/** Everything a head needs to add its layers on top of the residual stack. */
export interface HeadContext {
  /** Seed for the head's initializers (derived from the trial seed). */
  seed: (slot: number) => number;
  dropout: number;
  recurrentDropout: number;
}

/**
 * An output head. Two kinds:
 * - `input: 'vector'`: the full residual stack runs (its last block returns the last
 *   time step, shape (width)) and the head sits on top of it (e.g. Dense(1, sigmoid)).
 * - `input: 'sequence'`: the head REPLACES the last residual block; it receives the
 *   sequence output (T, inputSize) of the first depth-1 blocks (or the raw input when
 *   depth == 1).
 * A new head (e.g. softmax over k classes) is one new file plus one entry in `HEADS`.
 */
export interface ModelHead {
  readonly name: string;
  readonly input: 'vector' | 'sequence';
  /** Keras/tfjs loss identifier the head is trained with. */
  readonly loss: 'binaryCrossentropy' | 'sparseCategoricalCrossentropy';
  /** Number of output units. */
  readonly units: number;
  /** Adds the head's layers; the returned tensor is the model output. */
  apply(x: tf.SymbolicTensor, ctx: HeadContext): tf.SymbolicTensor;
  /** Trainable parameter count for an input of `inputSize` features. */
  countParams(inputSize: number): number;
}
