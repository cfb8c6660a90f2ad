import { AsyncLocalStorage } from 'node:async_hooks';
import { createRng } from '../util/rng.js';

/**
 * Runs `fn` with `Math.random` drawing from `createRng(seed)`. TensorFlow.js draws dropout masks
 * (tf.dropout / LSTM dropout) from seeds taken from Math.random, so this makes a trial reproducible.
 *
 * A packing worker (`worker --pack K`) trains several trials at once in one process, their
 * awaits interleaved: one global swap of Math.random would mix their sequences (and undo one
 * another's restore). So Math.random is replaced once by a dispatcher that draws from the
 * generator of the trial whose asynchronous context calls it (AsyncLocalStorage), and from the
 * original Math.random outside any trial. Other code that runs inside a trial's context (its
 * Redis calls) draws from that trial's generator: that only matters for the reproducibility of
 * the trial, never for security (nothing in lstm-sweep uses Math.random for secrets; BullMQ and
 * ioredis use crypto for ids). Nested calls draw from the innermost seed.
 */
const trialRandom = new AsyncLocalStorage<() => number>();
let dispatching = false;

export function withSeededMathRandom<T>(seed: number, fn: () => Promise<T> | T): Promise<T> {
  if (!dispatching) {
    const original = Math.random;
    Math.random = () => (trialRandom.getStore() ?? original)();
    dispatching = true;
  }
  return trialRandom.run(createRng(seed), async () => fn());
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
