/**
 * Round trips (`trades`), read side. Live rows are written by the fill path with what the core's
 * `applyFillToTrade` computes: one row per position lifecycle, open until the position closes.
 */
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { defineListing, type ListingQuery } from '../db/listing.ts';
import type { Store } from '../db/store.ts';
import { col, defineTable } from '../db/table.ts';
import { type Read, reading, type Tx } from '../db/transaction.ts';
import type { Direction } from '../entities/common.ts';
import { TRADE_OUTCOMES, type TradeOutcome } from '../entities/execution-tables.ts';
import { NotFoundError } from '../input/errors.ts';
import { id, idFilters } from '../input/fields.ts';
import { parseInput } from '../input/parse.ts';
import { openPositionRead, type PositionView } from '../portfolios/positions.ts';
import type { TradeState } from '../trading/round-trips.ts';

export interface TradeView {
  id: number;
  portfolioId: number | null;
  strategyId: number | null;
  signalId: number | null;
  tradeIdeaId: number | null;
  assetId: number;
  direction: Direction;
  entryPrice: Decimal;
  exitPrice: Decimal | null;
  entryTime: Date;
  exitTime: Date | null;
  quantity: Decimal;
  stopLoss: Decimal | null;
  takeProfit: Decimal | null;
  fees: Decimal;
  pnl: Decimal | null;
  pnlR: Decimal | null;
  entryValue: Decimal | null;
  exitQuantity: Decimal | null;
  exitValue: Decimal | null;
  outcome: TradeOutcome;
  reasoning: string | null;
  confidence: number | null;
  isBacktest: boolean;
  backtestRunId: number | null;
  externalRef: string | null;
  testMode: boolean;
  botVersion: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const trades = defineTable<TradeView>('trades', 'trade', {
  id: col.id(),
  portfolioId: col.intOrNull(),
  strategyId: col.intOrNull(),
  signalId: col.intOrNull(),
  tradeIdeaId: col.intOrNull(),
  assetId: col.int(),
  direction: col.text<Direction>(),
  // VWAPs the core derived (rounded to 18 places), stored at the column's scale.
  entryPrice: col.price(),
  exitPrice: col.priceOrNull(),
  entryTime: col.time(),
  exitTime: col.timeOrNull(),
  quantity: col.decimal(),
  stopLoss: col.decimalOrNull(),
  takeProfit: col.decimalOrNull(),
  fees: col.money(),
  pnl: col.moneyOrNull(),
  pnlR: col.decimalOrNull(),
  entryValue: col.moneyOrNull(),
  exitQuantity: col.decimalOrNull(),
  exitValue: col.moneyOrNull(),
  outcome: col.text<TradeOutcome>(),
  reasoning: col.textOrNull(),
  confidence: col.floatOrNull(),
  isBacktest: col.bool(),
  backtestRunId: col.intOrNull(),
  externalRef: col.textOrNull(),
  testMode: col.bool(),
  botVersion: col.textOrNull(),
  createdAt: col.time(),
  updatedAt: col.time(),
});

/** The core's state of a live round trip (its exact running sums are required). */
export function tradeState(t: TradeView): TradeState {
  if (t.entryValue === null || t.exitQuantity === null || t.exitValue === null || t.pnl === null) {
    throw new NotFoundError(`trade ${t.id} has no running sums: it was imported, not built from fills`);
  }
  return {
    direction: t.direction,
    quantity: t.quantity,
    entryPrice: t.entryPrice,
    exitPrice: t.exitPrice,
    entryAt: t.entryTime,
    exitAt: t.exitTime,
    fees: t.fees,
    pnl: t.pnl,
    pnlR: t.pnlR,
    outcome: t.outcome,
    stopLoss: t.stopLoss,
    entryValue: t.entryValue,
    exitQuantity: t.exitQuantity,
    exitValue: t.exitValue,
  };
}

/** The open (live, not backtest) round trip of an asset in a portfolio's book, as a Read. */
export function openTradeRead(
  tx: Tx,
  portfolioId: number,
  assetId: number,
  testMode: boolean,
): Read<TradeView | null> {
  return {
    // `+column` keeps the planner on the small outcome index (open trades are few; the portfolio's are many).
    sql: `select * from trades where +portfolio_id = ? and +asset_id = ? and test_mode = ? and is_backtest = ?
        and outcome = 'open'`,
    params: [portfolioId, assetId, tx.bool(testMode), tx.bool(false)],
    rows: ([row]) => (row ? trades.fromRow(row) : null),
  };
}

/** An asset's open position and open round trip in a portfolio's production or test book. */
export interface OpenBook {
  portfolioId: number;
  assetId: number;
  testMode: boolean;
  position: PositionView | null;
  openTrade: TradeView | null;
}

/** The reads of an `OpenBook`, for a caller that sends them with others (`Tx.readEach`). */
export function openBookReads(tx: Tx, portfolioId: number, assetId: number, testMode: boolean) {
  return [
    openPositionRead(tx, portfolioId, assetId, testMode),
    openTradeRead(tx, portfolioId, assetId, testMode),
  ] as const;
}

/** Round trips matching the filter, newest entry first (`from` inclusive, `to` exclusive on entry_time). */
export const listTrades = defineListing(trades, {
  fields: {
    ...idFilters('portfolioId', 'strategyId', 'assetId', 'signalId', 'tradeIdeaId'),
    outcome: z.enum(TRADE_OUTCOMES).optional(),
    /** Live trades only (default), backtest trades only, or both ('all'). */
    backtest: z.enum(['live', 'backtest', 'all']).default('live'),
  },
  rules: {
    backtest: (which, tx) => (which === 'all' ? null : ['is_backtest = ?', tx.bool(which === 'backtest')]),
  },
  window: 'entry_time',
  orderBy: 'entry_time desc, id desc',
});
export type TradeQuery = ListingQuery<typeof listTrades>;

export async function getTrade(store: Store, tradeId: number): Promise<TradeView> {
  const tid = parseInput(id, tradeId, 'trade id');
  return reading(store, async (tx) => {
    const row = await tx.get('select * from trades where id = ?', [tid]);
    if (!row) throw new NotFoundError(`trade ${tid} does not exist`);
    return trades.fromRow(row);
  });
}
