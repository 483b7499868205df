import { defineEntity, p } from '@mikro-orm/core';
import { DIRECTIONS, positiveDecimalCheck, provenance, timestamps, unitIntervalCheck } from './common.ts';
import { User } from './identity-tables.ts';
import { Asset } from './market-data-tables.ts';
import { Decimal, decimal, money } from './types/decimal.ts';

export const PORTFOLIO_MODES = ['live', 'paper', 'backtest'] as const;
export type PortfolioMode = (typeof PORTFOLIO_MODES)[number];

export const PORTFOLIO_STATUSES = ['active', 'paused', 'closed'] as const;
export type PortfolioStatus = (typeof PORTFOLIO_STATUSES)[number];

export const POSITION_STATUSES = ['open', 'closed'] as const;
export type PositionStatus = (typeof POSITION_STATUSES)[number];

/**
 * A book of money run by one strategy type. Owners cannot be deleted while they own portfolios
 * (restrict): a portfolio carries trading history. Close it (status `closed`) instead of deleting.
 *
 * Not stored here although one design kept them on the portfolio row (total_invested,
 * total_profit_loss, trade_count, wins/losses, avg_trade_pnl, max_drawdown, last_trade_at,
 * last_price_update): they are derived, so they live in `portfolio_snapshots` (invested, P&L, trade
 * count, taken_at) and `strategy_performance` (per-portfolio wins, win rate, drawdown), and
 * last_trade_at is one indexed query on `trades`. Keeping copies here would let them disagree.
 * `strategy_type` is a free label for grouping (strategies themselves are linked from signals and
 * trades). Risk limits: null means "no limit at this level".
 */
export const PortfolioSchema = defineEntity({
  name: 'Portfolio',
  tableName: 'portfolios',
  properties: {
    id: p.integer().primary().autoincrement(),
    owner: () => p.manyToOne(User).deleteRule('restrict').index(false),
    name: p.string().length(255),
    description: p.text().nullable(),
    baseCurrency: p.string().length(16).default('USD'),
    strategyType: p.string().length(100).nullable(),
    mode: p.enum(PORTFOLIO_MODES).default('paper'),
    status: p.enum(PORTFOLIO_STATUSES).default('active'),
    initialBalance: money(),
    cashBalance: money(),
    maxPositionSize: money().nullable(),
    maxTotalExposure: money().nullable(),
    maxPositions: p.integer().nullable(),
    strategyConfig: p.json<Record<string, unknown>>().nullable(),
    ...timestamps(),
  },
  uniques: [{ name: 'portfolios_owner_id_name_unique', properties: ['owner', 'name'] }],
  indexes: [{ name: 'portfolios_status_strategy_type_index', properties: ['status', 'strategyType'] }],
});

export class Portfolio extends PortfolioSchema.class {}
PortfolioSchema.setClass(Portfolio);

/**
 * Net holding of one asset in one portfolio, derived from fills (the fills are the truth; this row
 * is their running aggregate and must be rebuilt from them after any correction).
 * Cascades with its portfolio: a position means nothing without its book. The asset is restricted:
 * an instrument someone holds cannot disappear.
 * At most one open position per (portfolio, asset, direction): a partial unique index, so a second
 * open row for the same exposure is a bug the database rejects. Closed rows are kept as history.
 * `side` is long/short (a position's direction, not an order side). Refinements over docs/domain.md:
 * cost_basis, the exact entry value of the open quantity that the trading core accounts with
 * (average_entry_price = cost_basis / quantity rounded to 18 places, kept for display);
 * average_exit_price (the designs kept exit_price); unrealized_pnl/mark_price/marked_at for the
 * designs' current_pnl (a mark-to-market value, so it carries the price and time of the mark).
 * CHECKs: quantity ≥ 0 (0 once closed) and closed_at is set exactly when the position is closed.
 */
export const PositionSchema = defineEntity({
  name: 'Position',
  tableName: 'positions',
  properties: {
    id: p.integer().primary().autoincrement(),
    portfolio: () => p.manyToOne(Portfolio).deleteRule('cascade').index(false),
    asset: () => p.manyToOne(Asset).deleteRule('restrict').index('positions_asset_id_index'),
    side: p.enum(DIRECTIONS),
    quantity: decimal(),
    averageEntryPrice: decimal(),
    averageExitPrice: decimal().nullable(),
    costBasis: money(),
    realizedPnl: money()
      .onCreate(() => new Decimal(0))
      .defaultRaw('0'),
    unrealizedPnl: money().nullable(),
    markPrice: decimal().nullable(),
    markedAt: p.datetime().nullable(),
    openedAt: p.datetime(),
    closedAt: p.datetime().nullable(),
    status: p.enum(POSITION_STATUSES).default('open'),
    ...provenance(),
    ...timestamps(),
  },
  indexes: [
    { name: 'positions_portfolio_id_status_index', properties: ['portfolio', 'status'] },
    { name: 'positions_portfolio_id_updated_at_index', properties: ['portfolio', 'updatedAt'] },
    { name: 'positions_test_mode_status_index', properties: ['testMode', 'status'] },
  ],
  checks: [
    positiveDecimalCheck('positions', 'quantity', true),
    {
      name: 'positions_closed_at_check',
      expression: "(status = 'open' and closed_at is null) or (status = 'closed' and closed_at is not null)",
    },
  ],
  uniques: [
    {
      name: 'positions_one_open_per_asset_side_unique',
      properties: ['portfolio', 'asset', 'side', 'testMode'],
      where: "status = 'open'",
    },
  ],
});

export class Position extends PositionSchema.class {}
PositionSchema.setClass(Position);

/**
 * The portfolio's equity curve: one row per valuation. Cascades with the portfolio (its own
 * history). cash/equity/invested are the designs' balance/total_value/total_invested;
 * realized + unrealized P&L replace their single total_profit_loss; the day of a snapshot
 * (their snapshot_date) is derived from taken_at.
 */
export const PortfolioSnapshotSchema = defineEntity({
  name: 'PortfolioSnapshot',
  tableName: 'portfolio_snapshots',
  properties: {
    id: p.integer().primary().autoincrement(),
    portfolio: () => p.manyToOne(Portfolio).deleteRule('cascade').index(false),
    takenAt: p.datetime(),
    cash: money(),
    equity: money(),
    invested: money(),
    realizedPnl: money(),
    unrealizedPnl: money(),
    openPositions: p.integer(),
    tradeCount: p.integer(),
    ...provenance(),
  },
  indexes: [
    { name: 'portfolio_snapshots_portfolio_id_taken_at_index', properties: ['portfolio', 'takenAt'] },
    { name: 'portfolio_snapshots_test_mode_taken_at_index', properties: ['testMode', 'takenAt'] },
  ],
});

export class PortfolioSnapshot extends PortfolioSnapshotSchema.class {}
PortfolioSnapshotSchema.setClass(PortfolioSnapshot);

/**
 * Broker account state as the broker reports it (margin accounts), one row per capture.
 * Refinement: an optional portfolio (cascade, like its other snapshots) and the broker's account
 * reference, because several portfolios may trade through different accounts.
 */
export const AccountSnapshotSchema = defineEntity({
  name: 'AccountSnapshot',
  tableName: 'account_snapshots',
  properties: {
    id: p.integer().primary().autoincrement(),
    portfolio: () => p.manyToOne(Portfolio).nullable().deleteRule('cascade').index(false),
    accountRef: p.string().length(128).nullable(),
    balance: money(),
    equity: money(),
    marginUsed: money(),
    marginFree: money(),
    openPl: money(),
    openPositions: p.integer(),
    capturedAt: p.datetime(),
    ...provenance(),
  },
  indexes: [
    { name: 'account_snapshots_portfolio_id_captured_at_index', properties: ['portfolio', 'capturedAt'] },
    { name: 'account_snapshots_captured_at_index', properties: ['capturedAt'] },
    { name: 'account_snapshots_test_mode_captured_at_index', properties: ['testMode', 'capturedAt'] },
  ],
});

export class AccountSnapshot extends AccountSnapshotSchema.class {}
AccountSnapshotSchema.setClass(AccountSnapshot);

/**
 * The AI control panel. Exactly one global row (portfolio_id null) plus at most one override row
 * per portfolio; overrides cascade with their portfolio.
 *
 * Both rules come from one unique expression index on coalesce(portfolio_id, 0): NULLs are distinct
 * in ordinary unique indexes (on both databases), so `unique (portfolio_id)` alone would allow many
 * global rows. Portfolio ids start at 1, so 0 can only mean "global". The same SQL works on SQLite
 * and PostgreSQL, and MikroORM compares expression indexes by name, so it never shows up as drift.
 * The threshold is a 0..1 confidence (double, like every confidence); amounts are exact.
 */
export const RiskConfigSchema = defineEntity({
  name: 'RiskConfig',
  tableName: 'risk_configs',
  properties: {
    id: p.integer().primary().autoincrement(),
    portfolio: () =>
      p.manyToOne(Portfolio).nullable().deleteRule('cascade').index('risk_configs_portfolio_id_index'),
    aiTradingEnabled: p.boolean().default(false),
    minConfidenceThreshold: p.double().default(0.7),
    maxLotSize: decimal().nullable(),
    maxConcurrentTrades: p.integer().nullable(),
    dailyProfitTarget: money().nullable(),
    stopAfterTarget: p.boolean().default(false),
    maxDrawdownAmount: money().nullable(),
    haltOnDrawdown: p.boolean().default(true),
    allowOffWatchlistAutotrade: p.boolean().default(false),
    lastHaltReason: p.text().nullable(),
    lastHaltAt: p.datetime().nullable(),
    ...timestamps(),
  },
  indexes: [
    {
      name: 'risk_configs_scope_unique',
      expression:
        'create unique index "risk_configs_scope_unique" on "risk_configs" ((coalesce("portfolio_id", 0)))',
    },
  ],
  checks: [unitIntervalCheck('risk_configs', 'min_confidence_threshold')],
});

export class RiskConfig extends RiskConfigSchema.class {}
RiskConfigSchema.setClass(RiskConfig);
