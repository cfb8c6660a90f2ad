import type { Request } from 'express';
import { z } from 'zod';
import { HttpError, formatZodIssues } from '../util/errors.js';

export { HttpError };

export { SweepIdSchema, TrialIdSchema } from '../definition/ids.js';

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
