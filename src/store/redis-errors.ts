import type { RedisClient } from './redis.js';
import { RedisOutOfMemoryError } from '../util/errors.js';

/**
 * Redis refused a write for lack of memory: `OOM command not allowed when used memory >
 * 'maxmemory'` from a command or a Lua script (BullMQ's, `@user_script:...`), or `EXECABORT` of a
 * MULTI whose queued commands were refused that way (ioredis lists them in `previousErrors`).
 */
export function isRedisOutOfMemory(err: unknown): boolean {
  if (err instanceof RedisOutOfMemoryError) return true;
  const e = err as { message?: unknown; previousErrors?: unknown } | undefined;
  const message = typeof e?.message === 'string' ? e.message : '';
  if (/\bOOM command not allowed\b/.test(message)) return true;
  return message.startsWith('EXECABORT') && Array.isArray(e?.previousErrors) && e.previousErrors.some(isRedisOutOfMemory);
}

/** `maxmemory 12.00M, used 12.31M, policy noeviction`, from INFO (a read Redis answers even when full). */
async function memoryDetail(redis: RedisClient): Promise<string> {
  try {
    const info = await redis.info('memory');
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
    return `maxmemory ${field('maxmemory_human') ?? '?'}, used ${field('used_memory_human') ?? '?'}, policy ${field('maxmemory_policy') ?? '?'}`;
  } catch {
    return 'maxmemory reached';
  }
}

/** The error to throw for a failed Redis call: a RedisOutOfMemoryError for a refused write, else the error itself. */
export async function storeError(err: unknown, redis: RedisClient): Promise<unknown> {
  if (!isRedisOutOfMemory(err) || err instanceof RedisOutOfMemoryError) return err;
  return new RedisOutOfMemoryError(await memoryDetail(redis), err);
}

type Exec = { exec: (...args: unknown[]) => Promise<unknown> };

/**
 * The client a store uses: the same ioredis client, whose failed commands, scripts and
 * MULTI/pipeline `exec`s reject with `storeError` (so every caller of the store sees "Redis is
 * out of memory (maxmemory ...)" instead of a raw `OOM ... @user_script:589` or `EXECABORT`).
 */
export function guardRedis<T extends RedisClient>(redis: T): T {
  const guard = <T>(promise: Promise<T>): Promise<T> =>
    promise.catch(async (err: unknown) => {
      throw await storeError(err, redis);
    });
  return new Proxy(redis, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (prop === 'multi' || prop === 'pipeline') {
        return (...args: unknown[]) => {
          const batch = fn.apply(target, args) as Exec;
          const exec = batch.exec.bind(batch);
          batch.exec = (...a: unknown[]) => guard(exec(...a));
          return batch;
        };
      }
      return (...args: unknown[]) => {
        const out = fn.apply(target, args);
        return out instanceof Promise ? guard(out) : out;
      };
    },
  });
}
