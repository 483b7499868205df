/** Wire shapes of portfolios, risk configs, signals, trade ideas, orders, fills, positions, trades, decisions. */
import { z } from 'zod';
import {
  DIRECTIONS,
  LIQUIDITY_ROLES,
  ORDER_TYPES,
  SIDES,
  SIGNAL_ACTIONS,
  TIME_IN_FORCE,
  TRADE_OUTCOMES,
} from '../../entities/all-tables.ts';
import { PORTFOLIO_MODES, PORTFOLIO_STATUSES } from '../../entities/portfolio-tables.ts';
import { confidence, decimal, decimalOut, idOut, jsonObject, time, timeOut } from './common.ts';

const provenanceOut = { test_mode: z.boolean(), bot_version: z.string().nullable() };
const provenanceIn = { test_mode: z.boolean().optional(), bot_version: z.string().max(64).optional() };
const stamps = { created_at: timeOut, updated_at: timeOut };

export const newPortfolio = z.object({
  name: z.string().max(255),
  base_currency: z.string().max(16).default('USD'),
  initial_balance: decimal,
  mode: z.enum(PORTFOLIO_MODES).optional(),
  description: z.string().nullable().optional(),
  strategy_type: z.string().max(100).nullable().optional(),
  max_position_size: decimal.nullable().optional(),
  max_total_exposure: decimal.nullable().optional(),
  max_positions: z.number().int().min(0).nullable().optional(),
  strategy_config: jsonObject.nullable().optional(),
  owner_id: z
    .number()
    .int()
    .positive()
    .optional()
    .meta({ description: 'admin only: open it for another user' }),
});
export const portfolioChange = z.object({
  name: z.string().max(255).optional(),
  status: z.enum(PORTFOLIO_STATUSES).optional(),
  description: z.string().nullable().optional(),
  strategy_type: z.string().max(100).nullable().optional(),
  max_position_size: decimal.nullable().optional(),
  max_total_exposure: decimal.nullable().optional(),
  max_positions: z.number().int().min(0).nullable().optional(),
  strategy_config: jsonObject.nullable().optional(),
});
export const portfolio = z
  .object({
    id: idOut,
    owner_id: idOut,
    name: z.string(),
    description: z.string().nullable(),
    base_currency: z.string(),
    strategy_type: z.string().nullable(),
    mode: z.enum(PORTFOLIO_MODES),
    status: z.enum(PORTFOLIO_STATUSES),
    initial_balance: decimalOut,
    cash_balance: decimalOut,
    max_position_size: decimalOut.nullable(),
    max_total_exposure: decimalOut.nullable(),
    max_positions: z.number().int().nullable(),
    strategy_config: jsonObject.nullable(),
    ...stamps,
  })
  .meta({ id: 'Portfolio' });

export const riskConfigPatch = z.object({
  ai_trading_enabled: z.boolean().optional(),
  min_confidence_threshold: confidence.optional(),
  max_lot_size: decimal.nullable().optional(),
  max_concurrent_trades: z.number().int().min(0).nullable().optional(),
  daily_profit_target: decimal.nullable().optional(),
  stop_after_target: z.boolean().optional(),
  max_drawdown_amount: decimal.nullable().optional(),
  halt_on_drawdown: z.boolean().optional(),
  allow_off_watchlist_autotrade: z.boolean().optional(),
});
export const riskConfig = z
  .object({
    id: idOut,
    portfolio_id: idOut.nullable(),
    ai_trading_enabled: z.boolean(),
    min_confidence_threshold: z.number(),
    max_lot_size: decimalOut.nullable(),
    max_concurrent_trades: z.number().int().nullable(),
    daily_profit_target: decimalOut.nullable(),
    stop_after_target: z.boolean(),
    max_drawdown_amount: decimalOut.nullable(),
    halt_on_drawdown: z.boolean(),
    allow_off_watchlist_autotrade: z.boolean(),
    last_halt_reason: z.string().nullable(),
    last_halt_at: timeOut.nullable(),
    ...stamps,
  })
  .meta({ id: 'RiskConfig' });

export const snapshot = z
  .object({
    id: idOut,
    portfolio_id: idOut,
    taken_at: timeOut,
    cash: decimalOut,
    equity: decimalOut,
    invested: decimalOut,
    realized_pnl: decimalOut,
    unrealized_pnl: decimalOut,
    open_positions: z.number().int(),
    trade_count: z.number().int(),
    ...provenanceOut,
  })
  .meta({ id: 'PortfolioSnapshot' });

export const signal = z
  .object({
    id: idOut,
    portfolio_id: idOut.nullable(),
    strategy_id: idOut.nullable(),
    strategy_version: z.string(),
    asset_id: idOut,
    ts: timeOut,
    price: decimalOut,
    action: z.enum(SIGNAL_ACTIONS),
    confidence: z.number(),
    aggregation_method: z.string().nullable(),
    components: jsonObject.nullable(),
    reason: z.string().nullable(),
    target_price: decimalOut.nullable(),
    quantity: decimalOut.nullable(),
    executed: z.boolean(),
    executed_at: timeOut.nullable(),
    ...provenanceOut,
  })
  .meta({ id: 'Signal' });

const ideaTerms = {
  quantity: decimal.optional(),
  stop_loss: decimal.optional(),
  take_profit: decimal.optional(),
  entry_range_low: decimal.optional(),
  entry_range_high: decimal.optional(),
  expected_hold: z.string().max(32).optional(),
  rationale: z.string().optional(),
  snapshot_ref: z.string().max(255).optional(),
  expires_at: time.optional(),
};

export const newSignal = z.object({
  portfolio_id: z.number().int().positive().optional(),
  strategy_id: z.number().int().positive().optional(),
  strategy_version: z.string().max(64).optional(),
  asset_id: z.number().int().positive(),
  ts: time.optional(),
  price: decimal,
  action: z.enum(SIGNAL_ACTIONS),
  confidence,
  aggregation_method: z.string().max(64).optional(),
  components: jsonObject.optional(),
  reason: z.string().optional(),
  target_price: decimal.optional(),
  quantity: decimal.optional(),
  ...provenanceIn,
  act: z
    .boolean()
    .default(false)
    .meta({ description: 'run the chain: idea through the risk gate, order and fill when auto-executed' }),
  idea: z.object(ideaTerms).optional(),
  order: z
    .object({
      type: z.enum(ORDER_TYPES).optional(),
      limit_price: decimal.optional(),
      stop_price: decimal.optional(),
      time_in_force: z.enum(TIME_IN_FORCE).optional(),
      client_order_id: z.string().max(64).optional(),
      exchange_order_id: z.string().max(128).optional(),
    })
    .optional(),
  fill: z
    .object({
      price: decimal.optional(),
      quantity: decimal.optional(),
      fee: decimal.optional(),
      fee_currency: z.string().max(16).optional(),
      ts: time.optional(),
      exchange_trade_id: z.string().max(128).optional(),
    })
    .optional()
    .meta({ description: 'fill the auto-executed order at once (paper trading or an immediate report)' }),
});

export const idea = z
  .object({
    id: idOut,
    portfolio_id: idOut.nullable(),
    signal_id: idOut.nullable(),
    strategy_id: idOut.nullable(),
    asset_id: idOut,
    direction: z.enum(DIRECTIONS),
    quantity: decimalOut.nullable(),
    entry_price: decimalOut.nullable(),
    entry_range_low: decimalOut.nullable(),
    entry_range_high: decimalOut.nullable(),
    stop_loss: decimalOut.nullable(),
    take_profit: decimalOut.nullable(),
    expected_hold: z.string().nullable(),
    rationale: z.string().nullable(),
    confidence: z.number().nullable(),
    status: z.string(),
    snapshot_ref: z.string().nullable(),
    decided_by: z.string().nullable(),
    decided_at: timeOut.nullable(),
    expires_at: timeOut.nullable(),
    ...provenanceOut,
    ...stamps,
  })
  .meta({ id: 'TradeIdea' });

export const newIdea = z.object({
  signal_id: z.number().int().positive().optional(),
  portfolio_id: z.number().int().positive().optional(),
  strategy_id: z.number().int().positive().optional(),
  asset_id: z.number().int().positive().optional(),
  direction: z.enum(DIRECTIONS).optional(),
  entry_price: decimal.optional(),
  confidence: confidence.optional(),
  ...ideaTerms,
  ...provenanceIn,
  queue: z
    .boolean()
    .default(false)
    .meta({ description: 'store it waiting; POST /trade-ideas/{id}/evaluate runs the gate later' }),
});

export const decision = z
  .object({
    id: idOut,
    occurred_at: timeOut,
    portfolio_id: idOut.nullable(),
    asset_id: idOut.nullable(),
    action: z.string(),
    actor: z.string(),
    rationale: z.string().nullable(),
    confidence: z.number().nullable(),
    risk_check_result: jsonObject.nullable(),
    strategy_id: idOut.nullable(),
    trade_idea_id: idOut.nullable(),
    snapshot_ref: z.string().nullable(),
    human_override: z.boolean(),
    ...provenanceOut,
  })
  .meta({ id: 'Decision' });

export const verdict = z.object({ reason: z.string().optional() });
export const decided = z.object({ idea, decision });
export const proposal = z.object({
  idea,
  verdict: z.string().meta({ description: 'auto_executed, needs_approval or halted_by_risk' }),
  risk: jsonObject,
  decision,
});

export const order = z
  .object({
    id: idOut,
    portfolio_id: idOut,
    trade_idea_id: idOut.nullable(),
    signal_id: idOut.nullable(),
    asset_id: idOut,
    side: z.enum(SIDES),
    type: z.enum(ORDER_TYPES),
    time_in_force: z.enum(TIME_IN_FORCE).nullable(),
    quantity: decimalOut,
    filled_quantity: decimalOut,
    filled_value: decimalOut,
    remaining_quantity: decimalOut,
    average_fill_price: decimalOut.nullable(),
    limit_price: decimalOut.nullable(),
    stop_price: decimalOut.nullable(),
    status: z.string(),
    client_order_id: z.string(),
    exchange_order_id: z.string().nullable(),
    reject_reason: z.string().nullable(),
    submitted_at: timeOut.nullable(),
    ...provenanceOut,
    ...stamps,
  })
  .meta({ id: 'Order' });

export const newOrder = z.object({
  portfolio_id: z.number().int().positive(),
  asset_id: z.number().int().positive(),
  side: z.enum(SIDES),
  type: z.enum(ORDER_TYPES).optional(),
  time_in_force: z.enum(TIME_IN_FORCE).optional(),
  quantity: decimal,
  limit_price: decimal.optional(),
  stop_price: decimal.optional(),
  client_order_id: z.string().max(64).optional(),
  exchange_order_id: z.string().max(128).optional(),
  trade_idea_id: z.number().int().positive().optional(),
  signal_id: z.number().int().positive().optional(),
  submitted_at: time.optional(),
  ...provenanceIn,
});
export const orderChange = z.object({
  reason: z.string().optional(),
  exchange_order_id: z.string().max(128).optional(),
});

export const fill = z
  .object({
    id: idOut,
    order_id: idOut,
    venue: z.string(),
    quantity: decimalOut,
    price: decimalOut,
    fee: decimalOut,
    fee_currency: z.string().nullable(),
    liquidity: z.enum(LIQUIDITY_ROLES).nullable(),
    ts: timeOut,
    exchange_trade_id: z.string().nullable(),
    ...provenanceOut,
    created_at: timeOut,
  })
  .meta({ id: 'Fill' });
export const newFill = z.object({
  quantity: decimal,
  price: decimal,
  fee: decimal.optional(),
  fee_currency: z.string().max(16).optional(),
  liquidity: z.enum(LIQUIDITY_ROLES).optional(),
  ts: time.optional(),
  exchange_trade_id: z.string().max(128).optional(),
  venue: z.string().max(64).optional(),
  bot_version: z.string().max(64).optional(),
});

export const position = z
  .object({
    id: idOut,
    portfolio_id: idOut,
    asset_id: idOut,
    side: z.enum(DIRECTIONS),
    quantity: decimalOut,
    average_entry_price: decimalOut,
    average_exit_price: decimalOut.nullable(),
    cost_basis: decimalOut,
    realized_pnl: decimalOut,
    unrealized_pnl: decimalOut.nullable(),
    mark_price: decimalOut.nullable(),
    marked_at: timeOut.nullable(),
    opened_at: timeOut,
    closed_at: timeOut.nullable(),
    status: z.string(),
    ...provenanceOut,
    ...stamps,
  })
  .meta({ id: 'Position' });

export const trade = z
  .object({
    id: idOut,
    portfolio_id: idOut.nullable(),
    strategy_id: idOut.nullable(),
    signal_id: idOut.nullable(),
    trade_idea_id: idOut.nullable(),
    asset_id: idOut,
    direction: z.enum(DIRECTIONS),
    entry_price: decimalOut,
    exit_price: decimalOut.nullable(),
    entry_time: timeOut,
    exit_time: timeOut.nullable(),
    quantity: decimalOut,
    stop_loss: decimalOut.nullable(),
    take_profit: decimalOut.nullable(),
    fees: decimalOut,
    pnl: decimalOut.nullable(),
    pnl_r: decimalOut.nullable(),
    entry_value: decimalOut.nullable(),
    exit_quantity: decimalOut.nullable(),
    exit_value: decimalOut.nullable(),
    outcome: z.enum(TRADE_OUTCOMES),
    reasoning: z.string().nullable(),
    confidence: z.number().nullable(),
    is_backtest: z.boolean(),
    backtest_run_id: idOut.nullable(),
    external_ref: z.string().nullable(),
    ...provenanceOut,
    ...stamps,
  })
  .meta({ id: 'Trade' });

export const fillResult = z.object({
  fill,
  order,
  position: position.nullable(),
  closed_position: position.nullable(),
  trade: trade.nullable(),
  opened_trade: trade.nullable(),
  realized_pnl: decimalOut,
  cash_delta: decimalOut,
  cash_balance: decimalOut,
  duplicate: z.boolean(),
});

export const chainResult = z.object({
  signal,
  idea: idea.nullable(),
  verdict: z.string().nullable(),
  decision: decision.nullable(),
  order: order.nullable(),
  fill: fill.nullable(),
  position: position.nullable(),
});

/** Why a trade happened: signal → idea → decisions → orders → fills → the trade. */
export const tradeChain = z
  .object({
    signal: signal.nullable(),
    idea: idea.nullable(),
    decisions: z.array(decision),
    orders: z.array(order),
    fills: z.array(fill),
    trade,
  })
  .meta({ id: 'TradeChain' });
