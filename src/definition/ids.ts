import { z } from 'zod';

/**
 * The identifiers lstm-sweep makes, and the only forms it accepts back: from a job payload, a
 * CLI argument, an HTTP path or a stored record. Each one reaches Redis keys, and sweep and trial
 * ids also reach file paths (`--artifacts <dir>/<sweepId>/<trialId>/`), so nothing else may pass:
 * no `/`, no `..` component, no markup.
 */

/** A sweep name: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export const SWEEP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;
/** `<name>-<10 hex digits>`, as `sweepIdOf` makes it. */
export const SWEEP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}-[0-9a-f]{10}$/;
/** 16 hex digits: the start of the sha256 of the trial's config. */
export const TRIAL_ID = /^[0-9a-f]{16}$/;
/** The sha256 of a dataset's encoding. */
export const DATASET_HASH = /^[0-9a-f]{64}$/;
/** A key prefix: letters, digits, `_`, `.`, `-`, and `{}` for a Redis Cluster hash tag. */
export const KEY_PREFIX = /^[A-Za-z0-9_{}.-]{1,64}$/;

export const SweepIdSchema = z.string().regex(SWEEP_ID, { message: 'a sweep id is <name>-<10 hex digits>, as enqueue prints it' });
export const TrialIdSchema = z.string().regex(TRIAL_ID, { message: 'a trial id is 16 hex digits' });
export const DatasetHashSchema = z.string().regex(DATASET_HASH, { message: 'a dataset hash is 64 hex digits' });

export const isSweepId = (s: string): boolean => SWEEP_ID.test(s);

/**
 * The hash tag a key starting with `prefix` has under the Redis Cluster rule (only the text between
 * the first `{` and the next `}` is hashed, when it is not empty), or undefined when the prefix has
 * none. With a tag, every key lstm-sweep and BullMQ make under the prefix maps to one slot: no key
 * part after the prefix (sweep ids, trial ids, hashes, BullMQ's names) contains `{` or `}`.
 */
export function hashTagOf(prefix: string): string | undefined {
  const open = prefix.indexOf('{');
  if (open === -1) return undefined;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix.slice(open + 1, close) : undefined;
}
