/**
 * Order rows as the services read them: the row plus its fills' amounts (the filled quantity is
 * not stored on the order, it is the sum of its fills). Shared by the order services and the risk
 * checks that count working orders, so both read fills the same way, in one query per batch.
 */
import type { Decimal } from 'decimal.js';
import { dec, int } from '../db/column-values.ts';
import { col, defineTable } from '../db/table.ts';
import type { Row, Tx } from '../db/transaction.ts';
import type { Side } from '../entities/common.ts';
import type { OrderStatus, OrderType, TimeInForce } from '../entities/execution-tables.ts';
import { divideRounded, exact, ZERO } from '../trading/exact.ts';

/** An `orders` row as stored. */
export interface OrderRow {
  id: number;
  portfolioId: number;
  tradeIdeaId: number | null;
  signalId: number | null;
  assetId: number;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce | null;
  quantity: Decimal;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  status: OrderStatus;
  clientOrderId: string;
  exchangeOrderId: string | null;
  rejectReason: string | null;
  submittedAt: Date | null;
  testMode: boolean;
  botVersion: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const orders = defineTable<OrderRow>('orders', 'order', {
  id: col.id(),
  portfolioId: col.int(),
  tradeIdeaId: col.intOrNull(),
  signalId: col.intOrNull(),
  assetId: col.int(),
  side: col.text<Side>(),
  type: col.text<OrderType>(),
  timeInForce: col.textOrNull<TimeInForce>(),
  quantity: col.decimal(),
  limitPrice: col.decimalOrNull(),
  stopPrice: col.decimalOrNull(),
  status: col.text<OrderStatus>(),
  clientOrderId: col.text(),
  exchangeOrderId: col.textOrNull(),
  rejectReason: col.textOrNull(),
  submittedAt: col.timeOrNull(),
  testMode: col.bool(),
  botVersion: col.textOrNull(),
  createdAt: col.time(),
  updatedAt: col.time(),
});

/** An order as the services return it: the row plus what its fills add up to. */
export interface OrderView extends OrderRow {
  /** Σ of the order's fills. */
  filledQuantity: Decimal;
  /** Σ quantity × price of its fills (exact notional). */
  filledValue: Decimal;
  remainingQuantity: Decimal;
  /** Volume-weighted fill price (18 places), null before the first fill. */
  averageFillPrice: Decimal | null;
}

export interface FillAmount {
  quantity: Decimal;
  price: Decimal;
}

/** A stored order with the amounts of its fills (none for a new order). */
export function orderWithFills(row: OrderRow, fills: readonly FillAmount[] = []): OrderView {
  let filled = ZERO;
  let value = ZERO;
  for (const f of fills) {
    filled = filled.plus(exact(f.quantity));
    value = value.plus(exact(f.quantity).times(exact(f.price)));
  }
  return {
    ...row,
    filledQuantity: filled,
    filledValue: value,
    remainingQuantity: exact(row.quantity).minus(filled),
    averageFillPrice: filled.isZero() ? null : divideRounded(value, filled),
  };
}

async function fillAmounts(tx: Tx, orderIds: readonly number[]): Promise<Map<number, FillAmount[]>> {
  const byOrder = new Map<number, FillAmount[]>();
  if (orderIds.length === 0) return byOrder;
  const rows = await tx.all<{ order_id: unknown; quantity: unknown; price: unknown }>(
    `select order_id, quantity, price from fills where order_id in (${orderIds.map(() => '?').join(', ')}) order by id`,
    orderIds,
  );
  for (const r of rows) {
    const list = byOrder.get(int(r.order_id)) ?? [];
    list.push({ quantity: dec(r.quantity), price: dec(r.price) });
    byOrder.set(int(r.order_id), list);
  }
  return byOrder;
}

/** Orders read by `sql` (rows of `orders`), each with its fills, in two queries. */
export async function readOrders(tx: Tx, sql: string, params: readonly unknown[]): Promise<OrderView[]> {
  return withFills(tx, await tx.all(sql, params));
}

/** Order rows already read, with their fills. */
export async function withFills(tx: Tx, rows: readonly Row[]): Promise<OrderView[]> {
  const fills = await fillAmounts(
    tx,
    rows.map((r) => int(r.id)),
  );
  return rows.map((r) => orderWithFills(orders.fromRow(r), fills.get(int(r.id)) ?? []));
}
