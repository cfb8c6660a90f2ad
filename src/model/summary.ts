import type * as tf from '@tensorflow/tfjs';

const fmtInt = (n: number): string => n.toLocaleString('en-US');

function fmtShape(shape: tf.Shape | tf.Shape[]): string {
  const one = (s: tf.Shape): string => `(${s.map((d) => (d == null ? 'None' : String(d))).join(', ')})`;
  if (shape.length > 0 && Array.isArray(shape[0])) return `[${(shape as tf.Shape[]).map(one).join(', ')}]`;
  return one(shape as tf.Shape);
}

function weightCount(weights: tf.LayerVariable[]): number {
  return weights.reduce((sum, w) => sum + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}

/** `name[node][tensor]` of every input of the layer, as Keras' "Connected to" column. */
function connectedTo(layer: tf.layers.Layer): string[] {
  const out: string[] = [];
  for (const node of layer.inboundNodes) {
    node.inboundLayers.forEach((inbound, i) => {
      out.push(`${inbound.name}[${node.nodeIndices[i] ?? 0}][${node.tensorIndices[i] ?? 0}]`);
    });
  }
  return out;
}

/**
 * Keras-style model summary (Layer (type) | Output Shape | Param # | Connected to),
 * ending with the Total / Trainable / Non-trainable params lines (thousands separators).
 */
export function formatSummary(model: tf.LayersModel): string {
  const header = ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'];
  const rows: string[][][] = model.layers.map((layer) => {
    const inputs = connectedTo(layer);
    const first = [`${layer.name} (${layer.getClassName()})`, fmtShape(layer.outputShape), fmtInt(layer.countParams()), inputs[0] ?? ''];
    return [first, ...inputs.slice(1).map((c) => ['', '', '', c])];
  });
  const lines = rows.flat();
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c]!.length)) + 2);
  const fmtRow = (cells: string[]): string =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('')
      .trimEnd();
  const total = widths.reduce((a, b) => a + b, 0);
  const trainable = weightCount(model.trainableWeights);
  const nonTrainable = weightCount(model.nonTrainableWeights);
  return [
    `Model: "${model.name}"`,
    '_'.repeat(total),
    fmtRow(header),
    '='.repeat(total),
    ...lines.map(fmtRow),
    '='.repeat(total),
    `Total params: ${fmtInt(trainable + nonTrainable)}`,
    `Trainable params: ${fmtInt(trainable)}`,
    `Non-trainable params: ${fmtInt(nonTrainable)}`,
  ].join('\n');
}
