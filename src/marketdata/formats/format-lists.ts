/**
 * The file formats and option values an import accepts, with no imports of their own: the CLI
 * builds its `--format`, `--map` and `--batch-size` help from them without loading the readers or
 * their schemas (options.ts validates against the same lists).
 */
export const CANDLE_FORMATS = ['freqtrade', 'ccxt', 'binance', 'yahoo', 'csv'] as const;
export const TICK_FORMATS = ['freqtrade-trades', 'kraken'] as const;
export const CSV_FIELDS = ['ts', 'date', 'time', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Rows per transaction of a file import. On SQLite a commit costs a WAL sync whatever its size, so
 * big batches are what gets near the bare engine; 50,000 rows (~3 MB of values) keeps memory small
 * and a killed import loses at most one batch.
 */
export const IMPORT_BATCH_SIZE = 50_000;
