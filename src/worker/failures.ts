import { UnrecoverableError } from 'bullmq';
import { ZodError } from 'zod';
import { errorKind } from '../util/errors.js';

/**
 * Failures that would happen again on any worker with the same trial: retrying them only
 * wastes compute. The kind of lstm-sweep's own errors says so (src/util/errors.ts); of the
 * errors thrown elsewhere, a payload that does not validate (zod) and BullMQ's own
 * UnrecoverableError are deterministic. Everything else (a killed or crashed trainer, a lost
 * Redis connection, running out of memory on a busy host) is transient and retried with backoff.
 */
export function isDeterministic(err: unknown): boolean {
  if (err instanceof ZodError || err instanceof UnrecoverableError) return true;
  if (isSizeLimit(err)) return true;
  return errorKind(err) !== 'transient';
}

/** Rethrows deterministic failures as BullMQ's UnrecoverableError, which is never retried. */
export function classifyFailure(err: unknown): Error {
  const error = err instanceof Error ? err : new Error(String(err));
  if (!isDeterministic(err) || err instanceof UnrecoverableError) return error;
  return new UnrecoverableError(`${error.name}: ${error.message}`);
}

/**
 * JavaScript's own size limits (a typed array or array longer than the engine allows, a call
 * stack exhausted by the data's size): the same numbers overflow them on any host.
 */
function isSizeLimit(err: unknown): boolean {
  return err instanceof RangeError && /Invalid typed array length|Invalid array length|Maximum call stack size exceeded/.test(err.message);
}
