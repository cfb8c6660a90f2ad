/**
 * Keeps tfjs-layers' tensor-name registry bounded in a process that builds models forever.
 *
 * tfjs-layers (`common.js`, `getUniqueTensorName`) gives every LayerVariable and SymbolicTensor a
 * process-unique name through a module-private `Map<string, number>` that only ever grows: the
 * second `lstm_0/kernel` becomes `lstm_0/kernel_1` and the map gains the key `lstm_0/kernel_1`,
 * the 500th gains `lstm_0/kernel_499`, and disposing the model removes nothing. One key per
 * weight and per layer output, 9-21 per trial for our networks, ~1.4 KB of heap per trial
 * that a trainer process never got back (bench:memory, soak mode).
 *
 * tfjs offers no way to reach or reset it, so `registry()` finds it once: it names an input
 * tensor with a probe name while `Map.prototype.has` notes which Map is asked about that name
 * (synchronous, restored at once). `forgetTensorNames(model)` then deletes a disposed model's
 * suffixed names (`name !== originalName`). Those can never be handed out again: the base key
 * (`lstm_0/kernel`) stays with its counter past them, so names stay unique for the life of the
 * process, as tfjs needs for variable registration and its executor caches (keyed by names).
 * Base keys stay too: a few per layer name of the plan, bounded by the deepest network.
 */
import * as tf from '@tensorflow/tfjs';

const PROBE = 'lsw_tensor_name_registry_probe';

let found: Map<string, number> | null | undefined;

function registry(): Map<string, number> | null {
  if (found !== undefined) return found;
  const has = Map.prototype.has;
  let seen: Map<string, number> | undefined;
  Map.prototype.has = function (this: Map<unknown, unknown>, key: unknown): boolean {
    if (key === PROBE) seen = this as Map<string, number>;
    return has.call(this, key);
  };
  try {
    tf.input({ shape: [1], name: PROBE });
  } finally {
    Map.prototype.has = has;
  }
  seen?.delete(PROBE);
  found = seen ?? null;
  return found;
}

/** Entries in tfjs-layers' tensor-name registry; undefined when this tfjs keeps it elsewhere. */
export function tensorNameCount(): number | undefined {
  return registry()?.size;
}

/** Removes the names a disposed model holds in tfjs-layers' tensor-name registry (see above). */
export function forgetTensorNames(model: tf.LayersModel): void {
  const names = registry();
  if (!names) return;
  const forget = (t: { name: string; originalName?: string }) => {
    if (t.originalName !== undefined && t.name !== t.originalName) names.delete(t.name);
  };
  for (const w of model.weights) forget(w);
  for (const layer of model.layers) for (const node of layer.inboundNodes) node.outputTensors.forEach(forget);
}
