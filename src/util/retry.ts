import { setTimeout as sleep } from 'node:timers/promises';

/** Errors of a Redis connection that went away (restart, failover) rather than of the command. */
export function isTransientRedisError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  return /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|Connection is closed|connection close|Stream isn't writeable|LOADING|MASTERDOWN|READONLY/.test(
    `${e?.code ?? ''} ${e?.message ?? ''}`,
  );
}

/**
 * Runs an idempotent operation again while Redis is briefly away: ioredis resends single
 * commands after a reconnect, but a MULTI or pipeline in flight at the moment the connection
 * drops is rejected.
 */
export async function retryTransient<T>(fn: () => Promise<T>, opts: { attempts?: number; delayMs?: number } = {}): Promise<T> {
  const attempts = opts.attempts ?? 30;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isTransientRedisError(err)) throw err;
      await sleep(opts.delayMs ?? 500);
    }
  }
}
