/**
 * tradestore as a library: `openStore(url)` and the services over it. The CLI and the HTTP API
 * call exactly these functions.
 */
export { type FreqtradeDbOptions, type FreqtradeDbResult, importFreqtradeDb } from './adopt/freqtrade-db.ts';
export { importLegacy, type LegacyImportOptions, type LegacyImportResult } from './adopt/legacy.ts';
export type { FileReport } from './adopt/report.ts';
export { DEFAULT_TEST_DATA_RULES, loadTestDataRules, type TestDataRules } from './adopt/test-data-rules.ts';
export * from './backtests/freqtrade.ts';
export * from './backtests/runs.ts';
export { type Config, ConfigError, loadConfig } from './config/env.ts';
export { backupDatabase } from './db/backup.ts';
export { restoreDatabase } from './migrate/restore.ts';
export { type Health, health, tableCounts, tableStats } from './operations/inspect.ts';
export { openStore, type Store, type StoreOptions } from './db/store.ts';
export * from './entities/all-tables.ts';
export * from './audit/decision-history.ts';
export * from './execution/chain.ts';
export * from './execution/fills.ts';
export * from './execution/ideas.ts';
export * from './execution/orders.ts';
export * from './execution/signals.ts';
export * from './execution/trades.ts';
export type { Listing } from './db/listing.ts';
export * from './input/errors.ts';
export type { ScopeCounts, TestScope } from './input/fields.ts';
export * from './marketdata/assets.ts';
export * from './marketdata/candles.ts';
export { exportCandles } from './marketdata/export.ts';
export { exportRecords, RECORD_KINDS, type RecordKind } from './exports/records.ts';
export { HybridSettings, SettingsUnavailableError } from './hybrid/settings.ts';
export { copyDatabase, type CopyReport, CopyRefusedError } from './transfer/copy.ts';
export {
  detectCandleFormat,
  detectTickFormat,
  readCandles as readCandleFile,
  readTicks as readTickFile,
} from './marketdata/formats/readers.ts';
export { buildCandlesFromTicks } from './marketdata/from-ticks.ts';
export { importCandleFile } from './marketdata/import-candles.ts';
export { importTickFile } from './marketdata/import-ticks.ts';
export * from './marketdata/quality.ts';
export * from './marketdata/resample.ts';
export { bucketStart, nextBucketStart, parseTimeframe } from './marketdata/timeframes.ts';
export { checkSchema, createMigrations } from './migrate/generate.ts';
export { migrateDown, migrateUp, migrationState, stampMigrations } from './migrate/runner.ts';
export * from './news/calendar.ts';
export * from './news/feeds.ts';
export * from './news/items.ts';
export * from './operations/bot-status.ts';
export * from './operations/error-logs.ts';
export * from './operations/retention.ts';
export * from './portfolios/portfolios.ts';
export * from './portfolios/positions.ts';
export * from './portfolios/risk-configs.ts';
export * from './portfolios/snapshots.ts';
export * from './predictions/events.ts';
export * from './predictions/markets.ts';
export * from './research/ingestion.ts';
export * from './research/learning.ts';
export * from './strategies/canonical.ts';
export * from './strategies/strategy-performance.ts';
export * from './strategies/strategies.ts';
