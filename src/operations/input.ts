/**
 * Input validation shared by the operations, news, predictions, research and backtest services:
 * every public function parses its input with zod through `parseInput`, whose error names the
 * operation and each offending field (`recordErrorLog: level: Invalid option ...`).
 */
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { exact } from '../trading/exact.ts';

export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
  readonly issues: ReadonlyArray<{ path: string; message: string }>;

  constructor(what: string, issues: ReadonlyArray<{ path: string; message: string }>) {
    super(`${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

/** A zod issue path as a reader writes it: `strategy.S1.trades[3].profit_abs`. */
export function formatPath(path: ReadonlyArray<PropertyKey>, root = '(input)'): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? root : out;
}

export function describeIssues(error: z.ZodError, root?: string): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({ path: formatPath(issue.path, root), message: issue.message }));
}

/** Parses `input`, or throws an InvalidInputError naming `what` and every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidInputError(what, describeIssues(result.error));
  return result.data;
}

/** Thrown when a row named by id (or key) does not exist. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

const DECIMAL_TEXT = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/**
 * An exact decimal: a decimal.js `Decimal` or a decimal string. Plain numbers are refused (a float
 * may already have lost digits). The output is an exact (unrounded, plain-printing) Decimal.
 */
export const decimalInput = z
  .union([
    z.instanceof(Decimal),
    z.string().trim().regex(DECIMAL_TEXT, 'expected a decimal string such as "12.5" (numbers are refused)'),
  ])
  .transform((v, ctx) => {
    const d = exact(v);
    if (!d.isFinite()) {
      ctx.addIssue({ code: 'custom', message: 'expected a finite decimal' });
      return z.NEVER;
    }
    return d;
  });

/** A point in time: a Date, an ISO-8601 string with offset, or epoch milliseconds. */
export const dateInput = z
  .union([z.date(), z.iso.datetime({ offset: true }), z.iso.date(), z.number().int()])
  .transform((v, ctx) => {
    const d = v instanceof Date ? new Date(v.getTime()) : new Date(v);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'expected a valid date' });
      return z.NEVER;
    }
    return d;
  });

export const idInput = z.number().int().positive();

/** A confidence or probability in [0, 1]. */
export const unitInterval = z.number().min(0).max(1);

export const botVersionInput = z.string().trim().min(1).max(64);

/** Test isolation: reads return production rows (test_mode = false) unless `includeTest` is true. */
export const isolationInput = z.object({ includeTest: z.boolean().default(false) });

export interface Isolation {
  /** Also return rows written in test mode; default false (production data only). */
  includeTest?: boolean;
}

/** Rows of a table with test_mode, counted both ways. */
export interface IsolatedCount {
  production: number;
  test: number;
}

export const limitInput = (max: number, fallback: number) =>
  z.number().int().min(1).max(max).default(fallback);
