import { Redis, type RedisOptions } from 'ioredis';
import { redactUrl, redisDb } from '../config/redis-url.js';
import { UserError } from '../util/errors.js';

export { redactUrl };

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
    await checkDatabase(redis, url);
    redis.off('error', remember);
    return redis;
  } catch (err) {
    if (err instanceof UserError) {
      redis.disconnect();
      throw err;
    }
    redis.disconnect();
    const reason = (lastError ?? (err as Error)).message;
    const hint = /NOAUTH|WRONGPASS|invalid password|AUTH/i.test(reason)
      ? 'check the password in the URL'
      : 'is redis-server running? set --redis or REDIS_URL';
    throw new UserError(`cannot connect to Redis at ${redactUrl(url)}: ${reason} (${hint})`);
  }
}

/**
 * ioredis sends the URL's `/db` as SELECT when it connects, and a refused SELECT (an index
 * beyond the server's `databases`) only shows as an error event: the connection then quietly
 * uses db 0. Checked here: against `CONFIG GET databases` where the server lets us read it,
 * else by SELECT itself, whose error is reported.
 */
async function checkDatabase(redis: Redis, url: string): Promise<void> {
  const db = redisDb(url);
  if (db === 0) return;
  const where = `${redactUrl(url)} selects db ${db}`;
  let databases: number | undefined;
  try {
    const [, value] = (await redis.config('GET', 'databases')) as string[];
    databases = value === undefined ? undefined : Number(value);
  } catch {
    // CONFIG is often refused (ACLs, managed Redis): SELECT below tells.
  }
  if (databases !== undefined && Number.isFinite(databases) && db >= databases) {
    throw new UserError(`${where}, but this Redis has ${databases} databases (0-${databases - 1}); use /0 to /${databases - 1}`);
  }
  try {
    await redis.select(db);
  } catch (err) {
    throw new UserError(`${where}, which the server refuses: ${(err as Error).message}`);
  }
}
