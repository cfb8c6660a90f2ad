import { Option, type Command } from 'commander';
import { z } from 'zod';
import { PrefixSchema, RedisUrlSchema, readEnv } from '../config/env.js';
import { isClusterUrl } from '../config/redis-cluster-url.js';
import { hasPassword, redisConnectUrl } from '../config/redis-url.js';
import { hashTagOf } from '../definition/ids.js';
import { UserError, parseOrThrow } from '../util/errors.js';

export interface ConnectionFlags {
  redis?: string;
  redisPasswordFile?: string;
  prefix?: string;
}

/** Adds --redis, --redis-password-file and --prefix, whose defaults come from the environment. */
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
        '--redis-password-file <file>',
        "file holding the Redis password (kept out of ps and of the trainers' environment) [env: REDIS_PASSWORD_FILE]",
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

/** The URL to connect with (password included, never to be printed unredacted) and the key prefix. */
export function resolveConnection(flags: ConnectionFlags): { redisUrl: string; prefix: string } {
  const env = readEnv();
  const url = flags.redis === undefined ? env.REDIS_URL : parseOrThrow(RedisUrlSchema, flags.redis, '--redis');
  if (flags.redis !== undefined && hasPassword(flags.redis)) {
    console.error(
      'lstm-sweep: warning: a password in --redis is visible to every user of this host (ps, /proc); use REDIS_URL or --redis-password-file',
    );
  }
  const passwordFile = flags.redisPasswordFile ?? env.REDIS_PASSWORD_FILE;
  const redisUrl = redisConnectUrl({
    url,
    urlSource: flags.redis === undefined ? 'REDIS_URL' : '--redis',
    passwordFile,
    passwordFileSource: flags.redisPasswordFile === undefined ? 'REDIS_PASSWORD_FILE' : '--redis-password-file',
  });
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
