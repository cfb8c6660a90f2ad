/**
 * Moves weights between flat parameters (the fast network's, a gpu pack member's) and the
 * tfjs-layers model of the same plan: an engine starts from the layers model's seeded initial weights and hands its trained
 * weights back, so every trial still exports as a standard `tf.loadLayersModel` model.
 */
import * as tf from '@tensorflow/tfjs';
import type { WeightSlot } from './plan.js';

/** Flat parameters laid out by the plan's weight slots: a FastNetwork, or a gpu engine member's copy. */
export interface FlatParams {
  readonly slots: WeightSlot[];
  readonly params: Float32Array;
}

export function copyWeightsFromModel(net: FlatParams, model: tf.LayersModel): void {
  for (const slot of net.slots) {
    const tensor = model.getLayer(slot.layer).getWeights()[slot.index];
    if (!tensor || tensor.size !== slot.size) {
      throw new Error(
        `layer ${slot.layer} weight ${slot.index}: expected ${slot.shape.join('x')}, model has ${tensor?.shape.join('x') ?? 'none'}`,
      );
    }
    net.params.set(tensor.dataSync() as Float32Array, slot.offset);
  }
}

export function copyWeightsToModel(net: FlatParams, model: tf.LayersModel): void {
  const byLayer = new Map<string, tf.Tensor[]>();
  for (const slot of net.slots) {
    const list = byLayer.get(slot.layer) ?? [];
    list[slot.index] = tf.tensor(net.params.slice(slot.offset, slot.offset + slot.size), slot.shape);
    byLayer.set(slot.layer, list);
  }
  for (const [layer, tensors] of byLayer) {
    model.getLayer(layer).setWeights(tensors);
    tf.dispose(tensors);
  }
}
