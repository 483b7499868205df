/**
 * Tick (public trade) file import: freqtrade `*-trades.json(.gz)` and Kraken `unix_seconds,price,volume`
 * CSV → the `ticks` table, one transaction per 50,000 trades (or one for the file with `strict`).
 * Idempotent: a trade is identified by (asset, trade id) and stored once.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../db/store.ts';
import type { AssetKind } from '../entities/market-data-tables.ts';
import {
  type ImportCounts,
  type ImportHooks,
  type ImportTimeOptions,
  importAsset,
  runImport,
  timeReadOptions,
} from './file-import.ts';
import { readTicks } from './formats/readers.ts';
import type { MarketDataInput, TickFormat, TickRow } from './formats/types.ts';
import { IMPORT_BATCH_SIZE } from './formats/options.ts';
import { MAX_TRADE_ID_LENGTH, type TickInsert, writeTickBatch, writeTicksInSession } from './tick-writes.ts';

export { ImportError } from './file-import.ts';

/**
 * Trade ids for trades that come without one (Kraken's CSV has none; freqtrade may hold null).
 * `ticks.trade_id` is NOT NULL and unique per asset, and a re-import must hit the same ids, so the id
 * is derived from the content: `<prefix>:<ts>:<price>:<amount>:<n>`, where n counts the identical
 * (ts, price, amount) trades before it in the file — two real trades can match exactly (the Kraken
 * fixture has two 0.05 trades in one second), and both must be kept.
 *
 * Counting every tuple of a file would hold the whole file in memory. Identical tuples share a ts,
 * so for rows in time order only the tuples at the newest ts are kept. A row older than that (out of
 * order) is counted in a separate map of late rows, kept for the file, and gets a `:late` suffix: its
 * earlier twins at that ts may have been forgotten, so the suffix keeps the two namespaces apart.
 * Deterministic for a given file; a sorted file also gets the same ids as any other sorted file that
 * holds the same whole seconds, so overlapping exports de-duplicate.
 */
export class DerivedTradeIds {
  private readonly prefix: string;
  private newestTs = Number.NEGATIVE_INFINITY;
  private readonly atNewest = new Map<string, number>();
  private readonly late = new Map<string, number>();

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  next(ts: number, price: number, amount: number): string {
    const key = `${ts}:${price}:${amount}`;
    if (ts > this.newestTs) {
      this.newestTs = ts;
      this.atNewest.clear();
    }
    if (ts === this.newestTs) {
      const n = this.atNewest.get(key) ?? 0;
      this.atNewest.set(key, n + 1);
      return `${this.prefix}:${key}:${n}`;
    }
    const n = this.late.get(key) ?? 0;
    this.late.set(key, n + 1);
    return `${this.prefix}:${key}:${n}:late`;
  }
}

/** Ids longer than the column are stored as a hash: deterministic (idempotent) and still unique. */
function fitTradeId(id: string): string {
  return id.length <= MAX_TRADE_ID_LENGTH ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

export interface TickImportOptions extends ImportHooks, ImportTimeOptions {
  symbol: string;
  venue: string;
  kind?: AssetKind;
  fileName?: string;
  format?: TickFormat | 'auto';
  strict?: boolean;
  batchSize?: number;
}

export interface TickImportSummary extends ImportCounts {
  file: string;
  format: TickFormat | null;
  asset: { id: number | null; symbol: string; venue: string };
  strict: boolean;
}

export async function importTickFile(
  store: Store,
  input: MarketDataInput,
  options: TickImportOptions,
): Promise<TickImportSummary> {
  const fileName = options.fileName ?? (typeof input === 'string' ? input : 'stdin');
  const strict = options.strict ?? false;
  const asset = importAsset(store, options);
  await asset.probe();
  let ids: DerivedTradeIds | null = null;
  const batches = readTicks(input, {
    fileName,
    format: options.format ?? 'auto',
    ...timeReadOptions(options),
    batchSize: options.batchSize ?? IMPORT_BATCH_SIZE,
  });
  let format: TickFormat | null = null;
  const convert = (rows: TickRow[]): TickInsert[] => {
    const out: TickInsert[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      let tradeId = r.tradeId;
      if (tradeId === null) {
        ids ??= new DerivedTradeIds(format === 'kraken' ? 'k' : 'f');
        tradeId = ids.next(r.ts, r.price, r.amount);
      }
      out[i] = { ts: r.ts, tradeId: fitTradeId(tradeId), side: r.side, price: r.price, amount: r.amount };
    }
    return out;
  };
  // The format is needed for the id prefix before the first convert: take it from the batches as they pass.
  const watched = (async function* () {
    for await (const batch of batches) {
      format = batch.format;
      yield batch;
    }
  })();
  const result = await runImport<TickRow, TickInsert>({
    store,
    fileName,
    strict,
    batches: watched,
    prepare: asset.prepare,
    convert,
    writeBatch: (rows) => writeTickBatch(store, asset.id()!, rows),
    writeInSession: (session, rows) => writeTicksInSession(session, asset.id()!, rows),
    hooks: options,
  });
  const { format: _format, ...counts } = result;
  return {
    file: fileName,
    format,
    asset: { id: asset.id(), symbol: asset.ref.symbol, venue: asset.ref.venue },
    strict,
    ...counts,
  };
}
