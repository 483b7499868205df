import { defineEntity, p } from '@mikro-orm/core';
import { SIDES, TIMEFRAMES, timestamps } from './common.ts';
import { bigId } from './types/big-id.ts';
import { decimal } from './types/decimal.ts';
import { ASSET_KINDS } from './value-lists.ts';

export { ASSET_KINDS, type AssetKind } from './value-lists.ts';

export const CALENDAR_IMPACT_LEVELS = ['holiday', 'low', 'medium', 'high'] as const;
export type CalendarImpactLevel = (typeof CALENDAR_IMPACT_LEVELS)[number];

/**
 * Tradeable instruments. A prediction market is an asset too (kind `prediction`, symbol = the
 * venue's market id) so orders, fills, trades and positions need only one instrument reference;
 * `prediction_markets.asset_id` links the market's descriptive data to it.
 * tick_size/lot_size are exact: order sizes and prices are rounded to them.
 */
export const AssetSchema = defineEntity({
  name: 'Asset',
  tableName: 'assets',
  properties: {
    id: p.integer().primary().autoincrement(),
    symbol: p.string().length(64),
    venue: p.string().length(64),
    kind: p.enum(ASSET_KINDS),
    base: p.string().length(32).nullable(),
    quote: p.string().length(32).nullable(),
    tickSize: decimal().nullable(),
    lotSize: decimal().nullable(),
    isActive: p.boolean().default(true),
    ...timestamps(),
  },
  uniques: [{ name: 'assets_venue_symbol_unique', properties: ['venue', 'symbol'] }],
  indexes: [{ name: 'assets_kind_is_active_index', properties: ['kind', 'isActive'] }],
});

export class Asset extends AssetSchema.class {}
AssetSchema.setClass(Asset);

/**
 * OHLCV bars, the biggest table by far. Natural primary key (asset_id, timeframe, ts) is also the
 * only index: every read is "one asset, one timeframe, a time range", and re-ingesting a bar is an
 * upsert on the key. ts is the bar's open time in epoch milliseconds (bigint, exposed as number:
 * safe until year 287396). Prices are float64 on purpose: analysis data, not money.
 * Deleting an asset that has candles is restricted: history is expensive to re-download and
 * silently cascading millions of rows on an asset clean-up is never intended. Purge candles first.
 */
export const CandleSchema = defineEntity({
  name: 'Candle',
  tableName: 'candles',
  properties: {
    asset: () => p.manyToOne(Asset).primary().deleteRule('restrict').index(false),
    timeframe: p.enum(TIMEFRAMES).primary(),
    ts: p.bigint('number').primary(),
    open: p.double(),
    high: p.double(),
    low: p.double(),
    close: p.double(),
    volume: p.double(),
  },
});

export class Candle extends CandleSchema.class {}
CandleSchema.setClass(Candle);

/**
 * Public trades (the tape). Surrogate bigint id because tick volume can pass 2^31 rows; the venue's
 * trade id is unique per asset so re-ingesting a window is idempotent. `side` is the aggressor side,
 * null when the venue does not report it. Same restrict rule as candles.
 */
export const TickSchema = defineEntity({
  name: 'Tick',
  tableName: 'ticks',
  properties: {
    id: bigId(),
    asset: () => p.manyToOne(Asset).deleteRule('restrict').index(false),
    ts: p.bigint('number'),
    tradeId: p.string().length(128),
    side: p.enum(SIDES).nullable(),
    price: p.double(),
    amount: p.double(),
  },
  uniques: [{ name: 'ticks_asset_id_trade_id_unique', properties: ['asset', 'tradeId'] }],
  indexes: [{ name: 'ticks_asset_id_ts_index', properties: ['asset', 'ts'] }],
});

export class Tick extends TickSchema.class {}
TickSchema.setClass(Tick);

/**
 * Indicator values computed for one bar (ts = that bar's open, epoch ms). One row per bar: unique
 * (asset_id, timeframe, ts), which is also the lookup index. Indicators outside the fixed five go in
 * `others` (name → value). Restricted like candles, from which they are derived.
 */
export const IndicatorSnapshotSchema = defineEntity({
  name: 'IndicatorSnapshot',
  tableName: 'indicator_snapshots',
  properties: {
    id: bigId(),
    asset: () => p.manyToOne(Asset).deleteRule('restrict').index(false),
    timeframe: p.enum(TIMEFRAMES),
    ts: p.bigint('number'),
    rsi14: p.double().fieldName('rsi_14').nullable(),
    sma50: p.double().fieldName('sma_50').nullable(),
    sma200: p.double().fieldName('sma_200').nullable(),
    macd: p.double().nullable(),
    atr: p.double().nullable(),
    others: p.json<Record<string, number | null>>().nullable(),
  },
  uniques: [
    {
      name: 'indicator_snapshots_asset_id_timeframe_ts_unique',
      properties: ['asset', 'timeframe', 'ts'],
    },
  ],
});

export class IndicatorSnapshot extends IndicatorSnapshotSchema.class {}
IndicatorSnapshotSchema.setClass(IndicatorSnapshot);

/**
 * Prediction-market events (e.g. a Polymarket event). The designs used the venue's id as the primary
 * key; here it is `external_id`, unique per venue, so the table follows the integer-id convention and
 * can hold several venues. `is_new` is the venue's "new" flag (NEW is a keyword in trigger SQL).
 * Liquidity and volume are exact like every money column.
 */
export const PredictionEventSchema = defineEntity({
  name: 'PredictionEvent',
  tableName: 'prediction_events',
  properties: {
    id: p.integer().primary().autoincrement(),
    venue: p.string().length(64).default('polymarket'),
    externalId: p.string().length(255),
    title: p.text(),
    slug: p.string().length(255).nullable(),
    description: p.text().nullable(),
    startDate: p.datetime().nullable(),
    endDate: p.datetime().nullable(),
    imageUrl: p.text().nullable(),
    icon: p.text().nullable(),
    active: p.boolean().default(true),
    closed: p.boolean().default(false),
    archived: p.boolean().default(false),
    isNew: p.boolean().default(false),
    featured: p.boolean().default(false),
    restricted: p.boolean().default(false),
    liquidity: decimal().nullable(),
    volume: decimal().nullable(),
    tags: p.json<unknown[]>().nullable(),
    isFiltered: p.boolean().default(false),
    ...timestamps(),
  },
  uniques: [{ name: 'prediction_events_venue_external_id_unique', properties: ['venue', 'externalId'] }],
  indexes: [{ name: 'prediction_events_end_date_index', properties: ['endDate'] }],
});

export class PredictionEvent extends PredictionEventSchema.class {}
PredictionEventSchema.setClass(PredictionEvent);

/**
 * One market (question) of a prediction event. Markets cascade with their event: a market has no
 * meaning without it. `asset` links the market to the tradeable instrument and is set null if that
 * asset row is removed (the market data stays valid). yes/no prices are exact quotes.
 */
export const PredictionMarketSchema = defineEntity({
  name: 'PredictionMarket',
  tableName: 'prediction_markets',
  properties: {
    id: p.integer().primary().autoincrement(),
    event: () => p.manyToOne(PredictionEvent).nullable().deleteRule('cascade'),
    asset: () =>
      p
        .manyToOne(Asset)
        .nullable()
        .unique('prediction_markets_asset_id_unique')
        .index(false)
        .deleteRule('set null'),
    venue: p.string().length(64).default('polymarket'),
    externalId: p.string().length(255),
    question: p.text(),
    description: p.text().nullable(),
    outcomes: p.json<string[]>().nullable(),
    outcomePrices: p.json<string[]>().nullable(),
    yesPrice: decimal().nullable(),
    noPrice: decimal().nullable(),
    liquidity: decimal().nullable(),
    volume: decimal().nullable(),
    volume24hr: decimal().fieldName('volume_24hr').nullable(),
    marketConviction: p.double().nullable(),
    endDate: p.datetime().nullable(),
    gameStartTime: p.datetime().nullable(),
    secondsDelay: p.integer().nullable(),
    active: p.boolean().default(true),
    closed: p.boolean().default(false),
    archived: p.boolean().default(false),
    isNew: p.boolean().default(false),
    featured: p.boolean().default(false),
    submittedBy: p.string().length(255).nullable(),
    resolved: p.boolean().default(false),
    resolvedOutcome: p.string().length(255).nullable(),
    lastPriceUpdate: p.datetime().nullable(),
    isFiltered: p.boolean().default(false),
    ...timestamps(),
  },
  uniques: [{ name: 'prediction_markets_venue_external_id_unique', properties: ['venue', 'externalId'] }],
  indexes: [
    { name: 'prediction_markets_event_id_index', properties: ['event'] },
    { name: 'prediction_markets_resolved_end_date_index', properties: ['resolved', 'endDate'] },
  ],
});

export class PredictionMarket extends PredictionMarketSchema.class {}
PredictionMarketSchema.setClass(PredictionMarket);

/** Price history of a prediction market; cascades with the market it describes. */
export const MarketSnapshotSchema = defineEntity({
  name: 'MarketSnapshot',
  tableName: 'market_snapshots',
  properties: {
    id: bigId(),
    market: () => p.manyToOne(PredictionMarket).deleteRule('cascade').index(false),
    capturedAt: p.datetime(),
    yesPrice: decimal().nullable(),
    noPrice: decimal().nullable(),
    liquidity: decimal().nullable(),
    volume: decimal().nullable(),
    volume24hr: decimal().fieldName('volume_24hr').nullable(),
    marketConviction: p.double().nullable(),
  },
  indexes: [{ name: 'market_snapshots_market_id_captured_at_index', properties: ['market', 'capturedAt'] }],
});

export class MarketSnapshot extends MarketSnapshotSchema.class {}
MarketSnapshotSchema.setClass(MarketSnapshot);

/**
 * Economic calendar entries. previous/forecast/actual stay text: sources publish them with units
 * ("2.5%", "215K"). Each capture is a row (captured_at), so a decision can be replayed against
 * exactly what was known; the latest capture of an event is the current view.
 */
export const CalendarEventSchema = defineEntity({
  name: 'CalendarEvent',
  tableName: 'calendar_events',
  properties: {
    id: p.integer().primary().autoincrement(),
    eventTime: p.datetime(),
    currency: p.string().length(16),
    impactLevel: p.enum(CALENDAR_IMPACT_LEVELS),
    title: p.string().length(255),
    previous: p.string().length(64).nullable(),
    forecast: p.string().length(64).nullable(),
    actual: p.string().length(64).nullable(),
    capturedAt: p.datetime(),
  },
  indexes: [
    { name: 'calendar_events_currency_event_time_index', properties: ['currency', 'eventTime'] },
    { name: 'calendar_events_event_time_index', properties: ['eventTime'] },
    { name: 'calendar_events_captured_at_index', properties: ['capturedAt'] },
  ],
});

export class CalendarEvent extends CalendarEventSchema.class {}
CalendarEventSchema.setClass(CalendarEvent);

/** RSS/Atom feed configuration. */
export const NewsFeedSchema = defineEntity({
  name: 'NewsFeed',
  tableName: 'news_feeds',
  properties: {
    id: p.integer().primary().autoincrement(),
    url: p.string().length(2048).unique('news_feeds_url_unique'),
    name: p.string().length(255),
    isActive: p.boolean().default(true),
    lastPolledAt: p.datetime().nullable(),
    ...timestamps(),
  },
});

export class NewsFeed extends NewsFeedSchema.class {}
NewsFeedSchema.setClass(NewsFeed);

/**
 * News items. `dedup_key` is the feed's guid when it has one, otherwise a content hash
 * (e.g. sha256 of source + headline + published_at); its unique index is what makes "a seen item is
 * never stored twice" hold under concurrent pollers. `guid` keeps the raw guid for reference.
 * A removed feed leaves its items (feed set null): decisions may cite them.
 * `symbols` is a JSON array (portable; PostgreSQL arrays have no SQLite equivalent).
 */
export const NewsItemSchema = defineEntity({
  name: 'NewsItem',
  tableName: 'news_items',
  properties: {
    id: p.integer().primary().autoincrement(),
    feed: () => p.manyToOne(NewsFeed).nullable().deleteRule('set null'),
    dedupKey: p.string().length(255).unique('news_items_dedup_key_unique'),
    guid: p.string().length(1024).nullable(),
    headline: p.text(),
    summary: p.text().nullable(),
    url: p.string().length(2048).nullable(),
    source: p.string().length(255).nullable(),
    symbols: p.json<string[]>().nullable(),
    publishedAt: p.datetime().nullable(),
    capturedAt: p.datetime(),
  },
  indexes: [
    { name: 'news_items_feed_id_index', properties: ['feed'] },
    { name: 'news_items_published_at_index', properties: ['publishedAt'] },
    { name: 'news_items_captured_at_index', properties: ['capturedAt'] },
  ],
});

export class NewsItem extends NewsItemSchema.class {}
NewsItemSchema.setClass(NewsItem);
