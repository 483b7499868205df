/**
 * zod building blocks shared by the trading services' input schemas. Exact values arrive as a
 * Decimal, a decimal string, a bigint or a safe integer; a fractional JS number is refused (it has
 * already lost exactness), as src/entities/types/decimal.ts does.
 */
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { Exact } from '../trading/exact.ts';
import { TradingError } from './sql.ts';

/** Input that failed validation; the message lists every problem. */
export class ValidationError extends TradingError {
  override name = 'ValidationError';
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(`invalid ${what}: ${z.prettifyError(result.error)}`);
  return result.data;
}

const rawDecimal = z.union([
  z.custom<Decimal>((v) => Decimal.isDecimal(v), 'expected a Decimal'),
  z.string(),
  z.bigint(),
  z.number(),
]);

/**
 * An exact decimal with at most `scale` fractional digits (18 for prices and quantities), parsed into
 * the core's high-precision `Exact` so the services' arithmetic never rounds.
 */
export function exactDecimal(scale = 18) {
  return rawDecimal.transform((value, ctx) => {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `refusing float ${value}: pass a decimal string or a Decimal`,
      });
      return z.NEVER;
    }
    let d: Decimal;
    try {
      d = new Exact(typeof value === 'bigint' ? value.toString() : (value as Decimal.Value));
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${String(value)}" is not a decimal number` });
      return z.NEVER;
    }
    if (!d.isFinite()) {
      ctx.addIssue({ code: 'custom', message: 'must be a finite decimal' });
      return z.NEVER;
    }
    if (d.decimalPlaces() > scale) {
      ctx.addIssue({ code: 'custom', message: `${d.toFixed()} has more than ${scale} fractional digits` });
      return z.NEVER;
    }
    return d;
  });
}

export const decimalValue = exactDecimal(18);
export const positiveDecimal = decimalValue.refine((d) => d.gt(0), 'must be > 0');
export const nonNegativeDecimal = decimalValue.refine((d) => d.gte(0), 'must be >= 0');
/** Money amounts (balances, fees, limits): up to 36 fractional digits. */
export const moneyValue = exactDecimal(36);
export const nonNegativeMoney = moneyValue.refine((d) => d.gte(0), 'must be >= 0');

export const id = z.number().int().positive();
export const confidence = z.number().min(0).max(1);
export const when = z.coerce.date().refine((d) => Number.isFinite(d.getTime()), 'invalid date');
export const botVersion = z.string().min(1).max(64);
export const jsonObject = z.record(z.string(), z.unknown());
export const limit = z.number().int().min(1).max(10_000).default(100);
export const offset = z.number().int().min(0).default(0);

/** Test isolation for queries: production only unless includeTest (both) or testMode (test only). */
export const testScope = {
  includeTest: z.boolean().optional(),
  testMode: z.boolean().optional(),
};

/** A user by id or email (approvals, rejections). */
export const userRef = z.union([id, z.string().trim().toLowerCase().email()]);
