import type * as tf from '@tensorflow/tfjs';
import { lstmLayer, lstmParams } from '../lstm-layer.js';
import type { ModelHead } from './head.js';

/**
 * Comparison head: `LSTM(1, activation='sigmoid')` REPLACES the last residual block
 * (no skip connection) and returns its last step, which is already in (0, 1).
 */
export const lstmHead: ModelHead = {
  name: 'lstm',
  input: 'sequence',
  loss: 'binaryCrossentropy',
  units: 1,
  apply(x, ctx) {
    const layer = lstmLayer({
      units: 1,
      activation: 'sigmoid',
      returnSequences: false,
      dropout: ctx.dropout,
      recurrentDropout: ctx.recurrentDropout,
      kernelSeed: ctx.seed(0),
      recurrentSeed: ctx.seed(1),
      name: 'head',
    });
    return layer.apply(x) as tf.SymbolicTensor;
  },
  countParams(inputSize) {
    return lstmParams(inputSize, 1);
  },
};
