/**
 * tradestore as a library: `openStore(url)` and the services over it. The CLI and the HTTP API
 * call exactly these functions.
 *
 * Every export is named here, so the public surface is this file: what a service composes with
 * inside a transaction (`…In(tx, …)`, row mappers, functions taking the internal `Tx`) stays
 * inside. `test/architecture/public-api.test.ts` builds the package and compares its exports with
 * `test/architecture/public-api.txt`; a change to the surface is a visible diff there.
 */

// ---- adopting existing data: legacy files, a freqtrade bot's database ----
export { FieldError } from './adopt/fields.ts';
export { LegacyFileError } from './adopt/files.ts';
export { type FreqtradeDbOptions, type FreqtradeDbResult, importFreqtradeDb } from './adopt/freqtrade-db.ts';
export { importLegacy, type LegacyImportOptions, type LegacyImportResult } from './adopt/legacy.ts';
export type { FileReport } from './adopt/report.ts';
export { DEFAULT_TEST_DATA_RULES, loadTestDataRules, type TestDataRules } from './adopt/test-data-rules.ts';

// ---- the store, configuration, migrations, the database as a whole ----
export { type Config, ConfigError, loadConfig } from './config/env.ts';
export { BackupRefusedError, backupDatabase, MissingToolError } from './db/backup.ts';
export { restoreDatabase } from './migrate/restore.ts';
export type { Listing } from './db/listing.ts';
export { exportRecords, RECORD_KINDS, type RecordKind } from './exports/records.ts';
export { HybridSettings, SettingsUnavailableError } from './hybrid/settings.ts';
export { copyDatabase, type CopyReport, CopyRefusedError } from './transfer/copy.ts';
export {
  MissingDatabaseError,
  openStore,
  type Store,
  type StoreOptions,
  UnopenableDatabaseError,
} from './db/store.ts';
export { DatabaseUrlError } from './db/url.ts';
export { checkSchema, createMigrations } from './migrate/generate.ts';
export { MigrationSafetyError } from './migrate/history.ts';
export { MigrationError, migrateDown, migrateUp, migrationState, stampMigrations } from './migrate/runner.ts';
export { type Health, health, tableCounts, tableStats } from './operations/inspect.ts';
export { prune, type PruneResult, type RetentionPolicy, retentionPolicy } from './operations/retention.ts';

// ---- live events: the outbox every change appends to, resumable by seq ----
export {
  type EventFilter,
  eventBounds,
  eventMessage,
  type EventTopic,
  eventTopics,
  readEvents,
  type StoredEvent,
} from './events/reading.ts';
export { type EventReset, subscribe } from './events/subscribe.ts';

// ---- refusals: every error a caller can cause, each with a stable `code` ----
export {
  ConflictError,
  IllegalTransitionError,
  InvalidInputError,
  MalformedInputError,
  NotFoundError,
  REFUSAL_CODES,
  type RefusalCode,
  RefusedError,
  TradingError,
} from './input/errors.ts';
export type { ScopeCounts, TestScope } from './input/fields.ts';
export { AccessDeniedError, type AccessCode, AccessError, AuthenticationError } from './accounts/errors.ts';

// ---- the schema: entity classes for `store.em()`, their enums, exact decimal types ----
export { entities } from './entities/all-tables.ts';
export {
  API_KEY_SCOPES,
  ApiKey,
  type ApiKeyScope,
  AuthSession,
  PORTFOLIO_ACCESS_ROLES,
  PortfolioAccess,
  type PortfolioAccessRole,
  RefreshToken,
} from './entities/account-tables.ts';
export {
  BACKTEST_STATUSES,
  type BacktestFeeModel,
  BacktestResult,
  BacktestRun,
  type BacktestStatus,
  type EquityPoint,
} from './entities/backtest-tables.ts';
export {
  DIRECTIONS,
  type Direction,
  type Side,
  SIDES,
  STRATEGY_SOURCE_TYPES,
  type StrategySourceType,
  type Timeframe,
  TIMEFRAMES,
} from './entities/common.ts';
export {
  canTransitionTradeIdea,
  DecisionHistory,
  Fill,
  LIQUIDITY_ROLES,
  type LiquidityRole,
  Order,
  ORDER_TYPES,
  type OrderType,
  Signal,
  SIGNAL_ACTIONS,
  type SignalAction,
  TIME_IN_FORCE,
  type TimeInForce,
  Trade,
  TRADE_IDEA_TRANSITIONS,
  TRADE_OUTCOMES,
  TradeIdea,
  type TradeOutcome,
} from './entities/execution-tables.ts';
export { User, USER_ROLES, type UserRole } from './entities/identity-tables.ts';
export {
  Asset,
  ASSET_KINDS,
  type AssetKind,
  CALENDAR_IMPACT_LEVELS,
  CalendarEvent,
  type CalendarImpactLevel,
  Candle,
  IndicatorSnapshot,
  MarketSnapshot,
  NewsFeed,
  NewsItem,
  PredictionEvent,
  PredictionMarket,
  Tick,
} from './entities/market-data-tables.ts';
export {
  BotStatus,
  DecisionHistoryArchive,
  ErrorLog,
  LOG_LEVELS,
  type LogLevel,
} from './entities/operations-tables.ts';
export {
  AccountSnapshot,
  Portfolio,
  PORTFOLIO_MODES,
  PORTFOLIO_STATUSES,
  type PortfolioMode,
  PortfolioSnapshot,
  type PortfolioStatus,
  Position,
  POSITION_STATUSES,
  type PositionStatus,
  RiskConfig,
} from './entities/portfolio-tables.ts';
export {
  IngestionTask,
  LearningEntry,
  Strategy,
  StrategyPerformance,
  type StrategyRules,
  StrategyVersion,
} from './entities/strategy-tables.ts';
export { BigIdType } from './entities/types/big-id.ts';
export {
  DECIMAL_PRECISION,
  DECIMAL_SCALE,
  Decimal,
  DecimalType,
  MONEY_PRECISION,
  MONEY_SCALE,
  toDecimal,
} from './entities/types/decimal.ts';
export {
  DECISION_ACTIONS,
  type DecisionAction,
  INGESTION_TASK_STATUSES,
  type IngestionTaskStatus,
  ORDER_STATUSES,
  type OrderStatus,
  TRADE_IDEA_STATUSES,
  type TradeIdeaStatus,
} from './trading/transitions.ts';

// ---- trading: signals → ideas → orders → fills → positions, risk, audit ----
export { type DecisionQuery, type DecisionView, listDecisions } from './audit/decision-history.ts';
export { type ActOnSignalInput, type ActOnSignalResult, actOnSignal } from './execution/chain.ts';
export {
  type Attribution,
  type FillInput,
  type FillResult,
  type FillView,
  listFills,
  recordFill,
} from './execution/fills.ts';
export {
  approveTradeIdea,
  evaluateTradeIdea,
  expireTradeIdea,
  expireTradeIdeas,
  getTradeIdea,
  listTradeIdeas,
  type ProposalResult,
  proposeTradeIdea,
  queueTradeIdea,
  rejectTradeIdea,
  type TradeIdeaInput,
  type TradeIdeaQuery,
  type TradeIdeaView,
  type VerdictInput,
} from './execution/ideas.ts';
export type { OrderView } from './execution/order-rows.ts';
export {
  acknowledgeOrder,
  cancelOrder,
  expireOrder,
  getOrder,
  listOrders,
  type OrderInput,
  type OrderQuery,
  type OrderStatusChange,
  type PlacedOrder,
  placeOrder,
  rejectOrder,
} from './execution/orders.ts';
export {
  getSignal,
  listSignals,
  recordSignal,
  type SignalInput,
  type SignalQuery,
  type SignalView,
} from './execution/signals.ts';
export { getTrade, listTrades, type TradeQuery, type TradeView } from './execution/trades.ts';
export {
  type CreatePortfolioInput,
  createPortfolio,
  getPortfolio,
  listPortfolios,
  type PortfolioQuery,
  type PortfolioView,
  type UpdatePortfolioInput,
  updatePortfolio,
} from './portfolios/portfolios.ts';
export {
  getOpenPosition,
  listPositions,
  type PositionQuery,
  type PositionView,
} from './portfolios/positions.ts';
export {
  DEFAULT_RISK_CONFIG,
  getEffectiveRiskConfig,
  getRiskConfig,
  type HaltInput,
  haltAiTrading,
  type PortfolioRiskConfigInput,
  removePortfolioRiskConfig,
  resumeAiTrading,
  type RiskConfigPatch,
  type RiskConfigView,
  setGlobalRiskConfig,
  setPortfolioRiskConfig,
} from './portfolios/risk-configs.ts';
export {
  type AccountSnapshotInput,
  type AccountSnapshotQuery,
  type AccountSnapshotView,
  listAccountSnapshots,
  listPortfolioSnapshots,
  type PortfolioSnapshotView,
  recordAccountSnapshot,
  type SnapshotQuery,
  type SnapshotResult,
  type TakeSnapshotInput,
  takePortfolioSnapshot,
} from './portfolios/snapshots.ts';
export { canonicalJson, configHash } from './strategies/canonical.ts';
export {
  activateStrategy,
  deactivateStrategy,
  getStrategy,
  listStrategies,
  listStrategyVersions,
  type RegisterStrategyInput,
  registerStrategy,
  type StrategyChange,
  type StrategyConfig,
  type StrategyVersionView,
  type StrategyView,
  type UpdateStrategyInput,
  updateStrategy,
} from './strategies/strategies.ts';
export {
  computePortfolioPerformance,
  listPerformance,
  type PerformanceQuery,
  type PortfolioPerformanceInput,
  type RecomputeInput,
  recomputePerformance,
  type StrategyPerformanceView,
} from './strategies/strategy-performance.ts';

// ---- market data ----
export { type AssetRef, ensureAsset, findAsset } from './marketdata/assets.ts';
export { CandleValueError, type OnConflict, type WriteCounts } from './marketdata/candle-writes.ts';
export {
  candleAt,
  type InsertCandlesOptions,
  insertCandles,
  latestCandle,
  type RangeOptions,
  readCandles,
} from './marketdata/candles.ts';
export { exportCandles } from './marketdata/export.ts';
export { ImportError } from './marketdata/file-import.ts';
export { readCandles as readCandleFile } from './marketdata/formats/candle-files.ts';
export { detectCandleFormat, detectTickFormat } from './marketdata/formats/detect.ts';
export { readTicks as readTickFile } from './marketdata/formats/tick-files.ts';
export type { CandleRow } from './marketdata/formats/types.ts';
export { buildCandlesFromTicks } from './marketdata/from-ticks.ts';
export { importCandleFile } from './marketdata/import-candles.ts';
export { importTickFile } from './marketdata/import-ticks.ts';
export { findGaps, type Gap, inputQuality, type QualityReport, storedQuality } from './marketdata/quality.ts';
export { type ResampleRange, resampleCandles } from './marketdata/resample.ts';
export { bucketStart, nextBucketStart, parseTimeframe } from './marketdata/timeframes.ts';

// ---- backtests, news, predictions, research, operations ----
export {
  FreqtradeFormatError,
  type FreqtradeImportOptions,
  type FreqtradeImportResult,
  type FreqtradeRunSummary,
  importFreqtradeBacktest,
} from './backtests/freqtrade.ts';
export {
  type BacktestInput,
  type BacktestResultView,
  type BacktestRunView,
  type BacktestTradeInput,
  type BacktestView,
  deleteBacktest,
  getBacktest,
  listBacktests,
  listBacktestTrades,
  type RecordedBacktest,
  recordBacktest,
} from './backtests/runs.ts';
export {
  type CalendarEventInput,
  type CalendarEventView,
  calendarEventHistory,
  calendarWindow,
  recordCalendarEvent,
  recordCalendarEvents,
} from './news/calendar.ts';
export {
  listNewsFeeds,
  markNewsFeedPolled,
  type NewsFeedView,
  registerNewsFeed,
  setNewsFeedActive,
} from './news/feeds.ts';
export {
  listNewsItems,
  type NewsItemInput,
  type NewsItemView,
  newsDedupKey,
  recordNewsItem,
  recordNewsItems,
} from './news/items.ts';
export {
  type BotStatusView,
  deleteBotStatus,
  getBotStatus,
  listBotStatus,
  setBotStatus,
} from './operations/bot-status.ts';
export {
  countErrorLogs,
  type ErrorLogInput,
  type ErrorLogQuery,
  type ErrorLogView,
  queryErrorLogs,
  recordErrorLog,
  recordErrorLogs,
} from './operations/error-logs.ts';
export {
  findPredictionEvent,
  getPredictionEvent,
  type PredictionEventInput,
  type PredictionEventView,
  upsertPredictionEvent,
} from './predictions/events.ts';
export {
  findPredictionMarket,
  listMarketSnapshots,
  listPredictionMarkets,
  type MarketSnapshotInput,
  type MarketSnapshotView,
  type PredictionMarketInput,
  type PredictionMarketRef,
  type PredictionMarketView,
  recordMarketSnapshot,
  resolvePredictionMarket,
  upsertPredictionMarket,
} from './predictions/markets.ts';
export {
  completeIngestionTask,
  failIngestionTask,
  getIngestionTask,
  type IngestionTaskView,
  listIngestionTasks,
  queueIngestionTask,
  reportIngestionProgress,
  retryIngestionTask,
  startIngestionTask,
} from './research/ingestion.ts';
export {
  countLearningEntries,
  getLearningEntry,
  type LearningEntryInput,
  type LearningEntryView,
  listLearningEntries,
  recordLearningEntry,
  validateLearningEntry,
} from './research/learning.ts';
