/**
 * Moves weights between a fast network and the tfjs-layers model of the same plan: the
 * engine starts from the layers model's seeded initial weights and hands its trained
 * weights back, so every trial still exports as a standard `tf.loadLayersModel` model.
 */
import * as tf from '@tensorflow/tfjs';
import type { FastNetwork } from './network.js';

export function copyWeightsFromModel(net: FastNetwork, model: tf.LayersModel): void {
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

export function copyWeightsToModel(net: FastNetwork, model: tf.LayersModel): void {
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
