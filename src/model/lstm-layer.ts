import * as tf from '@tensorflow/tfjs';
import type { LstmPlan } from './network-plan.js';

export interface LstmLayerOptions {
  dropout: number;
  recurrentDropout: number;
  /** Seeds for the kernel (glorotUniform) and recurrent kernel (orthogonal) initializers. */
  kernelSeed: number;
  recurrentSeed: number;
}

/**
 * `keras.layers.LSTM` for one LSTM of the network plan (units, activation, return sequences,
 * name), with Keras (TF2) defaults made explicit. Note tfjs defaults `recurrentActivation` to
 * hardSigmoid; Keras 2 uses sigmoid, so we set it.
 */
export function lstmLayer(plan: Pick<LstmPlan, 'name' | 'units' | 'activation' | 'returnSequences'>, o: LstmLayerOptions): tf.layers.Layer {
  return tf.layers.lstm({
    units: plan.units,
    activation: plan.activation,
    recurrentActivation: 'sigmoid',
    returnSequences: plan.returnSequences,
    dropout: o.dropout,
    recurrentDropout: o.recurrentDropout,
    unitForgetBias: true,
    kernelInitializer: tf.initializers.glorotUniform({ seed: o.kernelSeed }),
    recurrentInitializer: tf.initializers.orthogonal({ seed: o.recurrentSeed, gain: 1 }),
    biasInitializer: 'zeros',
    name: plan.name,
  });
}
