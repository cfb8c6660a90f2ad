import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RedisClient } from './redis.js';

/**
 * The store's Lua scripts, kept as files in `commands/` (as BullMQ keeps its `commands/*.lua`)
 * and read once; `npm run build` copies them next to the compiled store.
 */
export type ScriptName =
  | 'release-lock'
  | 'extend-lock'
  | 'add-to-rung'
  | 'start-trial'
  | 'save-result'
  | 'create-sweep'
  | 'remove-queued-jobs'
  | 'job-states'
  | 'start-baseline'
  | 'save-baseline';

const cache = new Map<ScriptName, { text: string; sha: string }>();

function script(name: ScriptName): { text: string; sha: string } {
  let s = cache.get(name);
  if (s === undefined) {
    const text = readFileSync(new URL(`./commands/${name}.lua`, import.meta.url), 'utf8');
    s = { text, sha: createHash('sha1').update(text).digest('hex') };
    cache.set(name, s);
  }
  return s;
}

/**
 * Runs a script by its sha (EVALSHA), sending its text only when this Redis has not seen it yet
 * (NOSCRIPT: a new or restarted server). Two scripts run per trial, so this keeps their bodies
 * off the wire on the hot path.
 */
export async function runScript(
  redis: RedisClient,
  name: ScriptName,
  numKeys: number,
  ...args: (string | number | (string | number)[])[]
): Promise<unknown> {
  const { text, sha } = script(name);
  // An array argument is flattened by ioredis (Array.prototype.flat), not spread into a call: a
  // 100,000-trial sweep passes 200,000 arguments, more than a JavaScript call takes.
  const flat = args as (string | number)[];
  try {
    return await redis.evalsha(sha, numKeys, ...flat);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return redis.eval(text, numKeys, ...flat);
  }
}
