import { Redis, type RedisOptions } from 'ioredis';
import { UserError } from '../util/errors.js';

/** The URL with any password replaced, safe to print or log. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

export interface RedisConnectOptions {
  /**
   * Long-lived connections (workers) retry forever, as BullMQ requires; short CLI commands
   * give up after a few seconds with a clear error instead of hanging.
   */
  persistent?: boolean;
}

export function createRedis(url: string, opts: RedisConnectOptions = {}): Redis {
  // Once connected, both kinds ride out a Redis restart: commands wait and go through after
  // the reconnect. Only the first connection attempt of a CLI command fails fast.
  const base: RedisOptions = opts.persistent
    ? { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 5000) }
    : { maxRetriesPerRequest: 30, connectTimeout: 5000, retryStrategy: (n) => (n > 60 ? null : Math.min(n * 100, 1000)) };
  const redis = new Redis(url, { ...base, lazyConnect: true });
  // Errors surface through the commands that fail; an unhandled 'error' event would crash.
  redis.on('error', () => undefined);
  return redis;
}

/** Connects and pings, turning failures into one actionable line that never shows the password. */
export async function connectRedis(url: string, opts: RedisConnectOptions = {}): Promise<Redis> {
  const redis = createRedis(url, opts);
  let lastError: Error | undefined;
  const remember = (err: Error) => (lastError = err);
  redis.on('error', remember);
  try {
    await redis.connect();
    await redis.ping();
    redis.off('error', remember);
    return redis;
  } catch (err) {
    redis.disconnect();
    const reason = (lastError ?? (err as Error)).message;
    const hint = /NOAUTH|WRONGPASS|invalid password|AUTH/i.test(reason)
      ? 'check the password in the URL'
      : 'is redis-server running? set --redis or REDIS_URL';
    throw new UserError(`cannot connect to Redis at ${redactUrl(url)}: ${reason} (${hint})`);
  }
}
