/** Instruments: found by (venue, symbol), created on first use by importers and services. */
import type { CompiledQuery } from 'kysely';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { booleanValue, timestampValue } from '../db/column-values.ts';
import type { Tx } from '../db/transaction.ts';
import { maxLength } from '../entities/common.ts';
import { ASSET_KINDS, type AssetKind, AssetSchema } from '../entities/market-data-tables.ts';
import { MalformedInputError } from '../input/errors.ts';
import { requiredText } from '../input/fields.ts';
import { parseInput } from '../input/parse.ts';
import { sessionQuery, type WriteSession } from './write-session.ts';

export interface AssetRef {
  symbol: string;
  venue: string;
  kind?: AssetKind;
}

const BASE_LENGTH = maxLength(AssetSchema, 'base');

/**
 * What names an asset, the same on both databases: symbol and venue trimmed, neither empty nor
 * longer than its column (a 10 kB venue is refused here by name, never by PostgreSQL's varchar).
 */
export const assetRefInput = z
  .object({
    symbol: requiredText(maxLength(AssetSchema, 'symbol')),
    venue: requiredText(maxLength(AssetSchema, 'venue')),
    kind: z.enum(ASSET_KINDS).optional(),
  })
  .strict()
  .superRefine((ref, ctx) => {
    const { base, quote } = splitPair(ref.symbol);
    if ((base?.length ?? 0) > BASE_LENGTH || (quote?.length ?? 0) > BASE_LENGTH) {
      ctx.addIssue({
        code: 'custom',
        path: ['symbol'],
        message: `each side of a pair is at most ${BASE_LENGTH} characters`,
      });
    }
  });

/** A reference to a stored asset: the venue may be left out when the symbol is on one venue only. */
const assetLookupInput = z
  .object({
    symbol: requiredText(maxLength(AssetSchema, 'symbol')),
    venue: requiredText(maxLength(AssetSchema, 'venue')).optional(),
  })
  .strict();

export type ParsedAssetRef = z.output<typeof assetRefInput>;

/** Validates and trims an asset reference; throws InvalidInputError naming `symbol`, `venue` or `kind`. */
export function parseAssetRef(ref: AssetRef): ParsedAssetRef {
  return parseInput(assetRefInput, ref, 'asset');
}

/** `BTC/USDT` → crypto, anything else → equity, unless the caller says. */
function guessKind(symbol: string): AssetKind {
  return symbol.includes('/') ? 'crypto' : 'equity';
}

function splitPair(symbol: string): { base: string | null; quote: string | null } {
  const [base, quote] = symbol.split(/[/:]/);
  return symbol.includes('/') ? { base: base ?? null, quote: quote ?? null } : { base: null, quote: null };
}

type Run = (query: CompiledQuery) => Promise<ReadonlyArray<Record<string, unknown>>>;

/**
 * Find, else insert and find again: `on conflict do nothing` makes concurrent creators agree on one
 * row. The statements are built with the store's Kysely and run by `run`, so the same code serves the
 * store's own connection and a write session's transaction.
 */
async function ensureWith(store: Store, run: Run, input: AssetRef): Promise<number> {
  const ref = parseAssetRef(input);
  const { symbol, venue } = ref;
  const kind = ref.kind ?? guessKind(symbol);
  const { base, quote } = splitPair(symbol);
  const now = timestampValue(store.dialect);
  const find = store.kysely
    .selectFrom('assets')
    .select('id')
    .where('venue', '=', venue)
    .where('symbol', '=', symbol)
    .compile();
  const found = await run(find);
  if (found[0]) return Number(found[0].id);
  const insert = store.kysely
    .insertInto('assets')
    .values({
      symbol,
      venue,
      kind,
      base,
      quote,
      is_active: booleanValue(store.dialect, true),
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['venue', 'symbol']).doNothing())
    .compile();
  await run(insert);
  const created = await run(find);
  if (!created[0]) throw new Error(`asset ${venue}:${symbol} could not be created`);
  return Number(created[0].id);
}

/** The asset's id, inserting the asset when (venue, symbol) is new. Safe under concurrent callers. */
export async function ensureAsset(store: Store, ref: AssetRef): Promise<number> {
  return ensureWith(
    store,
    async (query) => (await store.kysely.executeQuery(query)).rows as Array<Record<string, unknown>>,
    ref,
  );
}

/** ensureAsset inside a write session: a new asset commits, or rolls back, with the session's rows. */
export async function ensureAssetInSession(
  store: Store,
  session: WriteSession,
  ref: AssetRef,
): Promise<number> {
  return ensureWith(store, (query) => sessionQuery(session, query), ref);
}

/**
 * ensureAsset inside a service transaction (`Tx`): an importer that writes an asset together with
 * the orders that need it, or rolls both back on a dry run.
 */
export async function ensureAssetIn(store: Store, tx: Tx, ref: AssetRef): Promise<number> {
  return ensureWith(store, (query) => tx.all(query.sql, query.parameters), ref);
}

/** The stored asset named by symbol (and venue), trimmed like everything that stores one; null if absent. */
export async function findAsset(store: Store, input: { symbol: string; venue?: string | undefined }) {
  const ref = parseInput(
    assetLookupInput,
    { symbol: input.symbol, ...(input.venue !== undefined ? { venue: input.venue } : {}) },
    'asset',
  );
  let q = store.kysely.selectFrom('assets').selectAll().where('symbol', '=', ref.symbol);
  if (ref.venue !== undefined) q = q.where('venue', '=', ref.venue);
  const rows = await q.execute();
  if (rows.length > 1) {
    throw new MalformedInputError(
      `asset ${ref.symbol} exists on several venues (${rows.map((r) => r.venue).join(', ')}): pass --venue`,
    );
  }
  return rows[0] ?? null;
}
