import { outputDense } from './dense.js';
import type { ModelHead } from './head.js';

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
      return outputDense(x, classes, 'softmax', ctx.seed(0));
    },
    countParams(inputSize) {
      return inputSize * classes + classes;
    },
  };
}
