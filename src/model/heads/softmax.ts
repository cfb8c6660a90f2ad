import * as tf from '@tensorflow/tfjs';
import type { ModelHead } from './types.js';

/**
 * Keras: `Dense(k, activation='softmax')` with sparse categorical cross-entropy: what the `dense`
 * head becomes when the dataset has k > 2 classes (a binary task keeps one sigmoid unit).
 */
export function softmaxHead(classes: number): ModelHead {
  return {
    name: 'dense',
    input: 'vector',
    loss: 'sparseCategoricalCrossentropy',
    units: classes,
    apply(x, ctx) {
      return tf.layers
        .dense({
          units: classes,
          activation: 'softmax',
          kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed(0) }),
          biasInitializer: 'zeros',
          name: 'head',
        })
        .apply(x) as tf.SymbolicTensor;
    },
    countParams(inputSize) {
      return inputSize * classes + classes;
    },
  };
}
