/**
 * Value lists shared by several tables. Every enum column gets a CHECK constraint from MikroORM
 * (`col in (...)`) on both SQLite and PostgreSQL, so these arrays are also the database's rules.
 * They import nothing: the CLI builds its options from them without loading the ORM.
 */

/** Candle/indicator/backtest bar sizes. `1M` (month) differs from `1m` (minute) only by case. */
export const TIMEFRAMES = [
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
  '3d',
  '1w',
  '1M',
] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

/** Direction of a position, trade or trade idea. */
export const DIRECTIONS = ['long', 'short'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Side of an order, a fill or a public trade (tick). */
export const SIDES = ['buy', 'sell'] as const;
export type Side = (typeof SIDES)[number];

/** Where a strategy (or an ingestion job) comes from. */
export const STRATEGY_SOURCE_TYPES = ['pdf', 'youtube', 'manual', 'code'] as const;
export type StrategySourceType = (typeof STRATEGY_SOURCE_TYPES)[number];

/** What an asset is; decides which market-data tables it uses. */
export const ASSET_KINDS = ['crypto', 'equity', 'future', 'fx', 'prediction'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

/** What a user may do: read everything they own, trade, or administer the store. */
export const USER_ROLES = ['admin', 'trader', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** The topics of live events (the outbox's `topic`, SSE's `event:`, the Redis channel's suffix); the web app imports this list too. */
export const EVENT_TOPICS = [
  'signal',
  'idea',
  'order',
  'fill',
  'position',
  'trade',
  'decision',
  'candles',
  'risk',
  'bot_status',
] as const;
export type EventTopicName = (typeof EVENT_TOPICS)[number];
