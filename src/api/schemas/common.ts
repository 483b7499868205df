/**
 * Wire schemas shared by every resource (zod, turned into OpenAPI by fastify-type-provider-zod):
 * decimals as strings (a JSON number is refused: floats are how money gets lost), ISO-8601 times,
 * ids, pages and the one error shape.
 */
import { z } from 'zod';

const DECIMAL = /^-?(\d+)(\.\d+)?$/;

/** An exact decimal as a string: `"42000.5"`. */
export const decimal = z
  .string({
    error: (i) =>
      i.input === undefined
        ? 'required'
        : 'expected a decimal string such as "42000.5" (JSON numbers are refused)',
  })
  .trim()
  .regex(DECIMAL, 'expected a decimal string such as "42000.5"')
  .meta({ example: '42000.5' });

export const decimalOut = z.string().meta({ description: 'exact decimal', example: '42000.5' });
export const time = z.iso.datetime({ offset: true }).meta({ example: '2026-01-01T00:00:00.000Z' });
export const timeOut = z.string().meta({ description: 'ISO-8601 UTC', example: '2026-01-01T00:00:00.000Z' });
export const idOut = z.number().int();
export const confidence = z.number().min(0).max(1);
export const jsonObject = z.record(z.string(), z.unknown());

/** `:id` in a path. */
export const idParams = z.object({ id: z.coerce.number().int().positive() });

const booleanQuery = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .optional();

/** Keyset paging and test scope, on every list. */
export const pageQuery = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .meta({ description: 'rows per page (max 1000)' }),
  cursor: z.string().max(200).optional().meta({ description: 'next_cursor of the previous page' }),
  include_test: booleanQuery.meta({ description: 'include test-mode rows' }),
  test_mode: booleanQuery.meta({ description: 'only test-mode rows' }),
};
export const syncQuery = {
  changed_since: time
    .optional()
    .meta({ description: 'only rows created or updated at or after this instant' }),
};
export const portfolioFilter = { portfolio_id: z.coerce.number().int().positive().optional() };

export function page<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() });
}

export const errorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'invalid_input' }),
      message: z.string(),
      details: z
        .union([
          z.array(z.object({ path: z.string(), message: z.string() })),
          z.record(z.string(), z.unknown()),
          z.null(),
        ])
        .meta({ description: 'for invalid_input: each field path and why' }),
    }),
  })
  .meta({ id: 'Error' });

/** Every error a route may answer with, for the document. */
export const errors = {
  400: errorBody,
  401: errorBody,
  403: errorBody,
  404: errorBody,
  409: errorBody,
  413: errorBody,
  422: errorBody,
  429: errorBody,
  500: errorBody,
};

/** What each error status means, for the document's description. */
export const ERROR_STATUSES =
  'Errors are `{error: {code, message, details}}`: 400 invalid_input (details: field paths), 401 unauthenticated, 403 forbidden (role or key scope), 404 not_found (also: not yours), 409 illegal_transition or conflict, 413 payload_too_large, 422 trading_rule (portfolio limit, risk gate), 429 rate_limited, 500 internal_error (no internals shown).';

export function encodeCursor(beforeId: number | null): string | null {
  return beforeId === null ? null : Buffer.from(`id:${beforeId}`).toString('base64url');
}

/** The id a cursor continues before; undefined for none; throws on a cursor we never issued. */
export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const m = /^id:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new CursorError();
  return Number(m[1]);
}

export class CursorError extends Error {
  override name = 'CursorError';
  constructor() {
    super('cursor is not one this API issued');
  }
}
