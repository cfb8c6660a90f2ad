import * as tf from '@tensorflow/tfjs';
import type { ModelHead } from './types.js';

/** Keras: `Dense(1, activation='sigmoid')` on the last step of the residual stack. */
export const denseHead: ModelHead = {
  name: 'dense',
  input: 'vector',
  loss: 'binaryCrossentropy',
  units: 1,
  apply(x, ctx) {
    return tf.layers
      .dense({
        units: 1,
        activation: 'sigmoid',
        kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed(0) }),
        biasInitializer: 'zeros',
        name: 'head',
      })
      .apply(x) as tf.SymbolicTensor;
  },
  countParams(inputSize) {
    return inputSize * 1 + 1;
  },
};
