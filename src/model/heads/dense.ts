import * as tf from '@tensorflow/tfjs';
import type { ModelHead } from './head.js';

/** The head's Dense layer, shared by the sigmoid (binary) and softmax (multi-class) heads. */
export function outputDense(x: tf.SymbolicTensor, units: number, activation: 'sigmoid' | 'softmax', seed: number): tf.SymbolicTensor {
  return tf.layers
    .dense({ units, activation, kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: 'zeros', name: 'head' })
    .apply(x) as tf.SymbolicTensor;
}

/** Keras: `Dense(1, activation='sigmoid')` on the last step of the residual stack. */
export const denseHead: ModelHead = {
  name: 'dense',
  input: 'vector',
  loss: 'binaryCrossentropy',
  units: 1,
  apply(x, ctx) {
    return outputDense(x, 1, 'sigmoid', ctx.seed(0));
  },
  countParams(inputSize) {
    return inputSize * 1 + 1;
  },
};
