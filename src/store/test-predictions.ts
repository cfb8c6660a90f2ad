/**
 * Test-set predictions kept in each result (compact base64), so configurations trained with
 * several seeds can be scored as a seed ensemble: the mean of their class probabilities.
 */
import type { TestPredictions } from './records.js';

export function encodeTestPredictions(labels: ArrayLike<number>, probabilities: Float32Array): TestPredictions {
  const units = probabilities.length / labels.length;
  return {
    classes: units === 1 ? 2 : units,
    labels: Buffer.from(Uint8Array.from(labels)).toString('base64'),
    probabilities: Buffer.from(probabilities.buffer, probabilities.byteOffset, probabilities.byteLength).toString('base64'),
  };
}

export function decodeTestPredictions(p: TestPredictions): { labels: Uint8Array; probabilities: Float32Array } {
  const labels = new Uint8Array(Buffer.from(p.labels, 'base64'));
  const bytes = Buffer.from(p.probabilities, 'base64');
  const probabilities = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { labels, probabilities };
}

/** Accuracy of the mean probabilities of several models on the same test set (undefined if they disagree on it). */
export function ensembleAccuracy(members: TestPredictions[]): number | undefined {
  if (members.length === 0) return undefined;
  const decoded = members.map(decodeTestPredictions);
  const { labels } = decoded[0]!;
  const size = decoded[0]!.probabilities.length;
  if (decoded.some((d) => d.probabilities.length !== size || d.labels.length !== labels.length)) return undefined;
  const mean = new Float64Array(size);
  for (const d of decoded) for (let i = 0; i < size; i++) mean[i]! += d.probabilities[i]! / decoded.length;
  const units = size / labels.length;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let predicted: number;
    if (units === 1) predicted = mean[i]! >= 0.5 ? 1 : 0;
    else {
      predicted = 0;
      for (let c = 1; c < units; c++) if (mean[i * units + c]! > mean[i * units + predicted]!) predicted = c;
    }
    if (predicted === labels[i]) correct++;
  }
  return correct / labels.length;
}
