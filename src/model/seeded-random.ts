import { createRng } from '../util/rng.js';

/**
 * Runs `fn` with `Math.random` replaced by `createRng(seed)` and restores it afterwards
 * (also on error). TensorFlow.js draws dropout masks (tf.dropout / LSTM dropout) from
 * seeds taken from Math.random, so this makes a layers-engine trial reproducible.
 *
 * Why this is safe here: only the layers engine trains under it, and a worker process runs
 * one layers trial at a time, so two trials never overlap their swaps (engines that train
 * many trials in one process do not need it: see trainTrial). Other code running in the same
 * process while `fn` awaits (queue/Redis clients) would draw from the seeded generator too:
 * that only matters for reproducibility of the trial (it could shift the sequence), never for
 * security (nothing in lstm-sweep uses Math.random for secrets; BullMQ/ioredis use crypto for
 * ids). Nested calls are rejected to keep the restore order obvious.
 */
let active = false;

export async function withSeededMathRandom<T>(seed: number, fn: () => Promise<T> | T): Promise<T> {
  if (active) throw new Error('withSeededMathRandom: nested/concurrent use is not supported');
  const original = Math.random;
  active = true;
  Math.random = createRng(seed);
  try {
    return await fn();
  } finally {
    Math.random = original;
    active = false;
  }
}

/**
 * The same swap around synchronous code: nothing else runs until it returns, so it may run
 * while other trainings are in flight (even inside an async swap, whose generator it puts back
 * untouched).
 */
export function withSeededMathRandomSync<T>(seed: number, fn: () => T): T {
  const previous = Math.random;
  Math.random = createRng(seed);
  try {
    return fn();
  } finally {
    Math.random = previous;
  }
}
