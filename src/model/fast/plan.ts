/**
 * The fast engine's view of the network plan (../network-plan.ts, the one place the topology
 * rules live): the LSTM layers in the order they run and the Dense head, plus where every
 * weight tensor of the tfjs-layers model lives in the engine's flat parameter buffer. The
 * slots use the layers model's names and weight order, so the engine and the layers model
 * hold the same weights under the same names (./layers-bridge.ts copies them across).
 */
import type { DenseHeadPlan, LstmPlan, NetworkPlan } from '../network-plan.js';

export interface WeightSlot {
  layer: string;
  /** index in `layer.getWeights()` */
  index: number;
  shape: number[];
  /** offset in floats within the parameter buffer */
  offset: number;
  size: number;
}

/** Every LSTM layer in the order it runs: the residual blocks, then the lstm head if any. */
export function lstmLayers(plan: NetworkPlan): LstmPlan[] {
  return plan.head.kind === 'lstm' ? [...plan.blocks, plan.head] : plan.blocks;
}

/** The Dense (sigmoid or softmax) head on the last step; null with the lstm head. */
export function denseHead(plan: NetworkPlan): DenseHeadPlan | null {
  return plan.head.kind === 'lstm' ? null : plan.head;
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
  if (plan.projection) {
    const p = plan.projection;
    add(p.name, 0, [p.inputSize, p.units]);
    add(p.name, 1, [p.units]);
  }
  for (const l of lstmLayers(plan)) {
    add(l.name, 0, [l.inputSize, 4 * l.units]);
    add(l.name, 1, [l.units, 4 * l.units]);
    add(l.name, 2, [4 * l.units]);
  }
  const dense = denseHead(plan);
  if (dense) {
    add(dense.name, 0, [dense.inputSize, dense.units]);
    add(dense.name, 1, [dense.units]);
  }
  return slots;
}
