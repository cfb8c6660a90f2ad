import { Option, type Command } from 'commander';
import { z } from 'zod';
import { PrefixSchema, RedisUrlSchema, readEnv } from '../config/env.js';
import { hasPassword, redisConnectUrl } from '../config/redis-url.js';
import { parseOrThrow } from '../util/errors.js';

export interface ConnectionFlags {
  redis?: string;
  redisPasswordFile?: string;
  prefix?: string;
}

/** Adds --redis, --redis-password-file and --prefix, whose defaults come from the environment. */
export function withConnection(cmd: Command): Command {
  return cmd
    .addOption(new Option('--redis <url>', 'Redis URL (redis:// or rediss://) [env: REDIS_URL, default redis://127.0.0.1:6379]'))
    .addOption(
      new Option(
        '--redis-password-file <file>',
        "file holding the Redis password (kept out of ps and of the trainers' environment) [env: REDIS_PASSWORD_FILE]",
      ),
    )
    .addOption(new Option('--prefix <prefix>', 'key prefix of every key lstm-sweep writes [env: LSW_PREFIX, default lsw]'));
}

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
  return {
    redisUrl: redisConnectUrl({
      url,
      urlSource: flags.redis === undefined ? 'REDIS_URL' : '--redis',
      passwordFile,
      passwordFileSource: flags.redisPasswordFile === undefined ? 'REDIS_PASSWORD_FILE' : '--redis-password-file',
    }),
    prefix: flags.prefix === undefined ? env.LSW_PREFIX : parseOrThrow(PrefixSchema, flags.prefix, '--prefix'),
  };
}

/** Validates a command's flags (commander hands over strings) with a zod schema. */
export function parseFlags<S extends z.ZodType>(schema: S, flags: unknown): z.infer<S> {
  return parseOrThrow(schema, flags, 'invalid option');
}

export const intFlag = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
