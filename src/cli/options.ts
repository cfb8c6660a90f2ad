import { Option, type Command } from 'commander';
import { z } from 'zod';
import { PrefixSchema, RedisUrlSchema, readEnv } from '../config/env.js';
import { isClusterUrl } from '../config/redis-cluster-url.js';
import { hashTagOf } from '../definition/ids.js';
import { UserError, parseOrThrow } from '../util/errors.js';

export interface ConnectionFlags {
  redis?: string;
  prefix?: string;
}

/** Adds --redis and --prefix, whose defaults come from REDIS_URL and LSW_PREFIX. */
export function withConnection(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--redis <url>',
        'Redis URL: redis://, rediss:// (TLS), or redis+cluster://host:port,host:port,... for a Redis Cluster [env: REDIS_URL, default redis://127.0.0.1:6379]',
      ),
    )
    .addOption(
      new Option(
        '--prefix <prefix>',
        'key prefix of every key lstm-sweep writes; on a Redis Cluster it needs a hash tag [env: LSW_PREFIX, default lsw, {lsw} on a cluster]',
      ),
    );
}

/** The prefix on a Redis Cluster when none is given: a hash tag, so every key shares one slot. */
export const DEFAULT_CLUSTER_PREFIX = '{lsw}';

export function resolveConnection(flags: ConnectionFlags): { redisUrl: string; prefix: string } {
  const env = readEnv();
  const redisUrl = flags.redis === undefined ? env.REDIS_URL : parseOrThrow(RedisUrlSchema, flags.redis, '--redis');
  const cluster = isClusterUrl(redisUrl);
  const prefixGiven = flags.prefix !== undefined || Boolean(process.env.LSW_PREFIX);
  const prefix = flags.prefix === undefined ? env.LSW_PREFIX : parseOrThrow(PrefixSchema, flags.prefix, '--prefix');
  if (!cluster || !prefixGiven) return { redisUrl, prefix: cluster ? DEFAULT_CLUSTER_PREFIX : prefix };
  if (hashTagOf(prefix) === undefined) {
    const source = flags.prefix === undefined ? 'LSW_PREFIX' : '--prefix';
    throw new UserError(
      `${source} ${JSON.stringify(prefix)} has no hash tag: a Redis Cluster needs one, e.g. '{${prefix.replace(/[{}]/g, '') || 'lsw'}}', so that the queue's and each sweep's keys share one slot`,
    );
  }
  return { redisUrl, prefix };
}

/** Validates a command's flags (commander hands over strings) with a zod schema. */
export function parseFlags<S extends z.ZodType>(schema: S, flags: unknown): z.infer<S> {
  return parseOrThrow(schema, flags, 'invalid option');
}

export const intFlag = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
