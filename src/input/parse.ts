import type { z } from 'zod';
import { InvalidInputError } from './errors.ts';

/** A zod issue path as a reader writes it: `strategy.S1.trades[3].profit_abs`. */
function formatPath(path: ReadonlyArray<PropertyKey>, root: string): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? root : out;
}

export function describeIssues(
  error: z.ZodError,
  root = '(input)',
): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({ path: formatPath(issue.path, root), message: issue.message }));
}

/** Parses `input`, or throws an InvalidInputError naming `what` and every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidInputError(what, describeIssues(result.error));
  return result.data;
}
