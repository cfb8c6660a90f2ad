/**
 * The residual LSTM classifier (binary, or k classes through a softmax head) as a
 * tfjs-layers model. Keras recipe it mirrors:
 *
 *   x = inputs                                   # (T, F)
 *   for i in range(depth - 1):
 *       y = LSTM(width, return_sequences=True, dropout=d, recurrent_dropout=rd)(x)
 *       x = x + y if x.shape[-1] == width else y
 *   y = LSTM(width, dropout=d, recurrent_dropout=rd)(x)     # last step only
 *   x = x[:, -1, :] + y if x.shape[-1] == width else y
 *   outputs = Dense(1, activation='sigmoid')(x)              # head 'dense', 2 classes
 *   outputs = Dense(k, activation='softmax')(x)              # head 'dense', k > 2 classes
 *
 * With head 'lstm' (binary only) the last residual block is replaced by
 * `LSTM(1, activation='sigmoid')(x)` (no skip) and there is no Dense.
 * Options: `residual: false` drops every skip connection (a plain stacked LSTM);
 * `patch: P > 1` first turns (T, F) into (ceil(T/P), P*F), Keras
 * `Reshape((-1, P*F))(ZeroPadding1D((0, pad))(x))`; tfjs-layers has no ZeroPadding1D, so the pad is
 * Reshape((T, F, 1)) -> ZeroPadding2D(((0, pad), (0, 0))) -> Reshape (see `patchInput`);
 * `inputProjection: true` starts with `x = TimeDistributed(Dense(width))(x)` when
 * features != width, so layer 0 gets its skip connection too.
 *
 * Those rules live in ./network-plan.ts; this file only turns the plan into layers.
 * Only standard tfjs-layers layers are used (no Lambda), so a saved model loads with a
 * plain `tf.loadLayersModel`. `x[:, -1, :]` is built from Reshape -> Cropping2D ->
 * Reshape, all parameter-free.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../util/rng.js';
import { buildHead } from './heads/head-registry.js';
import { lstmLayer } from './lstm-layer.js';
import { planNetwork, sequenceShape, type InputShape, type ModelConfig, type NetworkPlan, type PatchPlan } from './network-plan.js';
import { forgetTensorNames } from './tensor-names.js';

/** Seed of initializer `slot` of layer `layer`, derived from the trial seed (stable across runs). */
export function deriveSeed(seed: number, layer: number, slot: number): number {
  const mixed = (seed ^ Math.imul(layer + 1, 0x85ebca6b) ^ Math.imul(slot + 1, 0xc2b2ae35)) >>> 0;
  return Math.floor(createRng(mixed)() * 2 ** 31);
}

/** `x[:, -1, :]` for x of shape (T, F), from standard layers only. */
function lastStep(x: tf.SymbolicTensor, timesteps: number, size: number, name: string): tf.SymbolicTensor {
  const asImage = tf.layers.reshape({ targetShape: [timesteps, size, 1], name: `${name}_reshape` }).apply(x);
  const cropped = tf.layers
    .cropping2D({
      cropping: [
        [timesteps - 1, 0],
        [0, 0],
      ],
      name: `${name}_crop`,
    })
    .apply(asImage);
  return tf.layers.reshape({ targetShape: [size], name }).apply(cropped) as tf.SymbolicTensor;
}

/**
 * (T, F) -> (T', P*F) with T' = ceil(T/P): zero-pad the end to T' * P steps, then a row-major
 * reshape, which concatenates each P consecutive steps. Parameter-free standard layers only.
 */
function patchInput(x: tf.SymbolicTensor, input: InputShape, patch: PatchPlan): tf.SymbolicTensor {
  let padded = x;
  if (patch.pad > 0) {
    const asImage = tf.layers.reshape({ targetShape: [input.timesteps, input.features, 1], name: 'patch_image' }).apply(x);
    const zeros = tf.layers
      .zeroPadding2d({
        padding: [
          [0, patch.pad],
          [0, 0],
        ],
        name: 'patch_pad',
      })
      .apply(asImage) as tf.SymbolicTensor;
    padded = zeros;
  }
  return tf.layers.reshape({ targetShape: [patch.timesteps, patch.features], name: 'patch' }).apply(padded) as tf.SymbolicTensor;
}

/**
 * Builds the (uncompiled) model for inputs of shape (timesteps, features). `trainTrial`
 * compiles it with Adam and the head's loss. Initializers are seeded from
 * `config.seed` and the layer index, so the same config gives the same initial weights.
 */
export function buildModel(shape: InputShape, config: ModelConfig): tf.LayersModel {
  const plan = planNetwork(shape, config);
  // tidy: tfjs' unitForgetBias initializer leaks its intermediate tensors (4 per LSTM);
  // the weight variables themselves survive the scope.
  let model: tf.LayersModel | undefined;
  withoutOrthogonalWarning(() =>
    tf.tidy(() => {
      model = build(plan, config.seed);
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

function build(plan: NetworkPlan, seed: number): tf.LayersModel {
  const { dropout, recurrentDropout } = plan;
  const input = tf.input({ shape: [plan.input.timesteps, plan.input.features], name: 'input' });
  let x: tf.SymbolicTensor = plan.patch ? patchInput(input, plan.input, plan.patch) : input;
  const { timesteps } = sequenceShape(plan);
  if (plan.projection) {
    // Keras: TimeDistributed(Dense(width))(x)
    const p = plan.projection;
    const dense = tf.layers.dense({
      units: p.units,
      kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, p.seedLayer, 0) }),
    });
    x = tf.layers.timeDistributed({ layer: dense, name: p.name }).apply(x) as tf.SymbolicTensor;
  }
  for (const block of plan.blocks) {
    const lstm = lstmLayer(block, {
      dropout,
      recurrentDropout,
      kernelSeed: deriveSeed(seed, block.seedLayer, 0),
      recurrentSeed: deriveSeed(seed, block.seedLayer, 1),
    });
    const y = lstm.apply(x) as tf.SymbolicTensor;
    if (block.skip) {
      const skip = block.returnSequences ? x : lastStep(x, timesteps, block.inputSize, `last_step_${block.index}`);
      x = tf.layers.add({ name: `add_${block.index}` }).apply([skip, y]) as tf.SymbolicTensor;
    } else {
      x = y;
    }
  }
  const output = buildHead(x, plan.head, {
    seed: (slot) => deriveSeed(seed, plan.head.seedLayer, slot),
    dropout,
    recurrentDropout,
  });
  return tf.model({ inputs: input, outputs: output, name: 'residual_lstm' });
}

/** Trainable parameter count by formula (equals Keras' and `buildModel(...).countParams()`). */
export function countParams(shape: InputShape, config: ModelConfig): number {
  return planNetwork(shape, config).params;
}

type MaskHolder = { dropoutMask?: tf.Tensor | tf.Tensor[] | null; recurrentDropoutMask?: tf.Tensor | tf.Tensor[] | null };

/**
 * Disposes a model including the dropout masks tfjs' LSTM cells keep after their last
 * call (tfjs-layers only frees them at the next call, so `model.dispose()` alone leaks
 * 4 tensors per mask when dropout/recurrentDropout > 0), and the names it holds in
 * tfjs-layers' process-wide tensor-name registry (./tensor-names.ts).
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
  forgetTensorNames(model);
  model.dispose();
}
