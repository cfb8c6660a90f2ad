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
