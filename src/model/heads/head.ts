import type * as tf from '@tensorflow/tfjs';
import type { HeadPlan } from '../network-plan.js';

/** Everything a head needs to add its layers on top of the residual stack. */
export interface HeadContext {
  /** Seed for the head's initializers (derived from the trial seed). */
  seed: (slot: number) => number;
  dropout: number;
  recurrentDropout: number;
}

/**
 * Builds an output head's tfjs-layers layers. What the head is (units, activation, loss,
 * whether it sits on the stack or replaces its last block) comes from the network plan
 * (`headSpec` / `planNetwork` in ../network-plan.ts); a builder only turns that into layers:
 * - kinds 'dense' / 'softmax' receive the last step of the residual stack, shape (width);
 * - kind 'lstm' REPLACES the last residual block and receives the sequence output
 *   (T, inputSize) of the first depth-1 blocks (or the raw input when depth == 1).
 * A new head is one entry in network-plan.ts' `HEAD_SPECS` plus its builder in `HEADS`.
 */
export interface HeadBuilder<P extends HeadPlan = HeadPlan> {
  /** Adds the head's layers as `plan` describes them; the returned tensor is the model output. */
  build(x: tf.SymbolicTensor, plan: P, ctx: HeadContext): tf.SymbolicTensor;
}
