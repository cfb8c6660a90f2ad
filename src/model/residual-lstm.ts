/**
 * The residual LSTM binary classifier. Keras recipe it mirrors:
 *
 *   x = inputs                                   # (T, F)
 *   for i in range(depth - 1):
 *       y = LSTM(width, return_sequences=True, dropout=d, recurrent_dropout=rd)(x)
 *       x = x + y if x.shape[-1] == width else y
 *   y = LSTM(width, dropout=d, recurrent_dropout=rd)(x)     # last step only
 *   x = x[:, -1, :] + y if x.shape[-1] == width else y
 *   outputs = Dense(1, activation='sigmoid')(x)              # head 'dense'
 *
 * With head 'lstm' the last residual block is replaced by
 * `LSTM(1, activation='sigmoid')(x)` (no skip) and there is no Dense.
 * Options: `residual: false` drops every skip connection (a plain stacked LSTM);
 * `inputProjection: true` starts with `x = TimeDistributed(Dense(width))(x)` when
 * features != width, so layer 0 gets its skip connection too.
 *
 * Only standard tfjs-layers layers are used (no Lambda), so a saved model loads with a
 * plain `tf.loadLayersModel`. `x[:, -1, :]` is built from Reshape -> Cropping2D ->
 * Reshape, all parameter-free.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrialConfig } from './trial-config.js';
import { createRng } from '../util/rng.js';
import { getHead } from './heads/registry.js';
import { lstmLayer, lstmParams } from './lstm-layer.js';

export interface InputShape {
  timesteps: number;
  features: number;
}

export type ModelConfig = Pick<TrialConfig, 'depth' | 'width' | 'dropout' | 'recurrentDropout' | 'head' | 'seed' | 'residual' | 'inputProjection'> & {
  /** classes of the task (default 2: one sigmoid output; more: softmax) */
  classes?: number;
};

/** Whether the input is first projected to `width` (inputProjection, only needed when sizes differ). */
function projects(shape: InputShape, config: ModelConfig): boolean {
  return config.inputProjection === true && shape.features !== config.width;
}

/** Seed of initializer `slot` of layer `layer`, derived from the trial seed (stable across runs). */
export function deriveSeed(seed: number, layer: number, slot: number): number {
  const mixed = (seed ^ Math.imul(layer + 1, 0x85ebca6b) ^ Math.imul(slot + 1, 0xc2b2ae35)) >>> 0;
  return Math.floor(createRng(mixed)() * 2 ** 31);
}

/** Number of residual LSTM(width) blocks: the lstm head replaces the last one. */
function residualBlocks(config: ModelConfig): number {
  return getHead(config.head, config.classes).input === 'vector' ? config.depth : config.depth - 1;
}

/** `x[:, -1, :]` for x of shape (T, F), from standard layers only. */
function lastStep(x: tf.SymbolicTensor, timesteps: number, size: number, name: string): tf.SymbolicTensor {
  const asImage = tf.layers.reshape({ targetShape: [timesteps, size, 1], name: `${name}_reshape` }).apply(x);
  const cropped = tf.layers
    .cropping2D({ cropping: [[timesteps - 1, 0], [0, 0]], name: `${name}_crop` })
    .apply(asImage);
  return tf.layers.reshape({ targetShape: [size], name }).apply(cropped) as tf.SymbolicTensor;
}

function checkShape(shape: InputShape): void {
  for (const [k, v] of Object.entries(shape)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`invalid input shape: ${k} = ${v}`);
  }
}

/**
 * Builds the (uncompiled) model for inputs of shape (timesteps, features). `trainTrial`
 * compiles it with Adam and the head's loss. Initializers are seeded from
 * `config.seed` and the layer index, so the same config gives the same initial weights.
 */
export function buildModel(shape: InputShape, config: ModelConfig): tf.LayersModel {
  checkShape(shape);
  // tidy: tfjs' unitForgetBias initializer leaks its intermediate tensors (4 per LSTM);
  // the weight variables themselves survive the scope.
  let model: tf.LayersModel | undefined;
  withoutOrthogonalWarning(() =>
    tf.tidy(() => {
      model = build(shape, config);
    }),
  );
  return model!;
}

/** tfjs warns "Orthogonal initializer ... Slowness may result" for width > 22; Keras does not. */
function withoutOrthogonalWarning(fn: () => void): void {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Orthogonal initializer is being called')) return;
    warn(...args);
  };
  try {
    fn();
  } finally {
    console.warn = warn;
  }
}

function build(shape: InputShape, config: ModelConfig): tf.LayersModel {
  const { timesteps } = shape;
  const { width, dropout, recurrentDropout } = config;
  const head = getHead(config.head, config.classes);
  const blocks = residualBlocks(config);

  const input = tf.input({ shape: [timesteps, shape.features], name: 'input' });
  let x: tf.SymbolicTensor = input;
  let size = shape.features;
  if (projects(shape, config)) {
    // Keras: TimeDistributed(Dense(width))(x)
    const dense = tf.layers.dense({ units: width, kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(config.seed, -1, 0) }) });
    x = tf.layers.timeDistributed({ layer: dense, name: 'input_projection' }).apply(x) as tf.SymbolicTensor;
    size = width;
  }
  const residual = config.residual ?? true;
  for (let i = 0; i < blocks; i++) {
    const isLast = i === blocks - 1 && head.input === 'vector';
    const lstm = lstmLayer({
      units: width,
      returnSequences: !isLast,
      dropout,
      recurrentDropout,
      kernelSeed: deriveSeed(config.seed, i, 0),
      recurrentSeed: deriveSeed(config.seed, i, 1),
      name: `lstm_${i}`,
    });
    const y = lstm.apply(x) as tf.SymbolicTensor;
    if (residual && size === width) {
      const skip = isLast ? lastStep(x, timesteps, size, `last_step_${i}`) : x;
      x = tf.layers.add({ name: `add_${i}` }).apply([skip, y]) as tf.SymbolicTensor;
    } else {
      x = y;
    }
    size = width;
  }
  const output = head.apply(x, {
    seed: (slot) => deriveSeed(config.seed, config.depth, slot),
    dropout,
    recurrentDropout,
  });
  return tf.model({ inputs: input, outputs: output, name: 'residual_lstm' });
}

/** Trainable parameter count by formula (equals Keras' and `buildModel(...).countParams()`). */
export function countParams(shape: InputShape, config: ModelConfig): number {
  let total = 0;
  let size = shape.features;
  if (projects(shape, config)) {
    total += size * config.width + config.width;
    size = config.width;
  }
  for (let i = 0; i < residualBlocks(config); i++) {
    total += lstmParams(size, config.width);
    size = config.width;
  }
  return total + getHead(config.head, config.classes).countParams(size);
}

type MaskHolder = { dropoutMask?: tf.Tensor | tf.Tensor[] | null; recurrentDropoutMask?: tf.Tensor | tf.Tensor[] | null };

/**
 * Disposes a model including the dropout masks tfjs' LSTM cells keep after their last
 * call (tfjs-layers only frees them at the next call, so `model.dispose()` alone leaks
 * 4 tensors per mask when dropout/recurrentDropout > 0).
 */
export function disposeModel(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    const cell = (layer as unknown as { cell?: MaskHolder }).cell;
    if (!cell) continue;
    if (cell.dropoutMask) tf.dispose(cell.dropoutMask);
    if (cell.recurrentDropoutMask) tf.dispose(cell.recurrentDropoutMask);
    cell.dropoutMask = null;
    cell.recurrentDropoutMask = null;
  }
  model.dispose();
}
