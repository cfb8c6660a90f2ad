import { Option, type Command } from 'commander';
import { z } from 'zod';
import { PrefixSchema, RedisUrlSchema, readEnv } from '../config/env.js';
import { parseOrThrow } from '../util/errors.js';

export interface ConnectionFlags {
  redis?: string;
  prefix?: string;
}

/** Adds --redis and --prefix, whose defaults come from REDIS_URL and LSW_PREFIX. */
export function withConnection(cmd: Command): Command {
  return cmd
    .addOption(new Option('--redis <url>', 'Redis URL (redis:// or rediss://) [env: REDIS_URL, default redis://127.0.0.1:6379]'))
    .addOption(new Option('--prefix <prefix>', 'key prefix of every key lstm-sweep writes [env: LSW_PREFIX, default lsw]'));
}

export function resolveConnection(flags: ConnectionFlags): { redisUrl: string; prefix: string } {
  const env = readEnv();
  return {
    redisUrl: flags.redis === undefined ? env.REDIS_URL : parseOrThrow(RedisUrlSchema, flags.redis, '--redis'),
    prefix: flags.prefix === undefined ? env.LSW_PREFIX : parseOrThrow(PrefixSchema, flags.prefix, '--prefix'),
  };
}

/** Validates a command's flags (commander hands over strings) with a zod schema. */
export function parseFlags<S extends z.ZodType>(schema: S, flags: unknown): z.infer<S> {
  return parseOrThrow(schema, flags, 'invalid option');
}

export const intFlag = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
