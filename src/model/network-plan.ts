/**
 * The network plan: the one place where the topology rules of the residual LSTM live.
 * `planNetwork` turns (input shape, model config) into plain data: the input projection, every
 * LSTM block, the head and their parameter counts. Everything that needs the topology reads
 * this plan instead of re-deriving it: the tfjs-layers builder (`buildModel`), `countParams`,
 * the fast wasm engine (`fast/plan.ts`, `fast/network.ts`) and any future engine (WebGPU), which
 * is why this module imports no tfjs.
 *
 * The rules (Keras recipe in residual-lstm.ts):
 * - `patch` P > 1 first turns the input (T, F) into (ceil(T/P), P*F): P consecutive steps
 *   concatenated into one, the end zero-padded to a multiple of P; everything below sees that
 *   patched sequence (`sequenceShape`), so widths, skips and the projection follow P*F;
 * - `inputProjection` adds `TimeDistributed(Dense(width))` first, but only when
 *   features != width (there is nothing to project otherwise);
 * - `depth` LSTM(width, tanh) blocks; all but the last return sequences, the last returns its
 *   last step;
 * - a block gets the skip connection `x = x + lstm(x)` when its input size equals width
 *   (layer 0 only when features == width or after the projection), the last block adding
 *   the last step of its input; `residual: false` removes every skip connection;
 * - head `dense`: Dense(1, sigmoid) on top of the stack, or Dense(k, softmax) for k > 2
 *   classes; head `lstm`: LSTM(1, sigmoid) REPLACES the last block (so that block's skip
 *   connection is gone), binary tasks only.
 */
import type { Head, TrialConfig } from './trial-config.js';

export interface InputShape {
  timesteps: number;
  features: number;
}

export type ModelConfig = Pick<
  TrialConfig,
  'depth' | 'width' | 'dropout' | 'recurrentDropout' | 'head' | 'seed' | 'residual' | 'inputProjection' | 'patch'
> & {
  /** classes of the task (default 2: one sigmoid output; more: softmax) */
  classes?: number;
};

export type Loss = 'binaryCrossentropy' | 'sparseCategoricalCrossentropy';

/**
 * Input patching, (T, F) -> (T / P, P * F) after zero-padding T to a multiple of P. In row-major
 * order the patched series is the raw series with `pad * F` zeros appended: no value moves.
 */
export interface PatchPlan {
  size: number;
  /** zero time steps appended at the end */
  pad: number;
  timesteps: number;
  features: number;
}

/** `TimeDistributed(Dense(units))` applied to every time step of the input. */
export interface ProjectionPlan {
  /** tfjs layer name */
  name: 'input_projection';
  inputSize: number;
  units: number;
  /** index the initializer seeds derive from: `deriveSeed(seed, seedLayer, slot)` */
  seedLayer: number;
  /** kernel (inputSize x units) + bias (units) */
  params: number;
}

/** One Keras LSTM layer (sigmoid recurrent activation, unit forget bias). */
export interface LstmPlan {
  /** tfjs layer name: `lstm_<index>`, or `head` for the lstm head */
  name: string;
  /** position in the stack, 0-based (the lstm head has the index of the block it replaces) */
  index: number;
  /** index the initializer seeds derive from: `deriveSeed(seed, seedLayer, slot)` */
  seedLayer: number;
  inputSize: number;
  units: number;
  /** cell output activation */
  activation: 'tanh' | 'sigmoid';
  /** true: every step's output (T, units); false: the last step's only (units) */
  returnSequences: boolean;
  /** `x + lstm(x)`; with returnSequences false, `x[:, -1, :] + lstm(x)` */
  skip: boolean;
  /** Keras' `4 * (units * (inputSize + units) + units)` */
  params: number;
}

/** `Dense(units, activation)` on the last step of the stack. */
export interface DenseHeadPlan {
  /** 'dense': one sigmoid unit (binary); 'softmax': k units (k classes) */
  kind: 'dense' | 'softmax';
  name: 'head';
  inputSize: number;
  units: number;
  activation: 'sigmoid' | 'softmax';
  loss: Loss;
  seedLayer: number;
  params: number;
}

/** `LSTM(1, sigmoid)` in place of the last block: its last step is already the probability. */
export interface LstmHeadPlan extends LstmPlan {
  kind: 'lstm';
  name: 'head';
  loss: 'binaryCrossentropy';
  activation: 'sigmoid';
  returnSequences: false;
  skip: false;
}

export type HeadPlan = DenseHeadPlan | LstmHeadPlan;
export type HeadKind = HeadPlan['kind'];

export interface NetworkPlan {
  /** the raw series the model takes */
  input: InputShape;
  /** patching of the input (null: none); the stack reads `sequenceShape(plan)` */
  patch: PatchPlan | null;
  /** classes of the task (2: binary, one output) */
  classes: number;
  /** applied by every LSTM layer, the lstm head's included */
  dropout: number;
  recurrentDropout: number;
  projection: ProjectionPlan | null;
  /** the residual stack in order (depth blocks, depth - 1 with the lstm head) */
  blocks: LstmPlan[];
  head: HeadPlan;
  /** trainable parameters of the whole network (equals Keras' and the tfjs model's countParams) */
  params: number;
}

/** What a head is, before the input size is known. */
export interface HeadSpec {
  kind: HeadKind;
  units: number;
  activation: 'sigmoid' | 'softmax';
  loss: Loss;
  /**
   * 'vector': on top of the full stack, whose last block returns the last step;
   * 'sequence': replaces the last block and reads the sequence of the block before it (or the
   * input when depth is 1).
   */
  input: 'vector' | 'sequence';
}

/** Trainable parameters of a Keras/tfjs LSTM layer: 4 gates x (kernel + recurrent kernel + bias). */
export function lstmParams(inputSize: number, units: number): number {
  return 4 * (units * (inputSize + units) + units);
}

function denseParams(inputSize: number, units: number): number {
  return inputSize * units + units;
}

/** Head name (`TrialConfig.head`) -> what it is for a task of `classes` classes. A new head: one entry. */
const HEAD_SPECS: Readonly<Record<Head, (classes: number) => HeadSpec>> = {
  dense: (classes) =>
    classes > 2
      ? { kind: 'softmax', units: classes, activation: 'softmax', loss: 'sparseCategoricalCrossentropy', input: 'vector' }
      : { kind: 'dense', units: 1, activation: 'sigmoid', loss: 'binaryCrossentropy', input: 'vector' },
  lstm: (classes) => {
    // one sigmoid unit: there is no k-class version of it to compare against
    if (classes > 2) throw new Error(`the lstm head is binary only; a ${classes}-class task needs head dense (softmax)`);
    return { kind: 'lstm', units: 1, activation: 'sigmoid', loss: 'binaryCrossentropy', input: 'sequence' };
  },
};

/** The head named `name` for a task of `classes` classes: with more than two, `dense` becomes a softmax. */
export function headSpec(name: Head, classes = 2): HeadSpec {
  const spec = Object.hasOwn(HEAD_SPECS, name) ? HEAD_SPECS[name] : undefined;
  if (!spec) throw new Error(`unknown head '${String(name)}' (known: ${Object.keys(HEAD_SPECS).join(', ')})`);
  return spec(classes);
}

function checkPositive(what: string, values: Record<string, number>): void {
  for (const [k, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`invalid ${what}: ${k} = ${v}`);
  }
}

/** The network for inputs of shape (timesteps, features) and `config` (see the rules above). */
export function planNetwork(shape: InputShape, config: ModelConfig): NetworkPlan {
  checkPositive('input shape', { timesteps: shape.timesteps, features: shape.features });
  checkPositive('model config', { depth: config.depth, width: config.width });
  const { width, depth } = config;
  const classes = config.classes ?? 2;
  const spec = headSpec(config.head, classes);
  const residual = config.residual ?? true;
  const patch = planPatch(shape, config.patch ?? 1);
  const features = patch?.features ?? shape.features;

  const projection: ProjectionPlan | null =
    config.inputProjection === true && features !== width
      ? { name: 'input_projection', inputSize: features, units: width, seedLayer: -1, params: denseParams(features, width) }
      : null;

  let size = projection ? projection.units : features;
  const stack = spec.input === 'vector' ? depth : depth - 1;
  const blocks: LstmPlan[] = [];
  for (let i = 0; i < stack; i++) {
    // with a 'sequence' head every block returns sequences: the head takes the last step
    const last = i === stack - 1 && spec.input === 'vector';
    blocks.push({
      name: `lstm_${i}`,
      index: i,
      seedLayer: i,
      inputSize: size,
      units: width,
      activation: 'tanh',
      returnSequences: !last,
      // a skip needs matching sizes: layer 0 reads the raw features unless projected
      skip: residual && size === width,
      params: lstmParams(size, width),
    });
    size = width;
  }

  // The head's seeds derive from `depth` (one past the last block) for either kind, which
  // keeps the initial weights of existing trials (the lstm head's index is depth - 1).
  const head: HeadPlan =
    spec.kind === 'lstm'
      ? {
          kind: 'lstm',
          name: 'head',
          index: depth - 1,
          seedLayer: depth,
          inputSize: size,
          units: spec.units,
          activation: 'sigmoid',
          returnSequences: false,
          skip: false,
          loss: 'binaryCrossentropy',
          params: lstmParams(size, spec.units),
        }
      : {
          kind: spec.kind,
          name: 'head',
          inputSize: size,
          units: spec.units,
          activation: spec.activation,
          loss: spec.loss,
          seedLayer: depth,
          params: denseParams(size, spec.units),
        };

  const params = (projection?.params ?? 0) + blocks.reduce((sum, b) => sum + b.params, 0) + head.params;
  return {
    input: { timesteps: shape.timesteps, features: shape.features },
    patch,
    classes,
    dropout: config.dropout,
    recurrentDropout: config.recurrentDropout,
    projection,
    blocks,
    head,
    params,
  };
}

function planPatch(shape: InputShape, size: number): PatchPlan | null {
  checkPositive('model config', { patch: size });
  if (size === 1) return null;
  const timesteps = Math.ceil(shape.timesteps / size);
  return { size, pad: timesteps * size - shape.timesteps, timesteps, features: size * shape.features };
}

/** The sequence the LSTM stack reads: the input, or the patched input. */
export function sequenceShape(plan: NetworkPlan): InputShape {
  return plan.patch ? { timesteps: plan.patch.timesteps, features: plan.patch.features } : plan.input;
}

/** Default cap on one trial's training memory (`enqueue --max-trial-memory`, env LSW_MAX_TRIAL_MEMORY_MB). */
export const DEFAULT_MAX_TRIAL_MEMORY_MB = 2048;

/**
 * The working memory one trial needs to train, in bytes, for mini-batches of `batchSize`: the
 * fast engine's flat buffers (src/model/fast/network.ts), which keep every time step of every
 * layer for backpropagation through time. Parameters count six times (weights, gradients, two
 * Adam moments, transposed copies); activations 8 floats per unit, step and sample per layer, plus
 * the input, projection and scratch sequences. One wasm instance addresses at most 4 GiB.
 */
export function trainingMemoryBytes(plan: NetworkPlan, batchSize: number): { total: number; params: number; activations: number } {
  const lstms = plan.head.kind === 'lstm' ? [...plan.blocks, plan.head] : plan.blocks;
  const seq = sequenceShape(plan);
  const TB = seq.timesteps * batchSize;
  const widest = Math.max(seq.features, plan.projection?.units ?? 0, ...lstms.map((l) => Math.max(l.inputSize, l.units)));
  const maxUnits = Math.max(...lstms.map((l) => l.units));
  const params = 4 * 6 * plan.params;
  const perStep = seq.features + (plan.projection?.units ?? 0) + 3 * widest + 5 * maxUnits + lstms.reduce((s, l) => s + 8 * l.units, 0);
  const activations = 4 * TB * perStep;
  return { total: params + activations, params, activations };
}
