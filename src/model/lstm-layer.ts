import * as tf from '@tensorflow/tfjs';

/** Trainable parameters of a Keras/tfjs LSTM layer: 4 gates x (kernel + recurrent kernel + bias). */
export function lstmParams(inputSize: number, units: number): number {
  return 4 * (units * (inputSize + units) + units);
}

export interface LstmLayerOptions {
  units: number;
  returnSequences: boolean;
  dropout: number;
  recurrentDropout: number;
  /** Seeds for the kernel (glorotUniform) and recurrent kernel (orthogonal) initializers. */
  kernelSeed: number;
  recurrentSeed: number;
  name: string;
  /** Cell output activation; Keras default `tanh`. */
  activation?: 'tanh' | 'sigmoid';
}

/**
 * `keras.layers.LSTM` with Keras (TF2) defaults made explicit. Note tfjs defaults
 * `recurrentActivation` to hardSigmoid; Keras 2 uses sigmoid, so we set it.
 */
export function lstmLayer(o: LstmLayerOptions): tf.layers.Layer {
  return tf.layers.lstm({
    units: o.units,
    activation: o.activation ?? 'tanh',
    recurrentActivation: 'sigmoid',
    returnSequences: o.returnSequences,
    dropout: o.dropout,
    recurrentDropout: o.recurrentDropout,
    unitForgetBias: true,
    kernelInitializer: tf.initializers.glorotUniform({ seed: o.kernelSeed }),
    recurrentInitializer: tf.initializers.orthogonal({ seed: o.recurrentSeed, gain: 1 }),
    biasInitializer: 'zeros',
    name: o.name,
  });
}
