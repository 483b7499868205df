/**
 * Fills: one transaction updates the order (status; filled quantity = Σ fills), the position
 * (src/trading/positions.ts `applyFill`), the round trip (src/trading/round-trips.ts
 * `applyFillToTrade`) and the portfolio's cash, or nothing at all.
 *
 * Refused, with nothing written: a fill on an order that is not new/open/partially filled, a fill
 * larger than the order's remaining quantity, a limit order filled through its limit, a fill whose
 * (venue, exchange_trade_id) was already recorded with different terms (the same terms again return
 * the first fill: exchange feeds replay). Concurrency: on PostgreSQL the order row and then the
 * portfolio row are locked `for update` before anything is read, so two fills of one portfolio
 * apply one after the other; SQLite write transactions are serialised by BEGIN IMMEDIATE.
 * Test-mode orders build test-mode positions and trades and leave the portfolio's cash alone.
 */
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { maxLength } from '../entities/common.ts';
import { FillSchema, LIQUIDITY_ROLES, type LiquidityRole } from '../entities/execution-tables.ts';
import { parseInput } from '../input/parse.ts';
import { id, moneyValue, nonNegativeDecimal, positiveDecimal, requiredText, when } from '../input/fields.ts';
import { loadPortfolio, type PortfolioView } from '../portfolios/portfolios.ts';
import { type PositionView, positionFromRow, positionState } from '../portfolios/positions.ts';
import { divideRounded, exact, ZERO } from '../trading/exact.ts';
import {
  applyFill,
  type FillEffect,
  type PositionState,
  unrealizedPnl,
} from '../trading/position-accounting.ts';
import { applyFillToTrade, type TradeState } from '../trading/round-trips.ts';
import { assertTransition } from '../trading/transitions.ts';
import { loadOrder, type OrderView } from './orders.ts';
import {
  bool,
  dec,
  decimalParam,
  decimalParamOrNull,
  int,
  intOrNull,
  moneyParam,
  moneyParamOrNull,
  numOrNull,
  priceParam,
  str,
  strOrNull,
  time,
} from '../db/column-values.ts';
import { inTransaction, type Row, reading, type Tx } from '../db/transaction.ts';
import { TradingError } from '../input/errors.ts';
import { type TradeView, tradeFromRow, tradeState } from './trades.ts';

export interface FillView {
  id: number;
  orderId: number;
  venue: string;
  quantity: Decimal;
  price: Decimal;
  fee: Decimal;
  feeCurrency: string | null;
  liquidity: LiquidityRole | null;
  ts: Date;
  exchangeTradeId: string | null;
  testMode: boolean;
  botVersion: string | null;
  createdAt: Date;
}

export function fillFromRow(r: Row): FillView {
  return {
    id: int(r.id),
    orderId: int(r.order_id),
    venue: str(r.venue),
    quantity: dec(r.quantity),
    price: dec(r.price),
    fee: dec(r.fee),
    feeCurrency: strOrNull(r.fee_currency),
    liquidity: strOrNull(r.liquidity) as LiquidityRole | null,
    ts: time(r.ts),
    exchangeTradeId: strOrNull(r.exchange_trade_id),
    testMode: bool(r.test_mode),
    botVersion: strOrNull(r.bot_version),
    createdAt: time(r.created_at),
  };
}

export const FillInput = z
  .object({
    orderId: id.optional(),
    clientOrderId: z.string().min(1).max(64).optional(),
    quantity: positiveDecimal,
    price: nonNegativeDecimal,
    /** In the quote currency; negative for a maker rebate. */
    fee: moneyValue.optional(),
    feeCurrency: z.string().min(1).max(16).optional(),
    liquidity: z.enum(LIQUIDITY_ROLES).optional(),
    ts: when.optional(),
    /** The venue's trade id: unique per venue, so a replayed execution report is recognised. */
    exchangeTradeId: z.string().min(1).max(128).optional(),
    /** Defaults to the asset's venue; trimmed and never blank, like an asset's venue. */
    venue: requiredText(maxLength(FillSchema, 'venue')).optional(),
    botVersion: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine(
    (r) => (r.orderId === undefined) !== (r.clientOrderId === undefined),
    'give orderId or clientOrderId',
  );
export type FillInput = z.input<typeof FillInput>;
export type ParsedFill = z.output<typeof FillInput>;

export interface FillResult {
  fill: FillView;
  /** The order after the fill (status, filled and remaining quantity). */
  order: OrderView;
  /** The open position after the fill (on a flip, the new side), or null when the fill closed it. */
  position: PositionView | null;
  /** The lifecycle this fill ended (full close or the old side of a flip), else null. */
  closedPosition: PositionView | null;
  /** The round trip that was open before the fill, updated (null when the fill opened from flat). */
  trade: TradeView | null;
  /** The round trip this fill opened (from flat, or the new side of a flip), else null. */
  openedTrade: TradeView | null;
  /** Net realized P&L of this fill and its cash change (0 for test-mode fills). */
  realizedPnl: Decimal;
  cashDelta: Decimal;
  cashBalance: Decimal;
  /** true when (venue, exchangeTradeId) was already recorded: nothing changed, `fill` is the first one. */
  duplicate: boolean;
}

const FILLABLE = new Set(['new', 'open', 'partially_filled']);

/** What the fill path needs about the order's origin when it opens a round trip. */
export interface Attribution {
  strategyId: number | null;
  stopLoss: Decimal | null;
  takeProfit: Decimal | null;
  reasoning: string | null;
  confidence: number | null;
}

async function attribution(tx: Tx, order: OrderView): Promise<Attribution> {
  if (order.tradeIdeaId !== null) {
    const row = await tx.get(
      'select strategy_id, stop_loss, take_profit, rationale, confidence from trade_ideas where id = ?',
      [order.tradeIdeaId],
    );
    if (row) {
      return {
        strategyId: intOrNull(row.strategy_id),
        stopLoss: row.stop_loss === null ? null : dec(row.stop_loss),
        takeProfit: row.take_profit === null ? null : dec(row.take_profit),
        reasoning: strOrNull(row.rationale),
        confidence: numOrNull(row.confidence),
      };
    }
  }
  if (order.signalId !== null) {
    const row = await tx.get('select strategy_id, reason, confidence from signals where id = ?', [
      order.signalId,
    ]);
    if (row) {
      return {
        strategyId: intOrNull(row.strategy_id),
        stopLoss: null,
        takeProfit: null,
        reasoning: strOrNull(row.reason),
        confidence: numOrNull(row.confidence),
      };
    }
  }
  return { strategyId: null, stopLoss: null, takeProfit: null, reasoning: null, confidence: null };
}

function sameFill(f: FillView, order: OrderView, x: ParsedFill): boolean {
  return f.orderId === order.id && f.quantity.eq(x.quantity) && f.price.eq(x.price) && f.fee.eq(x.fee ?? 0);
}

/**
 * Applies one fill inside a transaction. `known` lets a caller that just created the order in the
 * same transaction skip re-reading it (`order` with its current fills, `attribution` of its idea).
 */
export async function recordFillIn(
  tx: Tx,
  x: ParsedFill,
  known: {
    order?: OrderView;
    /** Already locked by the caller in this transaction. */
    portfolio?: PortfolioView;
    attribution?: Attribution;
    venue?: string;
    now?: Date;
  } = {},
): Promise<FillResult> {
  const now = known.now ?? new Date();
  // Lock order first, then its portfolio (the one lock order every writer uses: no deadlock).
  const order = known.order ?? (await loadOrder(tx, x, { lock: true }));
  const portfolio = known.portfolio ?? (await loadPortfolio(tx, order.portfolioId, { lock: true }));

  const venue =
    x.venue ??
    known.venue ??
    str((await tx.get<{ venue: unknown }>('select venue from assets where id = ?', [order.assetId]))?.venue);
  if (x.exchangeTradeId !== undefined) {
    const seen = await tx.get('select * from fills where venue = ? and exchange_trade_id = ?', [
      venue,
      x.exchangeTradeId,
    ]);
    if (seen) {
      const first = fillFromRow(seen);
      if (!sameFill(first, order, x)) {
        throw new TradingError(
          `exchange trade ${venue}:${x.exchangeTradeId} is already fill ${first.id} of order ${first.orderId} with different terms`,
        );
      }
      return duplicateResult(tx, first, order, portfolio.cashBalance);
    }
  }

  if (!FILLABLE.has(order.status)) {
    throw new TradingError(
      `order ${order.id} is ${order.status}: only new, open or partially filled orders take fills`,
    );
  }
  if (x.quantity.gt(order.remainingQuantity)) {
    throw new TradingError(
      `fill of ${x.quantity} exceeds order ${order.id}'s remaining ${order.remainingQuantity} ` +
        `(ordered ${order.quantity}, filled ${order.filledQuantity})`,
    );
  }
  if (
    order.limitPrice !== null &&
    (order.side === 'buy' ? x.price.gt(order.limitPrice) : x.price.lt(order.limitPrice))
  ) {
    throw new TradingError(
      `fill price ${x.price} is through order ${order.id}'s ${order.side} limit ${order.limitPrice}`,
    );
  }
  const filled = exact(order.filledQuantity).plus(x.quantity);
  const status = filled.eq(order.quantity) ? 'filled' : 'partially_filled';
  assertTransition('order', order.status, status);

  const ts = x.ts ?? now;
  const fee = exact(x.fee ?? 0);
  const test = tx.bool(order.testMode);

  // Position and round trip before the fill.
  const positionRow = await tx.get(
    `select * from positions where portfolio_id = ? and asset_id = ? and test_mode = ? and status = 'open'`,
    [order.portfolioId, order.assetId, test],
  );
  const before = positionRow ? positionFromRow(positionRow) : null;
  // `+column` keeps the planner on the small outcome index (open trades are few; the portfolio's are many).
  const tradeRow = await tx.get(
    `select * from trades where +portfolio_id = ? and +asset_id = ? and test_mode = ? and is_backtest = ?
        and outcome = 'open'`,
    [order.portfolioId, order.assetId, test, tx.bool(false)],
  );
  const openTrade = tradeRow ? tradeFromRow(tradeRow) : null;

  let effect: FillEffect;
  let trades: { trade: TradeState | null; opened: TradeState | null };
  const origin = known.attribution ?? null;
  let attributed: Attribution | null = origin;
  try {
    effect = applyFill(before ? positionState(before) : null, {
      side: order.side,
      quantity: x.quantity,
      price: x.price,
      fee,
    });
    if (effect.opened && attributed === null) attributed = await attribution(tx, order);
    trades = applyFillToTrade(
      openTrade ? tradeState(openTrade) : null,
      { side: order.side, quantity: x.quantity, price: x.price, fee, at: ts },
      effect,
      { stopLoss: attributed?.stopLoss ?? null },
    );
  } catch (error) {
    if (error instanceof RangeError) {
      throw new TradingError(`fill on order ${order.id} does not fit the stored position: ${error.message}`);
    }
    throw error;
  }

  const fillId = await tx.insert(
    `insert into fills (order_id, venue, quantity, price, fee, fee_currency, liquidity, ts, exchange_trade_id,
       test_mode, bot_version, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      order.id,
      venue,
      decimalParam(x.quantity, 'quantity'),
      decimalParam(x.price, 'price'),
      moneyParam(fee, 'fee'),
      x.feeCurrency ?? null,
      x.liquidity ?? null,
      tx.time(ts),
      x.exchangeTradeId ?? null,
      test,
      x.botVersion ?? order.botVersion,
      tx.time(now),
    ],
  );

  // Round trips first: the position stores the exit VWAP the round trip computes.
  let trade: TradeView | null = null;
  if (openTrade && trades.trade) {
    trade = { ...openTrade, ...tradeColumns(trades.trade), updatedAt: now };
    await tx.run(
      `update trades set quantity = ?, entry_price = ?, exit_price = ?, exit_time = ?, fees = ?, pnl = ?, pnl_r = ?,
         entry_value = ?, exit_quantity = ?, exit_value = ?, outcome = ?, stop_loss = ?, updated_at = ? where id = ?`,
      [...tradeParams(tx, trades.trade), tx.time(now), openTrade.id],
    );
  }
  let openedTrade: TradeView | null = null;
  if (trades.opened) {
    const a = attributed!;
    const rowId = await tx.insert(
      `insert into trades (portfolio_id, strategy_id, signal_id, trade_idea_id, asset_id, direction, quantity,
         entry_price, exit_price, entry_time, exit_time, fees, pnl, pnl_r, entry_value, exit_quantity, exit_value,
         outcome, stop_loss, take_profit, reasoning, confidence, is_backtest, test_mode, bot_version, created_at,
         updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        order.portfolioId,
        a.strategyId,
        order.signalId,
        order.tradeIdeaId,
        order.assetId,
        trades.opened.direction,
        decimalParam(trades.opened.quantity, 'trade quantity'),
        priceParam(trades.opened.entryPrice),
        null,
        tx.time(trades.opened.entryAt),
        null,
        moneyParam(trades.opened.fees),
        moneyParam(trades.opened.pnl),
        decimalParamOrNull(trades.opened.pnlR),
        moneyParam(trades.opened.entryValue),
        decimalParam(trades.opened.exitQuantity),
        moneyParam(trades.opened.exitValue),
        trades.opened.outcome,
        decimalParamOrNull(trades.opened.stopLoss),
        decimalParamOrNull(a.takeProfit),
        a.reasoning,
        a.confidence,
        tx.bool(false),
        test,
        order.botVersion,
        tx.time(now),
        tx.time(now),
      ],
    );
    openedTrade = {
      id: rowId!,
      portfolioId: order.portfolioId,
      strategyId: a.strategyId,
      signalId: order.signalId,
      tradeIdeaId: order.tradeIdeaId,
      assetId: order.assetId,
      ...tradeColumns(trades.opened),
      takeProfit: a.takeProfit,
      reasoning: a.reasoning,
      confidence: a.confidence,
      isBacktest: false,
      backtestRunId: null,
      externalRef: null,
      testMode: order.testMode,
      botVersion: order.botVersion,
      createdAt: now,
      updatedAt: now,
    };
  }

  // Positions.
  let closedPosition: PositionView | null = null;
  let position: PositionView | null = null;
  const exitPrice = trade?.exitPrice ?? null;
  if (before) {
    const state = effect.closedPosition ?? effect.position;
    // The last mark's unrealized P&L was for the quantity then held: a closed position has none
    // left, a resized one is revalued at the same mark (the next snapshot moves the mark).
    const unrealized =
      state.status === 'closed'
        ? ZERO
        : before.markPrice === null
          ? null
          : exact(unrealizedPnl(state, before.markPrice));
    const updated: PositionView = {
      ...before,
      ...positionColumns(state),
      averageExitPrice: exitPrice ?? before.averageExitPrice,
      unrealizedPnl: unrealized,
      closedAt: state.status === 'closed' ? ts : null,
      updatedAt: now,
    };
    await tx.run(
      `update positions set quantity = ?, average_entry_price = ?, cost_basis = ?, realized_pnl = ?, status = ?,
         average_exit_price = ?, unrealized_pnl = ?, closed_at = ?, updated_at = ? where id = ?`,
      [
        ...positionParams(state),
        decimalParamOrNull(
          updated.averageExitPrice === null ? null : updated.averageExitPrice,
          'average exit price',
        ),
        moneyParamOrNull(unrealized, 'unrealized pnl'),
        updated.closedAt === null ? null : tx.time(updated.closedAt),
        tx.time(now),
        before.id,
      ],
    );
    if (state.status === 'closed') closedPosition = updated;
    else position = updated;
  }
  if (effect.opened) {
    const state = effect.position;
    const rowId = await tx.insert(
      `insert into positions (portfolio_id, asset_id, side, quantity, average_entry_price, cost_basis, realized_pnl,
         status, opened_at, test_mode, bot_version, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        order.portfolioId,
        order.assetId,
        state.side,
        ...positionParams(state),
        tx.time(ts),
        test,
        order.botVersion,
        tx.time(now),
        tx.time(now),
      ],
    );
    position = {
      id: rowId!,
      portfolioId: order.portfolioId,
      assetId: order.assetId,
      side: state.side,
      ...positionColumns(state),
      averageExitPrice: null,
      unrealizedPnl: null,
      markPrice: null,
      markedAt: null,
      openedAt: ts,
      closedAt: null,
      testMode: order.testMode,
      botVersion: order.botVersion,
      createdAt: now,
      updatedAt: now,
    };
  }

  // Cash (production only) and the order's status.
  const cashDelta = order.testMode ? dec(0) : effect.cashDelta;
  const cashBalance = exact(portfolio.cashBalance).plus(cashDelta);
  if (!order.testMode) {
    await tx.run('update portfolios set cash_balance = ?, updated_at = ? where id = ?', [
      moneyParam(cashBalance, 'cash balance'),
      tx.time(now),
      portfolio.id,
    ]);
  }
  await tx.run('update orders set status = ?, updated_at = ? where id = ?', [status, tx.time(now), order.id]);

  const fill: FillView = {
    id: fillId!,
    orderId: order.id,
    venue,
    quantity: x.quantity,
    price: x.price,
    fee,
    feeCurrency: x.feeCurrency ?? null,
    liquidity: x.liquidity ?? null,
    ts,
    exchangeTradeId: x.exchangeTradeId ?? null,
    testMode: order.testMode,
    botVersion: x.botVersion ?? order.botVersion,
    createdAt: now,
  };
  const filledValue = order.filledValue.plus(exact(x.quantity).times(exact(x.price)));
  return {
    fill,
    order: {
      ...order,
      status,
      filledQuantity: filled,
      filledValue,
      remainingQuantity: exact(order.quantity).minus(filled),
      averageFillPrice: divideRounded(filledValue, filled),
      updatedAt: now,
    },
    position,
    closedPosition,
    trade,
    openedTrade,
    realizedPnl: effect.realizedPnl,
    cashDelta,
    cashBalance,
    duplicate: false,
  };
}

function positionColumns(s: PositionState) {
  return {
    quantity: s.quantity,
    averageEntryPrice: s.averageEntryPrice,
    costBasis: s.costBasis,
    realizedPnl: s.realizedPnl,
    status: s.status,
  };
}

function positionParams(s: PositionState): unknown[] {
  return [
    decimalParam(s.quantity, 'position quantity'),
    priceParam(s.averageEntryPrice, 'average entry price'),
    moneyParam(s.costBasis, 'cost basis'),
    moneyParam(s.realizedPnl, 'realized pnl'),
    s.status,
  ];
}

function tradeColumns(t: TradeState) {
  return {
    direction: t.direction,
    quantity: t.quantity,
    entryPrice: t.entryPrice,
    exitPrice: t.exitPrice,
    entryTime: t.entryAt,
    exitTime: t.exitAt,
    fees: t.fees,
    pnl: t.pnl,
    pnlR: t.pnlR,
    entryValue: t.entryValue,
    exitQuantity: t.exitQuantity,
    exitValue: t.exitValue,
    outcome: t.outcome,
    stopLoss: t.stopLoss,
  };
}

function tradeParams(tx: Tx, t: TradeState): unknown[] {
  return [
    decimalParam(t.quantity, 'trade quantity'),
    priceParam(t.entryPrice),
    t.exitPrice === null ? null : priceParam(t.exitPrice),
    t.exitAt === null ? null : tx.time(t.exitAt),
    moneyParam(t.fees),
    moneyParam(t.pnl),
    decimalParamOrNull(t.pnlR),
    moneyParam(t.entryValue),
    decimalParam(t.exitQuantity),
    moneyParam(t.exitValue),
    t.outcome,
    decimalParamOrNull(t.stopLoss),
  ];
}

async function duplicateResult(
  tx: Tx,
  first: FillView,
  order: OrderView,
  cash: Decimal,
): Promise<FillResult> {
  const row = await tx.get(
    `select * from positions where portfolio_id = ? and asset_id = ? and test_mode = ? and status = 'open'`,
    [order.portfolioId, order.assetId, tx.bool(order.testMode)],
  );
  return {
    fill: first,
    order,
    position: row ? positionFromRow(row) : null,
    closedPosition: null,
    trade: null,
    openedTrade: null,
    realizedPnl: dec(0),
    cashDelta: dec(0),
    cashBalance: cash,
    duplicate: true,
  };
}

/**
 * Records a fill of an order: order status and filled quantity, position, round trip and cash in
 * one transaction. Anything inconsistent is refused and nothing is written.
 */
export async function recordFill(store: Store, input: FillInput): Promise<FillResult> {
  const x = parseInput(FillInput, input, 'fill');
  return inTransaction(store, (tx) => recordFillIn(tx, x));
}

/** The fills of an order, in the order they were recorded. */
export async function listFills(store: Store, input: { orderId: number }): Promise<FillView[]> {
  const orderId = parseInput(id, input.orderId, 'order id');
  return reading(store, async (tx) =>
    (await tx.all('select * from fills where order_id = ? order by ts, id', [orderId])).map(fillFromRow),
  );
}
