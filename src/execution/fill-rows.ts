/**
 * Fill rows: the stored fill (its view and table description), what recording one accepts, what it
 * returns, and the first fill of a replayed venue trade.
 */
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { col, defineTable } from '../db/table.ts';
import type { Tx } from '../db/transaction.ts';
import { TradingError } from '../input/errors.ts';
import { maxLength } from '../entities/common.ts';
import { FillSchema, LIQUIDITY_ROLES, type LiquidityRole } from '../entities/execution-tables.ts';
import { id, moneyValue, nonNegativeDecimal, positiveDecimal, requiredText, when } from '../input/fields.ts';
import type { PositionView } from '../portfolios/positions.ts';
import type { OrderView } from './order-rows.ts';
import type { TradeView } from './trades.ts';

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

export const fills = defineTable<FillView>('fills', 'fill', {
  id: col.id(),
  orderId: col.int(),
  venue: col.text(),
  quantity: col.decimal(),
  price: col.decimal(),
  fee: col.money(),
  feeCurrency: col.textOrNull(),
  liquidity: col.textOrNull<LiquidityRole>(),
  ts: col.time(),
  exchangeTradeId: col.textOrNull(),
  testMode: col.bool(),
  botVersion: col.textOrNull(),
  createdAt: col.time(),
});

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

function sameFill(f: FillView, order: OrderView, x: ParsedFill): boolean {
  return f.orderId === order.id && f.quantity.eq(x.quantity) && f.price.eq(x.price) && f.fee.eq(x.fee ?? 0);
}

/** The first fill of a replayed venue trade, or null; refused when its terms differ. */
export async function replayedFill(
  tx: Tx,
  x: ParsedFill,
  order: OrderView,
  venue: string,
): Promise<FillView | null> {
  if (x.exchangeTradeId === undefined) return null;
  const seen = await tx.get('select * from fills where venue = ? and exchange_trade_id = ?', [
    venue,
    x.exchangeTradeId,
  ]);
  if (!seen) return null;
  const first = fills.fromRow(seen);
  if (!sameFill(first, order, x)) {
    throw new TradingError(
      `exchange trade ${venue}:${x.exchangeTradeId} is already fill ${first.id} of order ${first.orderId} with different terms`,
    );
  }
  return first;
}
