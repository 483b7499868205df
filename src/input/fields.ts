import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { Exact } from '../trading/exact.ts';

const rawDecimal = z.union([
  z.custom<Decimal>((v) => Decimal.isDecimal(v), 'expected a Decimal'),
  z.string().trim(),
  z.bigint(),
  z.number(),
]);

/**
 * An exact decimal with at most `scale` fractional digits (18 for prices and quantities, 36 for
 * money), parsed into the core's high-precision `Exact` so the services' arithmetic never rounds.
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
/** Money amounts (balances, fees, P&L, limits): up to 36 fractional digits. */
export const moneyValue = exactDecimal(36);
export const nonNegativeMoney = moneyValue.refine((d) => d.gte(0), 'must be >= 0');

/**
 * An instant: a Date, an ISO-8601 timestamp with its offset, a calendar date (UTC midnight) or
 * epoch milliseconds. A timestamp without an offset is refused: it would be read in the server's
 * local time zone.
 */
export const when = z
  .union([z.date(), z.iso.datetime({ offset: true }), z.iso.date(), z.number().int()])
  .transform((v, ctx) => {
    const d = v instanceof Date ? new Date(v.getTime()) : new Date(v);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'expected a valid date' });
      return z.NEVER;
    }
    return d;
  });

/**
 * Text a user names something with: trimmed, not empty or blank, at most `max` characters (the
 * column's varchar length, from the entity: see `maxLength` in src/entities/common.ts).
 */
export function requiredText(max: number) {
  return z.string().trim().min(1, 'must not be empty or blank').max(max, `must be at most ${max} characters`);
}

/** Optional text of at most `max` characters, trimmed; blank counts as absent (null). */
export function optionalText(max: number) {
  return z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .transform((s) => (s === '' ? null : s))
    .nullish();
}

export const id = z.number().int().positive();
/** A confidence or probability in [0, 1]. */
export const confidence = z.number().min(0).max(1);
export const botVersion = z.string().trim().min(1).max(64);
export const jsonObject = z.record(z.string(), z.unknown());
export const limitInput = (max: number, fallback: number) =>
  z.number().int().min(1).max(max).default(fallback);
export const limit = limitInput(10_000, 100);
export const offset = z.number().int().min(0).default(0);

/** Test isolation for queries: production only unless includeTest (both) or testMode (test only). */
export const testScope = {
  includeTest: z.boolean().optional(),
  testMode: z.boolean().optional(),
};

/**
 * A listing's filter: the given fields (each optional: an absent one does not filter), a page
 * (`limit`, `offset`) and the test scope. `window` adds `from` (inclusive) and `to` (exclusive)
 * instants on the listing's time column.
 */
export function listQuery<S extends z.ZodRawShape>(fields: S, options: { window?: boolean } = {}) {
  const window = options.window === false ? {} : { from: when.optional(), to: when.optional() };
  return z.object({ ...fields, ...window, limit, offset, ...testScope }).strict();
}

/** An optional id filter for each name: `{ portfolioId: id.optional(), … }`. */
export function idFilters<const K extends string>(...names: K[]): Record<K, z.ZodOptional<typeof id>> {
  return Object.fromEntries(names.map((n) => [n, id.optional()])) as Record<K, z.ZodOptional<typeof id>>;
}

/**
 * An IANA time zone name (`Europe/Paris`, `UTC`), stored in its canonical spelling: what this
 * runtime's Intl resolves it to (`utc` → `UTC`, `US/Eastern` → `America/New_York`). Offsets such as
 * `+05:00`, which Intl also accepts, are not zones (no daylight-saving rules) and are refused.
 */
export const timeZone = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .transform((zone, ctx) => {
    const canonical = canonicalZone(zone);
    if (canonical === null) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown time zone "${zone}" (expected an IANA name such as Europe/Paris or UTC)`,
      });
      return z.NEVER;
    }
    return canonical;
  });

let knownZones: ReadonlySet<string> | undefined;

/** The canonical IANA name of `zone`, or null when it is not one. */
export function canonicalZone(zone: string): string | null {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  knownZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  return resolved === 'UTC' || knownZones.has(resolved) ? resolved : null;
}

/** A user by id or email (approvals, rejections, owners). */
export const userRef = z.union([id, z.string().trim().toLowerCase().email()]);

/** Which rows a query returns: production only (default), test only, or both. */
export interface TestScope {
  /** Include test-mode rows as well as production ones. */
  includeTest?: boolean;
  /** Only test-mode rows. */
  testMode?: boolean;
}

/** Rows of one filter counted both ways, whatever scope the rows were asked for. */
export interface ScopeCounts {
  production: number;
  test: number;
}
