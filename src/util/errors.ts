import type { z } from 'zod';

/**
 * An error caused by the user's input (spec, flags, files, environment): the CLI prints its
 * message alone, on one line, and exits non-zero; no stack trace.
 */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** One line per issue, each with the path of the offending value: `parameters.depth[0]: ...`. */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path
        .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
        .join('');
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
