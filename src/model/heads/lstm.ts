import type * as tf from '@tensorflow/tfjs';
import type { LstmHeadPlan } from '../network-plan.js';
import { lstmLayer } from '../lstm-layer.js';
import type { HeadBuilder } from './head.js';

/**
 * Comparison head: `LSTM(1, activation='sigmoid')` REPLACES the last residual block
 * (no skip connection) and returns its last step, which is already in (0, 1).
 */
export const lstmHead: HeadBuilder<LstmHeadPlan> = {
  build(x, plan, ctx) {
    return lstmLayer(plan, {
      dropout: ctx.dropout,
      recurrentDropout: ctx.recurrentDropout,
      kernelSeed: ctx.seed(0),
      recurrentSeed: ctx.seed(1),
    }).apply(x) as tf.SymbolicTensor;
  },
};
