import type { z } from 'zod';

/**
 * Every error lstm-sweep throws on purpose carries its kind, and every decision about it reads
 * the kind, never a list of classes:
 * - `user`: the user's input (spec, flags, files, environment, an HTTP request) is wrong: the CLI
 *   prints the message alone and exits non-zero; a worker never retries it;
 * - `deterministic`: the same trial fails the same way on any worker (a diverged loss, a model
 *   that cannot be built, a dataset gone from Redis): failed at once, never retried;
 * - `transient`: the host or the connection failed: retried with backoff, elsewhere if need be.
 * Errors from elsewhere (tfjs, ioredis, Node) count as transient unless `errorKind` knows better.
 */
export type ErrorKind = 'user' | 'deterministic' | 'transient';

export class LswError extends Error {
  override name = 'LswError';
  constructor(
    message: string,
    readonly kind: ErrorKind,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A failure of the host, not of the trial: out of memory, or a wasm instance that trapped (its
 * memory or table is no longer what the code expects). Another process or host may well succeed.
 */
export function isHostFailure(err: unknown): boolean {
  if (typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError) return true;
  const message = err instanceof Error ? err.message : String(err);
  return /out of memory|allocation failed|could not allocate|memory access out of bounds|table index is out of bounds/i.test(message);
}

/**
 * The kind of any thrown value: its own for an LswError, `transient` for anything unknown. An
 * error caused by a host failure is transient whatever wrapped it (a model build that ran out of
 * memory is no property of the model).
 */
export function errorKind(err: unknown): ErrorKind {
  if (!(err instanceof LswError)) return 'transient';
  if (err.kind === 'deterministic' && (isHostFailure(err) || isHostFailure(err.cause))) return 'transient';
  return err.kind;
}

/**
 * An error caused by the user's input (spec, flags, files, environment): the CLI prints its
 * message alone, on one line, and exits non-zero; no stack trace.
 */
export class UserError extends LswError {
  override name = 'UserError';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message, 'user');
  }
}

/**
 * A problem with a dataset file. The message names the file and, where known, the 1-based
 * line: `GunPoint/train.csv line 7: value "abc" in column t3 is not a finite number`.
 */
export class DatasetError extends UserError {
  override name = 'DatasetError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(line === undefined ? `${file}: ${detail}` : `${file} line ${line}: ${detail}`);
  }
}

/**
 * A record in Redis that does not parse or validate (hand-edited, truncated, written by another
 * version): the same for every reader, so not retried. Views that list many records skip it and
 * name it (`key`, and `field` for a hash entry) instead of failing whole.
 */
export class CorruptRecordError extends LswError {
  override readonly name = 'CorruptRecordError';
  constructor(
    readonly key: string,
    readonly field: string | undefined,
    readonly reason: string,
  ) {
    super(`corrupt record in Redis at ${key}${field === undefined ? '' : ` field ${field}`}: ${reason}`, 'deterministic');
  }
}

/** An HTTP input that did not validate (400) or names nothing (404): answered with the message. */
export class HttpError extends LswError {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message, 'user');
  }
}

/**
 * A loss became NaN/Infinity: the trial diverged; retrying with the same config will not
 * help. Checked per training batch and per epoch on the validation loss (tfjs' BCE clips
 * NaN probabilities, so NaN weights often show up only in the validation loss).
 */
export class NonFiniteLossError extends LswError {
  override readonly name = 'NonFiniteLossError';
  constructor(
    readonly epoch: number,
    readonly loss: number,
    readonly where: string,
  ) {
    super(`non-finite ${where} loss (${loss}) in epoch ${epoch}: the trial diverged`, 'deterministic');
  }
}

/** The variant cannot be built for this data (the same on every worker: not retried). */
export class ModelBuildError extends LswError {
  override readonly name = 'ModelBuildError';
  constructor(config: { depth: number; width: number; head: string }, cause: unknown) {
    super(
      `cannot build depth ${config.depth} width ${config.width} head ${config.head}: ${(cause as Error)?.message ?? String(cause)}`,
      'deterministic',
      { cause },
    );
  }
}

/**
 * Redis reached its `maxmemory` and refuses writes (policy `noeviction`, which BullMQ requires).
 * Transient: nothing about the command is wrong, and it goes through once memory is freed or the
 * limit raised. Reads keep working meanwhile. `detail` says what Redis reports
 * (`maxmemory 12.00M, used 12.31M, policy noeviction`).
 */
export class RedisOutOfMemoryError extends LswError {
  override readonly name = 'RedisOutOfMemoryError';
  constructor(detail: string, cause?: unknown) {
    super(
      `Redis is out of memory (${detail}): it refuses writes until memory is freed; raise maxmemory, ` +
        'free memory (cancel or delete old sweeps), then run the command again (enqueue --resume <sweepId> completes a cut-off enqueue)',
      'transient',
      { cause },
    );
  }
}

/** The dataset a job names is gone or corrupt: every worker would fail the same way. */
export class DatasetUnavailableError extends LswError {
  override readonly name = 'DatasetUnavailableError';
  constructor(message: string) {
    super(message, 'deterministic');
  }
}

type Issue = z.core.$ZodIssue;

/**
 * For a value matching no branch of a union, report the branch that got furthest (deepest
 * path) instead of zod's bare "Invalid input": that is the one the user meant.
 */
function explain(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const depth = (issues: Issue[]) => Math.max(...issues.map((i) => i.path.length));
  const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
  return best.flatMap((inner) => explain({ ...inner, path: [...issue.path, ...inner.path] } as Issue));
}

/** One line per issue, each with the path of the offending value: `parameters.depth[0]: ...`. */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .flatMap(explain)
    .map((issue) => {
      const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Parses with a zod schema, turning a failure into a UserError that names the source. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, source: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new UserError(`${source}: ${formatZodIssues(result.error)}`);
  return result.data;
}
