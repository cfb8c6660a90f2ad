import * as tf from '@tensorflow/tfjs';
import type { DenseHeadPlan } from '../network-plan.js';
import type { HeadBuilder } from './head.js';

/**
 * Keras: `Dense(1, activation='sigmoid')` on the last step of the residual stack (binary), or
 * `Dense(k, activation='softmax')` (k > 2 classes): units and activation come from the plan.
 */
export const denseHead: HeadBuilder<DenseHeadPlan> = {
  build(x, plan, ctx) {
    return tf.layers
      .dense({
        units: plan.units,
        activation: plan.activation,
        kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed(0) }),
        biasInitializer: 'zeros',
        name: plan.name,
      })
      .apply(x) as tf.SymbolicTensor;
  },
};
