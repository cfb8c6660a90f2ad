import { UnrecoverableError } from 'bullmq';
import { ZodError } from 'zod';
import { DatasetError } from '../data/dataset-error.js';
import { ModelBuildError, NonFiniteLossError } from '../model/index.js';
import { DatasetUnavailableError } from '../store/dataset-store.js';

/**
 * Failures that would happen again on any worker with the same trial: retrying them only
 * wastes compute. Everything else (a killed or crashed trainer, a lost Redis connection,
 * running out of memory on a busy host) is transient and retried with backoff.
 */
export function isDeterministic(err: unknown): boolean {
  return (
    err instanceof NonFiniteLossError ||
    err instanceof ModelBuildError ||
    err instanceof DatasetError ||
    err instanceof DatasetUnavailableError ||
    err instanceof ZodError ||
    err instanceof UnrecoverableError
  );
}

/** Rethrows deterministic failures as BullMQ's UnrecoverableError, which is never retried. */
export function classifyFailure(err: unknown): Error {
  const error = err instanceof Error ? err : new Error(String(err));
  if (!isDeterministic(err) || err instanceof UnrecoverableError) return error;
  return new UnrecoverableError(`${error.name}: ${error.message}`);
}
