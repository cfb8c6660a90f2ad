/**
 * The layer plan of a trial's network, derived exactly as `buildModel` builds the
 * tfjs-layers model (same layer names, sizes and skip connections), so the fast engine
 * and the layers model hold the same weights under the same names.
 */
import type { InputShape, ModelConfig } from '../residual-lstm.js';
import { getHead } from '../heads/registry.js';

export interface LstmPlan {
  /** the tfjs layer name (`lstm_i`, or `head` for the lstm head) */
  name: string;
  inSize: number;
  units: number;
  activation: 'tanh' | 'sigmoid';
  /** 'sequence': all steps (return_sequences); 'last': the last step only */
  output: 'sequence' | 'last';
  /** x + lstm(x) (or x[:, -1] + lstm(x) for 'last') */
  residual: boolean;
}

export interface NetworkPlan {
  timesteps: number;
  features: number;
  /** TimeDistributed(Dense(width)) named `input_projection` before the stack */
  projection: number | null;
  layers: LstmPlan[];
  /** Dense head on the last step (units 1: sigmoid, more: softmax); null: the last LSTM's output is the probability */
  dense: { inSize: number; units: number } | null;
  dropout: number;
  recurrentDropout: number;
}

export interface WeightSlot {
  layer: string;
  /** index in `layer.getWeights()` */
  index: number;
  shape: number[];
  /** offset in floats within the parameter buffer */
  offset: number;
  size: number;
}

export function planNetwork(shape: InputShape, config: ModelConfig): NetworkPlan {
  const head = getHead(config.head, config.classes);
  const { width } = config;
  const residual = config.residual ?? true;
  const projection = config.inputProjection === true && shape.features !== width ? width : null;
  let size = projection ?? shape.features;
  const blocks = head.input === 'vector' ? config.depth : config.depth - 1;
  const layers: LstmPlan[] = [];
  for (let i = 0; i < blocks; i++) {
    const last = i === blocks - 1 && head.input === 'vector';
    layers.push({ name: `lstm_${i}`, inSize: size, units: width, activation: 'tanh', output: last ? 'last' : 'sequence', residual: residual && size === width });
    size = width;
  }
  if (head.input === 'sequence') {
    layers.push({ name: 'head', inSize: size, units: 1, activation: 'sigmoid', output: 'last', residual: false });
  }
  return {
    timesteps: shape.timesteps,
    features: shape.features,
    projection,
    layers,
    dense: head.input === 'vector' ? { inSize: size, units: head.units } : null,
    dropout: config.dropout,
    recurrentDropout: config.recurrentDropout,
  };
}

/** Where every weight tensor of the layers model lives in the flat parameter buffer. */
export function weightSlots(plan: NetworkPlan): WeightSlot[] {
  const slots: WeightSlot[] = [];
  let offset = 0;
  const add = (layer: string, index: number, shape: number[]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    slots.push({ layer, index, shape, offset, size });
    offset += size;
  };
  if (plan.projection !== null) {
    add('input_projection', 0, [plan.features, plan.projection]);
    add('input_projection', 1, [plan.projection]);
  }
  for (const l of plan.layers) {
    add(l.name, 0, [l.inSize, 4 * l.units]);
    add(l.name, 1, [l.units, 4 * l.units]);
    add(l.name, 2, [4 * l.units]);
  }
  if (plan.dense) {
    add('head', 0, [plan.dense.inSize, plan.dense.units]);
    add('head', 1, [plan.dense.units]);
  }
  return slots;
}
