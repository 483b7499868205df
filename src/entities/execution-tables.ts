import { defineEntity, type EventArgs, p } from '@mikro-orm/core';
import {
  allowedTransitions,
  assertTransition,
  canTransition,
  DECISION_ACTIONS,
  type DecisionAction,
  ORDER_STATUSES,
  type OrderStatus,
  TRADE_IDEA_STATUSES,
  type TradeIdeaStatus,
} from '../trading/transitions.ts';
import { BacktestRun } from './backtest-tables.ts';
import {
  createdAt,
  DIRECTIONS,
  positiveDecimalCheck,
  provenance,
  SIDES,
  timestamps,
  unitIntervalCheck,
} from './common.ts';
import { Asset } from './market-data-tables.ts';
import { Portfolio } from './portfolio-tables.ts';
import { Strategy } from './strategy-tables.ts';
import { Decimal, decimal, money } from './types/decimal.ts';

export const SIGNAL_ACTIONS = ['buy', 'sell', 'hold'] as const;
export type SignalAction = (typeof SIGNAL_ACTIONS)[number];

/**
 * Trade-idea statuses and their allowed changes are the trading core's (src/trading/transitions.ts):
 * one table of rules serves the services and the ORM hook below. An idea waits for the risk gate,
 * then needs a human or is executed by the AI; it can be rejected, halted by risk or expire before
 * a verdict. Verdicts are final: what follows an approval is tracked by its orders, and a blocked
 * idea is re-proposed as a new row, so the audit trail stays linear.
 */
export { TRADE_IDEA_STATUSES, type TradeIdeaStatus };

/** Allowed trade-idea status changes, derived from the core's transition table. */
export const TRADE_IDEA_TRANSITIONS: Readonly<Record<TradeIdeaStatus, readonly TradeIdeaStatus[]>> =
  Object.fromEntries(
    TRADE_IDEA_STATUSES.map((s) => [s, allowedTransitions('trade_idea', s)]),
  ) as unknown as Record<TradeIdeaStatus, readonly TradeIdeaStatus[]>;

/** A status change the ORM may write: an allowed transition, or no change at all. */
export function canTransitionTradeIdea(from: TradeIdeaStatus, to: TradeIdeaStatus): boolean {
  return from === to || canTransition('trade_idea', from, to);
}

export const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export { ORDER_STATUSES, type OrderStatus };

export const TIME_IN_FORCE = ['gtc', 'ioc', 'fok', 'day'] as const;
export type TimeInForce = (typeof TIME_IN_FORCE)[number];

export const LIQUIDITY_ROLES = ['maker', 'taker'] as const;
export type LiquidityRole = (typeof LIQUIDITY_ROLES)[number];

export const TRADE_OUTCOMES = ['win', 'loss', 'breakeven', 'open'] as const;
export type TradeOutcome = (typeof TRADE_OUTCOMES)[number];

export { DECISION_ACTIONS, type DecisionAction };

/**
 * What a strategy (or the aggregator, strategy null) said about an asset at ts.
 * Delete rules: portfolio, strategy and asset are restricted (signals are evidence behind trades).
 * Signals may be pruned for retention; rows that point at them (trade ideas, orders, trades) then
 * get signal_id set null and keep their own copies of what matters.
 * Refinements: target_price/quantity are the designs' target_price/amount (a sized signal);
 * executed_at comes with `executed`. Market context the prediction-market design copied into each
 * signal (yes/no price, liquidity, volume, event data) is in market_snapshots/prediction_markets,
 * reachable through the asset.
 */
export const SignalSchema = defineEntity({
  name: 'Signal',
  tableName: 'signals',
  properties: {
    id: p.integer().primary().autoincrement(),
    portfolio: () => p.manyToOne(Portfolio).nullable().deleteRule('restrict').index(false),
    strategy: () => p.manyToOne(Strategy).nullable().deleteRule('restrict').index(false),
    strategyVersion: p.string().length(64),
    asset: () => p.manyToOne(Asset).deleteRule('restrict').index(false),
    ts: p.datetime(),
    price: decimal(),
    action: p.enum(SIGNAL_ACTIONS),
    confidence: p.double(),
    aggregationMethod: p.string().length(64).nullable(),
    components: p.json<Record<string, unknown>>().nullable(),
    reason: p.text().nullable(),
    targetPrice: decimal().nullable(),
    quantity: decimal().nullable(),
    executed: p.boolean().default(false),
    executedAt: p.datetime().nullable(),
    ...provenance(),
  },
  indexes: [
    { name: 'signals_portfolio_id_ts_index', properties: ['portfolio', 'ts'] },
    { name: 'signals_strategy_id_ts_index', properties: ['strategy', 'ts'] },
    { name: 'signals_asset_id_ts_index', properties: ['asset', 'ts'] },
    { name: 'signals_test_mode_ts_index', properties: ['testMode', 'ts'] },
    { name: 'signals_portfolio_id_executed_index', properties: ['portfolio', 'executed'] },
  ],
  checks: [unitIntervalCheck('signals', 'confidence')],
});

export class Signal extends SignalSchema.class {}
SignalSchema.setClass(Signal);

/**
 * AI trade proposals awaiting a decision. Status moves only along TRADE_IDEA_TRANSITIONS, checked by
 * the core's assertTransition: the services call it before every status write, and a beforeUpdate
 * hook calls it for writers through the unit of work.
 * Refinement (docs/domain.md): the entry_range is two exact columns (entry_range_low/high) rather than one JSON
 * value, so the bounds stay Decimals. expires_at goes with the `expired` status. decided_by is the
 * actor (user email, 'ai' or 'risk'), like decision_history.actor.
 * Delete rules: portfolio/strategy/asset restricted (audited decisions point here); signal set null
 * (signals can be pruned).
 */
export const TradeIdeaSchema = defineEntity({
  name: 'TradeIdea',
  tableName: 'trade_ideas',
  properties: {
    id: p.integer().primary().autoincrement(),
    portfolio: () => p.manyToOne(Portfolio).nullable().deleteRule('restrict').index(false),
    signal: () => p.manyToOne(Signal).nullable().deleteRule('set null').index('trade_ideas_signal_id_index'),
    strategy: () =>
      p.manyToOne(Strategy).nullable().deleteRule('restrict').index('trade_ideas_strategy_id_index'),
    asset: () => p.manyToOne(Asset).deleteRule('restrict').index(false),
    direction: p.enum(DIRECTIONS),
    /** The size the risk gate judged; orders placed for the idea may not exceed it in total. */
    quantity: decimal().nullable(),
    entryPrice: decimal().nullable(),
    entryRangeLow: decimal().nullable(),
    entryRangeHigh: decimal().nullable(),
    stopLoss: decimal().nullable(),
    takeProfit: decimal().nullable(),
    expectedHold: p.string().length(32).nullable(),
    rationale: p.text().nullable(),
    confidence: p.double().nullable(),
    status: p.enum(TRADE_IDEA_STATUSES).default('waiting'),
    snapshotRef: p.string().length(255).nullable(),
    decidedBy: p.string().length(320).nullable(),
    decidedAt: p.datetime().nullable(),
    expiresAt: p.datetime().nullable(),
    ...provenance(),
    ...timestamps(),
  },
  indexes: [
    { name: 'trade_ideas_status_created_at_index', properties: ['status', 'createdAt'] },
    // changed_since sync over HTTP (?changed_since=) reads a portfolio's rows by updated_at.
    { name: 'trade_ideas_portfolio_id_updated_at_index', properties: ['portfolio', 'updatedAt'] },
    { name: 'trade_ideas_portfolio_id_status_index', properties: ['portfolio', 'status'] },
    { name: 'trade_ideas_asset_id_created_at_index', properties: ['asset', 'createdAt'] },
    { name: 'trade_ideas_test_mode_created_at_index', properties: ['testMode', 'createdAt'] },
  ],
  checks: [unitIntervalCheck('trade_ideas', 'confidence')],
});

export class TradeIdea extends TradeIdeaSchema.class {}
TradeIdeaSchema.setClass(TradeIdea);

// Writers through the unit of work: a status change goes through the same check as the services'
// (execution/ideas.ts moveIdea), assertTransition; a write of other fields keeps the status.
TradeIdeaSchema.addHook('beforeUpdate', (args: EventArgs<TradeIdea>) => {
  const from = args.changeSet?.originalEntity?.status as TradeIdeaStatus | undefined;
  const to = args.entity.status;
  if (from !== undefined && from !== to) assertTransition('trade_idea', from, to);
});

/**
 * Orders sent (or to be sent) to a venue. client_order_id is ours and unique (idempotent
 * submission); exchange_order_id is the venue's, indexed for reconciliation. The venue is the
 * asset's. Portfolio and asset are restricted (orders are the accounting source); trade idea and
 * signal are set null (context that may be pruned; the order keeps its own terms).
 * Refinements: time_in_force, reject_reason and submitted_at, needed to reconcile with a venue.
 * Limit/stop prices are required exactly when the order type uses them (CHECKs).
 */
export const OrderSchema = defineEntity({
  name: 'Order',
  tableName: 'orders',
  properties: {
    id: p.integer().primary().autoincrement(),
    portfolio: () => p.manyToOne(Portfolio).deleteRule('restrict').index(false),
    tradeIdea: () =>
      p.manyToOne(TradeIdea).nullable().deleteRule('set null').index('orders_trade_idea_id_index'),
    signal: () => p.manyToOne(Signal).nullable().deleteRule('set null').index('orders_signal_id_index'),
    asset: () => p.manyToOne(Asset).deleteRule('restrict').index(false),
    side: p.enum(SIDES),
    type: p.enum(ORDER_TYPES),
    timeInForce: p.enum(TIME_IN_FORCE).nullable(),
    quantity: decimal(),
    limitPrice: decimal().nullable(),
    stopPrice: decimal().nullable(),
    status: p.enum(ORDER_STATUSES).default('new'),
    clientOrderId: p.string().length(64).unique('orders_client_order_id_unique'),
    exchangeOrderId: p.string().length(128).nullable().index('orders_exchange_order_id_index'),
    rejectReason: p.text().nullable(),
    submittedAt: p.datetime().nullable(),
    ...provenance(),
    ...timestamps(),
  },
  indexes: [
    { name: 'orders_portfolio_id_status_index', properties: ['portfolio', 'status'] },
    { name: 'orders_portfolio_id_updated_at_index', properties: ['portfolio', 'updatedAt'] },
    { name: 'orders_asset_id_created_at_index', properties: ['asset', 'createdAt'] },
    { name: 'orders_test_mode_created_at_index', properties: ['testMode', 'createdAt'] },
  ],
  checks: [
    positiveDecimalCheck('orders', 'quantity'),
    // No ", " inside CHECK text: MikroORM 7.2 splits SQLite table constraints on ", " when
    // introspecting, so a spaced list would read back as a different (broken) check.
    { name: 'orders_limit_price_check', expression: "limit_price is not null or type in ('market','stop')" },
    { name: 'orders_stop_price_check', expression: "stop_price is not null or type in ('market','limit')" },
  ],
});

export class Order extends OrderSchema.class {}
OrderSchema.setClass(Order);

/**
 * Executions of an order. Cascade with the order: a fill has no meaning without it (and orders
 * themselves are restricted by their portfolio). The venue is stored on the fill so the venue's
 * trade id can be unique per venue at the database level: unique (venue, exchange_trade_id);
 * paper fills have no exchange id (NULLs never collide).
 * Fees can be negative (maker rebates), so they have no sign check.
 */
export const FillSchema = defineEntity({
  name: 'Fill',
  tableName: 'fills',
  properties: {
    id: p.integer().primary().autoincrement(),
    order: () => p.manyToOne(Order).deleteRule('cascade').index('fills_order_id_index'),
    venue: p.string().length(64),
    quantity: decimal(),
    price: decimal(),
    fee: money()
      .onCreate(() => new Decimal(0))
      .defaultRaw('0'),
    feeCurrency: p.string().length(16).nullable(),
    liquidity: p.enum(LIQUIDITY_ROLES).nullable(),
    ts: p.datetime(),
    exchangeTradeId: p.string().length(128).nullable(),
    ...provenance(),
    createdAt: createdAt(),
  },
  uniques: [{ name: 'fills_venue_exchange_trade_id_unique', properties: ['venue', 'exchangeTradeId'] }],
  indexes: [
    { name: 'fills_ts_index', properties: ['ts'] },
    { name: 'fills_test_mode_ts_index', properties: ['testMode', 'ts'] },
  ],
  checks: [positiveDecimalCheck('fills', 'quantity')],
});

export class Fill extends FillSchema.class {}
FillSchema.setClass(Fill);

/**
 * Round trips (open and closed) with attribution, live and backtest.
 * Delete rules: portfolio, strategy and asset restricted (a strategy with trades cannot vanish);
 * signal and trade idea set null (prunable context); backtest_run cascade (a backtest's trades are
 * part of the run's result and mean nothing without it).
 * CHECKs: a backtest trade belongs to a run and only then; a non-backtest trade has a portfolio;
 * an `open` trade has no exit yet and a closed one has both exit time and price.
 * pnl is realized P&L net of fees in the quote currency (the designs' pnl_usd); pnl_r is the R
 * multiple relative to the initial risk (entry to stop_loss), an exact ratio as the trading core
 * computes it (the designs' float), so stop_loss/take_profit are kept as well.
 * external_ref is the designs' trade_id (an id from the originating system).
 */
export const TradeSchema = defineEntity({
  name: 'Trade',
  tableName: 'trades',
  properties: {
    id: p.integer().primary().autoincrement(),
    portfolio: () => p.manyToOne(Portfolio).nullable().deleteRule('restrict').index(false),
    strategy: () => p.manyToOne(Strategy).nullable().deleteRule('restrict').index(false),
    signal: () => p.manyToOne(Signal).nullable().deleteRule('set null').index('trades_signal_id_index'),
    tradeIdea: () =>
      p.manyToOne(TradeIdea).nullable().deleteRule('set null').index('trades_trade_idea_id_index'),
    asset: () => p.manyToOne(Asset).deleteRule('restrict').index(false),
    direction: p.enum(DIRECTIONS),
    entryPrice: decimal(),
    exitPrice: decimal().nullable(),
    entryTime: p.datetime(),
    exitTime: p.datetime().nullable(),
    quantity: decimal(),
    stopLoss: decimal().nullable(),
    takeProfit: decimal().nullable(),
    fees: money()
      .onCreate(() => new Decimal(0))
      .defaultRaw('0'),
    pnl: money().nullable(),
    pnlR: decimal().nullable(),
    // Exact running sums the average prices are derived from (src/trading/round-trips.ts): averaging
    // the rounded averages again on every fill would compound rounding. Null for imported trades.
    entryValue: money().nullable(),
    exitQuantity: decimal().nullable(),
    exitValue: money().nullable(),
    outcome: p.enum(TRADE_OUTCOMES).default('open'),
    reasoning: p.text().nullable(),
    confidence: p.double().nullable(),
    isBacktest: p.boolean().default(false),
    backtestRun: () =>
      p.manyToOne(BacktestRun).nullable().deleteRule('cascade').index('trades_backtest_run_id_index'),
    externalRef: p.string().length(255).nullable(),
    ...provenance(),
    ...timestamps(),
  },
  indexes: [
    { name: 'trades_portfolio_id_entry_time_index', properties: ['portfolio', 'entryTime'] },
    { name: 'trades_portfolio_id_updated_at_index', properties: ['portfolio', 'updatedAt'] },
    { name: 'trades_strategy_id_entry_time_index', properties: ['strategy', 'entryTime'] },
    { name: 'trades_asset_id_entry_time_index', properties: ['asset', 'entryTime'] },
    { name: 'trades_test_mode_entry_time_index', properties: ['testMode', 'entryTime'] },
    { name: 'trades_is_backtest_entry_time_index', properties: ['isBacktest', 'entryTime'] },
    { name: 'trades_outcome_index', properties: ['outcome'] },
  ],
  checks: [
    positiveDecimalCheck('trades', 'quantity'),
    unitIntervalCheck('trades', 'confidence'),
    {
      name: 'trades_backtest_run_check',
      expression:
        '(is_backtest = true and backtest_run_id is not null) or (is_backtest = false and backtest_run_id is null)',
    },
    {
      name: 'trades_portfolio_check',
      expression: 'portfolio_id is not null or is_backtest = true',
    },
    {
      name: 'trades_exit_check',
      expression:
        "(outcome = 'open' and exit_time is null) or " +
        "(outcome <> 'open' and exit_time is not null and exit_price is not null)",
    },
  ],
});

export class Trade extends TradeSchema.class {}
TradeSchema.setClass(Trade);

/**
 * The audit trail of every decision, append-only: the ORM refuses updates and deletes (hooks
 * below), and everything it references is restricted so audited rows cannot lose their context.
 * actor is who decided: 'ai', 'risk', or a user's email.
 */
export const DecisionHistorySchema = defineEntity({
  name: 'DecisionHistory',
  tableName: 'decision_history',
  properties: {
    id: p.integer().primary().autoincrement(),
    occurredAt: p.datetime(),
    portfolio: () => p.manyToOne(Portfolio).nullable().deleteRule('restrict').index(false),
    asset: () => p.manyToOne(Asset).nullable().deleteRule('restrict').index(false),
    action: p.enum(DECISION_ACTIONS),
    actor: p.string().length(320),
    rationale: p.text().nullable(),
    confidence: p.double().nullable(),
    riskCheckResult: p.json<Record<string, unknown>>().nullable(),
    strategy: () =>
      p.manyToOne(Strategy).nullable().deleteRule('restrict').index('decision_history_strategy_id_index'),
    tradeIdea: () =>
      p.manyToOne(TradeIdea).nullable().deleteRule('restrict').index('decision_history_trade_idea_id_index'),
    snapshotRef: p.string().length(255).nullable(),
    humanOverride: p.boolean().default(false),
    ...provenance(),
  },
  indexes: [
    { name: 'decision_history_portfolio_id_occurred_at_index', properties: ['portfolio', 'occurredAt'] },
    { name: 'decision_history_asset_id_occurred_at_index', properties: ['asset', 'occurredAt'] },
    { name: 'decision_history_action_occurred_at_index', properties: ['action', 'occurredAt'] },
    { name: 'decision_history_occurred_at_index', properties: ['occurredAt'] },
    { name: 'decision_history_test_mode_occurred_at_index', properties: ['testMode', 'occurredAt'] },
  ],
  checks: [unitIntervalCheck('decision_history', 'confidence')],
});

export class DecisionHistory extends DecisionHistorySchema.class {}
DecisionHistorySchema.setClass(DecisionHistory);

function refuseAuditChange(args: EventArgs<DecisionHistory>): void {
  throw new Error(`decision_history is append-only (row ${args.entity.id})`);
}
DecisionHistorySchema.addHook('beforeUpdate', refuseAuditChange);
DecisionHistorySchema.addHook('beforeDelete', refuseAuditChange);
