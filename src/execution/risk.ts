/**
 * Feeds the trading core's risk gate (src/trading/risk-gate.ts) from the database: the effective
 * config (global row merged with the portfolio's override) and the context its rules need.
 *
 * Context definitions (scoped to the idea's portfolio and test_mode, live trades only):
 * - openTradeCount: open positions of the portfolio. Each open position has exactly one open round
 *   trip (the fill path keeps them in step), and positions have the (portfolio, status) index.
 * - todaysRealizedPnl: Σ pnl of round trips closed since 00:00 UTC today.
 * - currentDrawdown: the equity curve is the initial balance plus the cumulative pnl of closed
 *   round trips in exit order, and its current point adds the open positions (their realized P&L
 *   so far plus their unrealized P&L at the latest candle close; a position with no candle counts
 *   at cost). Drawdown = the curve's peak (the current point included) minus the current point, so
 *   an open position losing money counts before it is closed.
 * - the portfolio's own limits (max_positions, max_position_size, max_total_exposure): its open
 *   positions and its working orders (`loadOpenExposure`).
 * A context value is only read when the effective config has the limit that uses it (a null limit
 * passes without looking), which keeps the gate to one or two queries on the hot path.
 */
import type { Decimal } from 'decimal.js';
import { loadPortfolio } from '../portfolios/portfolios.ts';
import { loadOpenPositions, type PositionView } from '../portfolios/positions.ts';
import { loadRiskConfigs, type RiskConfigs } from '../portfolios/risk-configs.ts';
import { latestClose, markOpenPositions } from '../portfolios/snapshots.ts';
import { exact, ZERO } from '../trading/exact.ts';
import {
  type HeldPosition,
  hasPortfolioLimits,
  type OpenExposure,
  type OrderIntent,
  type PortfolioLimits,
  type WorkingOrder,
} from '../trading/portfolio-limits.ts';
import { evaluateRisk, type RiskContext, type RiskEvaluation } from '../trading/risk-gate.ts';
import { readOrders } from './order-rows.ts';
import { dec } from '../db/column-values.ts';
import type { Read, Row, Tx } from '../db/transaction.ts';

export interface RiskAssessment {
  configs: RiskConfigs;
  context: RiskContext;
  evaluation: RiskEvaluation;
}

export interface RiskQuestion {
  portfolioId: number;
  initialBalance: Decimal;
  assetId: number;
  confidence: number;
  quantity: Decimal;
  testMode: boolean;
  /** The strategy's allowed_symbols (null: unrestricted or no strategy). */
  watchlist: readonly string[] | null;
  /** The asset's symbol when the caller already has it (read only when a watchlist needs it). */
  symbol?: string;
  /** The risk configs when the caller already read them in this transaction. */
  configs?: RiskConfigs;
  /** The open-position count when the caller already read it (`openTradeCountRead`). */
  openTradeCount?: number | null;
  at: Date;
  /** The portfolio's own limits and the order the idea would place. */
  limits: PortfolioLimits;
  order: OrderIntent;
}

/**
 * The portfolio's open positions as its limits are checked against them: read under the
 * portfolio's row lock (PostgreSQL; SQLite serialises writers), held until commit. Two orders that
 * each fit a limit but not together would otherwise both read the state before the other and both
 * pass.
 */
export async function openPositionsUnderLock(
  tx: Tx,
  portfolioId: number,
  testMode: boolean,
): Promise<PositionView[]> {
  if (tx.forUpdate !== '') await loadPortfolio(tx, portfolioId, { lock: true });
  return loadOpenPositions(tx, portfolioId, testMode);
}

/**
 * What the portfolio's limits are checked against: its open positions (`openPositionsUnderLock`)
 * and its working orders (new, open, partially filled) with their unfilled quantity and price
 * (limit or stop price, else the asset's latest close at `at`).
 */
export async function loadOpenExposure(
  tx: Tx,
  portfolioId: number,
  open: readonly PositionView[],
  testMode: boolean,
  at: Date,
): Promise<OpenExposure> {
  const positions = new Map<number, HeldPosition>(
    open.map((p) => [p.assetId, { side: p.side, quantity: p.quantity, costBasis: p.costBasis }]),
  );
  const orders = await readOrders(
    tx,
    `select * from orders
      where portfolio_id = ? and status in ('new', 'open', 'partially_filled') and test_mode = ?`,
    [portfolioId, tx.bool(testMode)],
  );
  const working: WorkingOrder[] = [];
  const closes = new Map<number, Decimal | null>();
  for (const o of orders) {
    let price = o.limitPrice ?? o.stopPrice;
    if (price === null) {
      if (!closes.has(o.assetId))
        closes.set(o.assetId, (await latestClose(tx, o.assetId, at))?.price ?? null);
      price = closes.get(o.assetId)!;
    }
    working.push({ id: o.id, assetId: o.assetId, side: o.side, remaining: o.remainingQuantity, price });
  }
  return { positions, working };
}

const DAY_MS = 86_400_000;

/**
 * The portfolio's open positions counted, for the max-concurrent-trades rule, as a Read. Unless
 * `always`, counted only when a risk config row that could govern the portfolio sets that rule
 * (null otherwise), so a caller can send it with its other reads before it knows the config.
 */
export function openTradeCountRead(
  tx: Tx,
  portfolioId: number,
  testMode: boolean,
  always = false,
): Read<number | null> {
  const test = tx.bool(testMode);
  return always
    ? { sql: OPEN_COUNT_ALWAYS, params: [portfolioId, test], rows: countOf }
    : { sql: OPEN_COUNT_IF_LIMITED, params: [portfolioId, portfolioId, test], rows: countOf };
}

const OPEN_COUNT = `select count(*) from positions where portfolio_id = ? and status = 'open' and test_mode = ?`;
const OPEN_COUNT_ALWAYS = `select (${OPEN_COUNT}) as n`;
const OPEN_COUNT_IF_LIMITED = `select case when exists (select 1 from risk_configs where (portfolio_id is null or portfolio_id = ?)
    and max_concurrent_trades is not null) then (${OPEN_COUNT}) end as n`;

const countOf = ([row]: Row[]): number | null =>
  row?.n === null || row?.n === undefined ? null : Number(row.n);

export async function assessRisk(tx: Tx, q: RiskQuestion): Promise<RiskAssessment> {
  const configs = q.configs ?? (await loadRiskConfigs(tx, q.portfolioId));
  // The open positions are read once, for the drawdown and the limits (under the lock limits need).
  const limited = hasPortfolioLimits(q.limits);
  let open: PositionView[] | undefined;
  const openPositions = async () =>
    (open ??= limited
      ? await openPositionsUnderLock(tx, q.portfolioId, q.testMode)
      : await loadOpenPositions(tx, q.portfolioId, q.testMode));
  const config = configs.effective;
  const test = tx.bool(q.testMode);

  let symbol = q.symbol ?? '';
  if (q.watchlist !== null && q.symbol === undefined) {
    const asset = await tx.get<{ symbol: string }>('select symbol from assets where id = ?', [q.assetId]);
    symbol = asset?.symbol ?? '';
  }

  let openTradeCount = 0;
  if (config.maxConcurrentTrades !== null) {
    openTradeCount =
      q.openTradeCount ?? (await tx.readEach([openTradeCountRead(tx, q.portfolioId, q.testMode, true)]))[0]!;
  }

  let todaysRealizedPnl = ZERO;
  if (config.dailyProfitTarget !== null) {
    const midnight = new Date(Math.floor(q.at.getTime() / DAY_MS) * DAY_MS);
    const rows = await tx.all<{ pnl: unknown }>(
      `select pnl from trades where portfolio_id = ? and test_mode = ? and is_backtest = ?
          and outcome <> 'open' and exit_time >= ?`,
      [q.portfolioId, test, tx.bool(false), tx.time(midnight)],
    );
    todaysRealizedPnl = rows.reduce((sum, r) => (r.pnl === null ? sum : sum.plus(dec(r.pnl))), ZERO);
  }

  let currentDrawdown = ZERO;
  if (config.maxDrawdownAmount !== null) {
    const rows = await tx.all<{ pnl: unknown }>(
      `select pnl from trades where portfolio_id = ? and test_mode = ? and is_backtest = ?
          and outcome <> 'open' order by exit_time, id`,
      [q.portfolioId, test, tx.bool(false)],
    );
    let equity = exact(q.initialBalance);
    let peak = equity;
    for (const r of rows) {
      if (r.pnl === null) continue;
      equity = equity.plus(dec(r.pnl));
      if (equity.gt(peak)) peak = equity;
    }
    const marked = await markOpenPositions(tx, await openPositions(), q.at);
    const current = equity.plus(marked.realizedOpen).plus(marked.unrealized);
    if (current.gt(peak)) peak = current;
    currentDrawdown = peak.minus(current);
  }

  const context: RiskContext = {
    confidence: q.confidence,
    quantity: q.quantity,
    symbol,
    watchlist: q.watchlist,
    openTradeCount,
    todaysRealizedPnl,
    currentDrawdown,
    ...(limited
      ? {
          portfolio: {
            limits: q.limits,
            open: await loadOpenExposure(tx, q.portfolioId, await openPositions(), q.testMode, q.at),
            order: q.order,
          },
        }
      : {}),
  };
  return { configs, context, evaluation: evaluateRisk(config, context) };
}

/** The JSON stored in decision_history.risk_check_result: verdict, every rule, config and context. */
export function riskRecord(a: RiskAssessment): Record<string, unknown> {
  const c = a.configs.effective;
  const text = (d: Decimal | null) => (d === null ? null : d.toString());
  return {
    verdict: a.evaluation.verdict,
    rules: a.evaluation.rules,
    haltReason: a.evaluation.haltReason,
    config: {
      source: a.configs.override ? 'portfolio' : a.configs.global ? 'global' : 'defaults',
      globalId: a.configs.global?.id ?? null,
      overrideId: a.configs.override?.id ?? null,
      aiTradingEnabled: c.aiTradingEnabled,
      minConfidenceThreshold: c.minConfidenceThreshold,
      maxLotSize: text(c.maxLotSize),
      maxConcurrentTrades: c.maxConcurrentTrades,
      dailyProfitTarget: text(c.dailyProfitTarget),
      stopAfterTarget: c.stopAfterTarget,
      maxDrawdownAmount: text(c.maxDrawdownAmount),
      haltOnDrawdown: c.haltOnDrawdown,
      allowOffWatchlistAutotrade: c.allowOffWatchlistAutotrade,
    },
    context: {
      confidence: a.context.confidence,
      quantity: a.context.quantity.toString(),
      symbol: a.context.symbol || null,
      watchlist: a.context.watchlist,
      openTradeCount: a.context.openTradeCount,
      todaysRealizedPnl: a.context.todaysRealizedPnl.toString(),
      currentDrawdown: a.context.currentDrawdown.toString(),
      portfolioLimits: a.context.portfolio
        ? {
            maxPositions: a.context.portfolio.limits.maxPositions,
            maxPositionSize: text(a.context.portfolio.limits.maxPositionSize),
            maxTotalExposure: text(a.context.portfolio.limits.maxTotalExposure),
            openPositions: a.context.portfolio.open.positions.size,
            workingOrders: a.context.portfolio.open.working.length,
          }
        : null,
    },
  };
}
