/**
 * The mapping of each legacy record kind (seed 001's collections, seed 004's settings CSVs) onto
 * what a tradestore service accepts. Pure: no database. Each mapper returns the service input, or
 * throws a FieldError naming the field. The field names and their aliases are the README's table.
 */
import { createHash } from 'node:crypto';
import type { RegisterStrategyInput } from '../strategies/strategies.ts';
import { configHash } from '../strategies/canonical.ts';
import type { RiskConfigPatch } from '../portfolios/risk-configs.ts';
import { LOG_LEVELS, type LogLevel } from '../entities/operations-tables.ts';
import {
  boolean,
  decimalText,
  FieldError,
  type Fields,
  float,
  instant,
  integer,
  jsonObject,
  jsonValue,
  pick,
  requiredDecimal,
  requiredInstant,
  requiredText,
  stringList,
  text,
} from './fields.ts';

/** The legacy files, in the order they are imported (strategies before the trades naming them). */
export const LEGACY_KINDS = [
  'strategy_definitions',
  'strategies',
  'risk_config',
  'signals',
  'trades',
  'holdings',
  'strategy_performance',
  'error_logs',
  'rss_feeds',
  'seen_news',
  'bot_status',
] as const;
export type LegacyKind = (typeof LEGACY_KINDS)[number];

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

// ---- signals -------------------------------------------------------------------------------------

export interface LegacySignal {
  legacyId: string | undefined;
  symbol: string;
  ts: Date;
  price: string;
  action: 'buy' | 'sell' | 'hold';
  confidence: number;
  aggregationMethod: string | undefined;
  components: Record<string, unknown> | undefined;
  reason: string | undefined;
  strategyVersion: string;
  testMode: boolean | undefined;
  botVersion: string | undefined;
}

const ACTIONS = new Set(['buy', 'sell', 'hold']);

export function legacySignal(r: Fields): LegacySignal {
  const action = requiredText(r, 'final_signal', 'signal', 'action').toLowerCase();
  if (!ACTIONS.has(action)) throw new FieldError(`final_signal: "${action}" is not BUY, SELL or HOLD`);
  const confidence = float(r, 'final_confidence', 'confidence');
  if (confidence === undefined) throw new FieldError('final_confidence: missing');
  const components = jsonObject(r, 'strategies', 'components');
  const aggregationMethod = text(r, 'aggregation_method');
  return {
    legacyId: text(r, 'id'),
    symbol: requiredText(r, 'symbol'),
    ts: requiredInstant(r, 'timestamp', 'ts'),
    price: requiredDecimal(r, 'price'),
    action: action as LegacySignal['action'],
    confidence,
    aggregationMethod,
    components,
    reason: text(r, 'reason', 'reasoning'),
    // A legacy signal without a strategy_version gets a hash of what identifies its producer: the
    // aggregation method and the names of the strategies in its breakdown.
    strategyVersion:
      text(r, 'strategy_version') ??
      configHash({
        aggregationMethod: aggregationMethod ?? null,
        strategies: Object.keys(components ?? {}).sort(),
      }),
    testMode: boolean(r, 'test_mode'),
    botVersion: text(r, 'bot_version'),
  };
}

// ---- trades --------------------------------------------------------------------------------------

export interface LegacyTrade {
  legacyId: string | undefined;
  ts: Date;
  symbol: string;
  side: 'buy' | 'sell';
  amount: string;
  price: string;
  fee: string | undefined;
  feeCurrency: string | undefined;
  signalId: string | undefined;
  strategy: string | undefined;
  testMode: boolean | undefined;
  botVersion: string | undefined;
}

export function legacyTrade(r: Fields): LegacyTrade {
  const side = requiredText(r, 'action', 'side').toLowerCase();
  if (side !== 'buy' && side !== 'sell') throw new FieldError(`action: "${side}" is not buy or sell`);
  return {
    legacyId: text(r, 'id'),
    ts: requiredInstant(r, 'timestamp', 'ts'),
    symbol: requiredText(r, 'symbol'),
    side,
    amount: requiredDecimal(r, 'amount', 'quantity'),
    price: requiredDecimal(r, 'price'),
    fee: decimalText(r, 'fee'),
    feeCurrency: text(r, 'fee_currency'),
    signalId: text(r, 'signal_id'),
    strategy: text(r, 'strategy', 'strategy_name'),
    testMode: boolean(r, 'test_mode'),
    botVersion: text(r, 'bot_version'),
  };
}

/**
 * A legacy trade's natural key, kept as its order's client_order_id: the portfolio and the legacy
 * id when the record has one, else its content (time, symbol, side, amount, price) and how many
 * identical records came before it in the file (two equal fills at one instant are two fills).
 */
export function tradeOrderKey(portfolioId: number, t: LegacyTrade, occurrence: number): string {
  const identity =
    t.legacyId !== undefined
      ? `id|${t.legacyId}`
      : `content|${t.ts.toISOString()}|${t.symbol}|${t.side}|${t.amount}|${t.price}|${occurrence}`;
  return `legacy:${sha256(`${portfolioId}|${identity}`).slice(0, 40)}`;
}

export function tradeContent(t: LegacyTrade): string {
  return `${t.ts.toISOString()}|${t.symbol}|${t.side}|${t.amount}|${t.price}`;
}

// ---- holdings ------------------------------------------------------------------------------------

export interface LegacyHolding {
  symbol: string;
  /** Signed: negative is short. */
  quantity: string;
  averagePrice: string | undefined;
  testMode: boolean | undefined;
}

export function legacyHolding(r: Fields): LegacyHolding {
  let quantity = requiredDecimal(r, 'amount', 'quantity', 'qty', 'size');
  const side = text(r, 'side', 'direction')?.toLowerCase();
  if (side !== undefined && !['long', 'short', 'buy', 'sell'].includes(side)) {
    throw new FieldError(`side: "${side}" is not long or short`);
  }
  if ((side === 'short' || side === 'sell') && !quantity.startsWith('-')) quantity = `-${quantity}`;
  return {
    symbol: requiredText(r, 'symbol'),
    quantity,
    averagePrice: decimalText(r, 'avg_price', 'average_price', 'avg_entry_price', 'entry_price'),
    testMode: boolean(r, 'test_mode'),
  };
}

// ---- strategies (strategy_definitions.json/csv, seed 004's strategies.csv) ----------------------

const STRATEGY_FIELDS = new Set([
  'id',
  'name',
  'strategy_name',
  'description',
  'is_active',
  'active',
  'enabled',
  'source_type',
  'source_ref',
  'confidence',
  'entry_type',
  'allowed_symbols',
  'symbols',
  'session_windows',
  'entry_conditions',
  'exit_rules',
  'forbidden_conditions',
  'risk_caps',
  'confluence_required',
  'rr_expectation',
  'parameters',
  'config',
  'params',
  'created_at',
  'updated_at',
]);

/** Rule columns hold JSON (a CSV cell holds JSON text); plain text becomes `{ "text": … }`. */
type Rules = NonNullable<RegisterStrategyInput['sessionWindows']>;

function rules(r: Fields, name: string): Rules | undefined {
  const found = pick(r, name);
  if (!found) return undefined;
  let value: unknown;
  try {
    value = jsonValue(r, name);
  } catch {
    value = { text: text(r, name) };
  }
  if (value === null || typeof value !== 'object') return { text: String(value) };
  return value as Rules;
}

export function legacyStrategy(r: Fields): RegisterStrategyInput {
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(r)) {
    if (!STRATEGY_FIELDS.has(key) && value !== undefined && value !== null && value !== '') {
      extra[key] = jsonValue(r, key) ?? value;
    }
  }
  const parameters = { ...(jsonObject(r, 'parameters', 'config', 'params') ?? {}), ...extra };
  const sourceType = text(r, 'source_type')?.toLowerCase();
  const rr = float(r, 'rr_expectation');
  const input: RegisterStrategyInput = {
    name: requiredText(r, 'name', 'strategy_name'),
    description: text(r, 'description') ?? null,
    sourceType: (sourceType ?? 'manual') as RegisterStrategyInput['sourceType'],
    sourceRef: text(r, 'source_ref') ?? null,
    confidence: float(r, 'confidence') ?? null,
    isActive: boolean(r, 'is_active', 'active', 'enabled') ?? true,
    entryType: text(r, 'entry_type') ?? null,
    allowedSymbols: stringList(r, 'allowed_symbols', 'symbols') ?? null,
    sessionWindows: rules(r, 'session_windows') ?? null,
    entryConditions: rules(r, 'entry_conditions') ?? null,
    exitRules: rules(r, 'exit_rules') ?? null,
    forbiddenConditions: rules(r, 'forbidden_conditions') ?? null,
    riskCaps: rules(r, 'risk_caps') ?? null,
    confluenceRequired: rules(r, 'confluence_required') ?? null,
    rrExpectation: rr ?? null,
    parameters: Object.keys(parameters).length > 0 ? (parameters as Record<string, never>) : null,
  };
  return input;
}

// ---- risk_config.csv ------------------------------------------------------------------------------

export function legacyRiskConfig(r: Fields): RiskConfigPatch {
  const patch: Record<string, unknown> = {
    aiTradingEnabled: boolean(r, 'ai_trading_enabled'),
    minConfidenceThreshold: float(r, 'min_confidence_threshold'),
    maxLotSize: decimalText(r, 'max_lot_size'),
    maxConcurrentTrades: integer(r, 'max_concurrent_trades'),
    dailyProfitTarget: decimalText(r, 'daily_profit_target'),
    stopAfterTarget: boolean(r, 'stop_after_target'),
    maxDrawdownAmount: decimalText(r, 'max_drawdown_amount'),
    haltOnDrawdown: boolean(r, 'halt_on_drawdown'),
    allowOffWatchlistAutotrade: boolean(r, 'allow_off_watchlist_autotrade'),
  };
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as RiskConfigPatch;
}

// ---- strategy_performance ------------------------------------------------------------------------

export interface LegacyPerformance {
  strategy: string;
  tradeCount: number | undefined;
  /** A fraction (0.55); a legacy percentage (55) is divided by 100. */
  winRate: number | undefined;
  totalPnl: string | undefined;
  testMode: boolean | undefined;
}

export function legacyPerformance(r: Fields): LegacyPerformance {
  const winRate = float(r, 'win_rate');
  return {
    strategy: requiredText(r, 'strategy', 'strategy_name', 'name'),
    tradeCount: integer(r, 'trade_count', 'total_trades', 'trades'),
    winRate: winRate === undefined ? undefined : winRate > 1 ? winRate / 100 : winRate,
    totalPnl: decimalText(r, 'total_pnl', 'pnl', 'total_profit'),
    testMode: boolean(r, 'test_mode'),
  };
}

// ---- error_logs ----------------------------------------------------------------------------------

const LEVEL_ALIASES: Record<string, LogLevel> = {
  warn: 'warning',
  fatal: 'critical',
  exception: 'error',
  err: 'error',
  crit: 'critical',
};

type JsonObject = Record<string, NonNullable<RegisterStrategyInput['parameters']>[string]>;

export interface LegacyErrorLog {
  ts: Date;
  level: LogLevel;
  source: string;
  message: string;
  stack: string | null;
  context: JsonObject | null;
  testMode: boolean | undefined;
  botVersion: string | null;
}

export function legacyErrorLog(r: Fields): LegacyErrorLog {
  const raw = requiredText(r, 'level', 'severity').toLowerCase();
  const level = (LEVEL_ALIASES[raw] ?? raw) as LogLevel;
  if (!LOG_LEVELS.includes(level))
    throw new FieldError(`level: "${raw}" is not one of ${LOG_LEVELS.join(', ')}`);
  const context = jsonValue(r, 'context', 'details', 'extra');
  return {
    ts: requiredInstant(r, 'timestamp', 'ts', 'time', 'created_at'),
    level,
    source: text(r, 'source', 'module', 'component', 'logger') ?? 'legacy',
    message: requiredText(r, 'message', 'error', 'msg'),
    stack: text(r, 'stack', 'traceback', 'stack_trace') ?? null,
    context:
      context === undefined || context === null
        ? null
        : typeof context === 'object' && !Array.isArray(context)
          ? (context as JsonObject)
          : ({ value: context } as unknown as JsonObject),
    testMode: boolean(r, 'test_mode'),
    botVersion: text(r, 'bot_version') ?? null,
  };
}

// ---- rss_feeds, seen_news, bot_status ------------------------------------------------------------

export function legacyFeed(r: Fields): { url: string; name: string; isActive: boolean } {
  const url = requiredText(r, 'url', 'feed_url', 'link');
  let host: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
    host = parsed.hostname;
  } catch {
    throw new FieldError(`url: "${url}" is not an http(s) URL`);
  }
  return {
    url,
    name: text(r, 'name', 'title', 'source') ?? host,
    isActive: boolean(r, 'is_active', 'active', 'enabled') ?? true,
  };
}

export interface LegacyNewsItem {
  guid: string | null;
  headline: string;
  url: string | null;
  source: string | null;
  summary: string | null;
  symbols: string[] | null;
  publishedAt: Date | null;
  capturedAt: Date | undefined;
}

export function legacyNewsItem(r: Fields): LegacyNewsItem {
  const url = text(r, 'url', 'link') ?? null;
  const headline = text(r, 'headline', 'title') ?? url;
  if (headline === null) throw new FieldError('headline or title (or url): missing');
  return {
    guid: text(r, 'guid', 'news_id', 'hash', 'id') ?? null,
    headline,
    url,
    source: text(r, 'source', 'feed') ?? null,
    summary: text(r, 'summary', 'description') ?? null,
    symbols: stringList(r, 'symbols') ?? null,
    publishedAt: instant(r, 'published_at', 'published', 'pub_date') ?? null,
    capturedAt: instant(r, 'seen_at', 'captured_at', 'timestamp', 'first_seen'),
  };
}

export function legacyBotStatus(r: Fields): { key: string; value: unknown; botVersion: string | null } {
  const key = requiredText(r, 'key', 'name');
  let value: unknown = null;
  if (pick(r, 'value') !== undefined) {
    try {
      value = jsonValue(r, 'value');
    } catch {
      value = text(r, 'value'); // a CSV cell that is not JSON is a string value
    }
  }
  return { key, value, botVersion: text(r, 'bot_version') ?? null };
}
