import type { Request } from 'express';
import { z } from 'zod';
import { HttpError, formatZodIssues } from '../util/errors.js';

export { HttpError };

/** A sweep id as `enqueue` makes them (`<name>-<hash>`); anything else cannot name a sweep. */
export const SweepIdSchema = z
  .string()
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'a sweep id has letters, digits, ".", "_" and "-" only' });

export const TrialIdSchema = z.string().regex(/^[0-9a-f]{16}$/, { message: 'a trial id is 16 hex digits' });

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, `invalid ${what}: ${formatZodIssues(result.error)}`);
  return result.data;
}

/** Route params, validated. */
export function params<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  return parseInput(schema, { ...req.params }, 'path');
}

/** Query string, validated; `token` (the login parameter the auth layer consumed) is ignored. */
export function query<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const { token: _token, ...rest } = (req.query ?? {}) as Record<string, unknown>;
  return parseInput(schema, rest, 'query');
}
