/**
 * Flag values checked by the services' own zod schemas before a command opens the database, so a
 * bad flag is a usage error (exit 2) naming the flag, never a refusal (exit 1) after the work began.
 */
import type { z } from 'zod';
import { UsageError } from './context.ts';

/** `value` parsed by `schema`, or a UsageError: `--window "3x" is invalid: …`. */
export function checkFlag<S extends z.ZodType>(schema: S, value: unknown, flag: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new UsageError(
      `${flag} ${JSON.stringify(value)} is invalid: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
    );
  }
  return parsed.data;
}

/**
 * A whole number typed on the command line, then checked by `schema` (an id, a limit). Only plain
 * digits count: `Number()` would also take "1e3", "0x10" and " 5 ".
 */
export function intFlag<S extends z.ZodType>(schema: S, value: string, flag: string): z.output<S> {
  if (!/^-?\d+$/.test(value)) throw new UsageError(`${flag} "${value}" is invalid: accepted: a whole number`);
  return checkFlag(schema, Number(value), flag);
}
