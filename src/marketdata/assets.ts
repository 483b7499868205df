/** Instruments: found by (venue, symbol), created on first use by importers and services. */
import type { Store } from '../db/store.ts';
import { booleanValue, timestampValue } from '../db/column-values.ts';
import { ASSET_KINDS, type AssetKind } from '../entities/value-lists.ts';
import { MalformedInputError } from '../input/errors.ts';

export interface AssetRef {
  symbol: string;
  venue: string;
  kind?: AssetKind;
}

/** `BTC/USDT` → crypto, anything else → equity, unless the caller says. */
function guessKind(symbol: string): AssetKind {
  return symbol.includes('/') ? 'crypto' : 'equity';
}

function splitPair(symbol: string): { base: string | null; quote: string | null } {
  const [base, quote] = symbol.split(/[/:]/);
  return symbol.includes('/') ? { base: base ?? null, quote: quote ?? null } : { base: null, quote: null };
}

/** The asset's id, inserting the asset when (venue, symbol) is new. Safe under concurrent callers. */
export async function ensureAsset(store: Store, ref: AssetRef): Promise<number> {
  const symbol = ref.symbol.trim();
  if (!symbol) throw new MalformedInputError('asset symbol is empty');
  const kind = ref.kind ?? guessKind(symbol);
  if (!ASSET_KINDS.includes(kind))
    throw new MalformedInputError(`asset kind "${kind}" is not one of ${ASSET_KINDS.join(', ')}`);
  const { base, quote } = splitPair(symbol);
  const now = timestampValue(store.dialect);
  const find = () =>
    store.kysely
      .selectFrom('assets')
      .select('id')
      .where('venue', '=', ref.venue)
      .where('symbol', '=', symbol)
      .executeTakeFirst();
  const found = await find();
  if (found) return Number(found.id);
  await store.kysely
    .insertInto('assets')
    .values({
      symbol,
      venue: ref.venue,
      kind,
      base,
      quote,
      is_active: booleanValue(store.dialect, true),
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['venue', 'symbol']).doNothing())
    .execute();
  const created = await find();
  if (!created) throw new Error(`asset ${ref.venue}:${symbol} could not be created`);
  return Number(created.id);
}

export async function findAsset(store: Store, ref: { symbol: string; venue?: string }) {
  let q = store.kysely.selectFrom('assets').selectAll().where('symbol', '=', ref.symbol);
  if (ref.venue) q = q.where('venue', '=', ref.venue);
  const rows = await q.execute();
  if (rows.length > 1) {
    throw new MalformedInputError(
      `asset ${ref.symbol} exists on several venues (${rows.map((r) => r.venue).join(', ')}): pass --venue`,
    );
  }
  return rows[0] ?? null;
}
