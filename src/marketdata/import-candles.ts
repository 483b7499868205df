/**
 * Candle file import: a market-data file (or stream) → validated rows (formats/) → candles of one
 * asset and timeframe, in 50,000-row transactions (or one transaction with `strict`). Re-importing
 * the same file changes nothing: rows already stored are skipped (or updated where they differ,
 * with `onConflict: 'update'`).
 */
import type { Store } from '../db/store.ts';
import type { Timeframe } from '../entities/common.ts';
import type { AssetKind } from '../entities/market-data-tables.ts';
import { type OnConflict, writeCandleBatch, writeCandlesInSession } from './candle-writes.ts';
import { timeframeSchema } from './candles.ts';
import {
  type ImportCounts,
  type ImportHooks,
  type ImportTimeOptions,
  importAsset,
  runImport,
  timeReadOptions,
} from './file-import.ts';
import { IMPORT_BATCH_SIZE } from './formats/options.ts';
import { readCandles } from './formats/readers.ts';
import type { CandleFormat, CandleRow, CsvField, MarketDataInput } from './formats/types.ts';

export type { ImportCounts, ImportHooks, ImportProgress } from './file-import.ts';
export { ImportError } from './file-import.ts';
export { IMPORT_BATCH_SIZE };

export interface CandleImportOptions extends ImportHooks, ImportTimeOptions {
  symbol: string;
  venue: string;
  /** Asset kind when the asset is created here; guessed from the symbol otherwise (`A/B` → crypto). */
  kind?: AssetKind;
  timeframe: Timeframe;
  /** Name used in rejects and errors; defaults to the path, or `stdin` for a stream. */
  fileName?: string;
  format?: CandleFormat | 'auto';
  onConflict?: OnConflict;
  /** One bad row fails the whole import and nothing is written (one transaction for the file). */
  strict?: boolean;
  adjusted?: boolean;
  map?: Partial<Record<CsvField, string>>;
  tz?: string;
  /**
   * A candle whose ts is not the start of its timeframe bucket (1700000000123 in 1m) is rejected
   * (`reject`, the default) or moved to the start of its bucket (`floor`).
   */
  align?: 'reject' | 'floor';
  batchSize?: number;
}

export interface CandleImportSummary extends ImportCounts {
  file: string;
  format: CandleFormat | null;
  asset: { id: number | null; symbol: string; venue: string };
  timeframe: Timeframe;
  onConflict: OnConflict;
  strict: boolean;
}

/**
 * Imports one candle file; returns the summary, or throws ImportError (whole-file problem, or a bad row
 * under `strict`) whose message names the file and says what stayed written.
 */
export async function importCandleFile(
  store: Store,
  input: MarketDataInput,
  options: CandleImportOptions,
): Promise<CandleImportSummary> {
  const timeframe = timeframeSchema.parse(options.timeframe);
  const fileName = options.fileName ?? (typeof input === 'string' ? input : 'stdin');
  const onConflict = options.onConflict ?? 'ignore';
  const strict = options.strict ?? false;
  const asset = importAsset(store, options);
  await asset.probe();
  const batches = readCandles(input, {
    fileName,
    format: options.format ?? 'auto',
    ...(options.adjusted ? { adjusted: true } : {}),
    ...(options.map ? { map: options.map } : {}),
    ...(options.tz ? { tz: options.tz } : {}),
    ...timeReadOptions(options),
    timeframe,
    align: options.align ?? 'reject',
    batchSize: options.batchSize ?? IMPORT_BATCH_SIZE,
  });
  const result = await runImport<CandleRow, CandleRow>({
    store,
    fileName,
    strict,
    batches,
    prepare: asset.prepare,
    convert: (rows) => rows,
    writeBatch: (rows) => writeCandleBatch(store, asset.id()!, timeframe, rows, onConflict),
    writeInSession: (session, rows) =>
      writeCandlesInSession(session, asset.id()!, timeframe, rows, onConflict),
    hooks: options,
  });
  const { format, ...counts } = result;
  return {
    file: fileName,
    format: format as CandleFormat | null,
    asset: { id: asset.id(), symbol: asset.ref.symbol, venue: asset.ref.venue },
    timeframe,
    onConflict,
    strict,
    ...counts,
  };
}
