/**
 * Order rows as the services read them: the row plus its fills' amounts (the filled quantity is
 * not stored on the order, it is the sum of its fills). Shared by the order services and the risk
 * checks that count working orders, so both read fills the same way, in one query per batch.
 */
import type { Decimal } from 'decimal.js';
import type { Side } from '../entities/common.ts';
import type { OrderStatus, OrderType, TimeInForce } from '../entities/execution-tables.ts';
import { divideRounded, exact, ZERO } from '../trading/exact.ts';
import {
  bool,
  dec,
  decOrNull,
  int,
  intOrNull,
  str,
  strOrNull,
  time,
  timeOrNull,
} from '../db/column-values.ts';
import { type Row, type Tx } from '../db/transaction.ts';

export interface OrderView {
  id: number;
  portfolioId: number;
  tradeIdeaId: number | null;
  signalId: number | null;
  assetId: number;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce | null;
  quantity: Decimal;
  /** Σ of the order's fills. */
  filledQuantity: Decimal;
  /** Σ quantity × price of its fills (exact notional). */
  filledValue: Decimal;
  remainingQuantity: Decimal;
  /** Volume-weighted fill price (18 places), null before the first fill. */
  averageFillPrice: Decimal | null;
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

export interface FillAmount {
  quantity: Decimal;
  price: Decimal;
}

export function orderFromRow(r: Row, fills: readonly FillAmount[] = []): OrderView {
  const quantity = dec(r.quantity);
  let filled = ZERO;
  let value = ZERO;
  for (const f of fills) {
    filled = filled.plus(exact(f.quantity));
    value = value.plus(exact(f.quantity).times(exact(f.price)));
  }
  return {
    id: int(r.id),
    portfolioId: int(r.portfolio_id),
    tradeIdeaId: intOrNull(r.trade_idea_id),
    signalId: intOrNull(r.signal_id),
    assetId: int(r.asset_id),
    side: str(r.side) as Side,
    type: str(r.type) as OrderType,
    timeInForce: strOrNull(r.time_in_force) as TimeInForce | null,
    quantity,
    filledQuantity: filled,
    filledValue: value,
    remainingQuantity: exact(quantity).minus(filled),
    averageFillPrice: filled.isZero() ? null : divideRounded(value, filled),
    limitPrice: decOrNull(r.limit_price),
    stopPrice: decOrNull(r.stop_price),
    status: str(r.status) as OrderStatus,
    clientOrderId: str(r.client_order_id),
    exchangeOrderId: strOrNull(r.exchange_order_id),
    rejectReason: strOrNull(r.reject_reason),
    submittedAt: timeOrNull(r.submitted_at),
    testMode: bool(r.test_mode),
    botVersion: strOrNull(r.bot_version),
    createdAt: time(r.created_at),
    updatedAt: time(r.updated_at),
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
  return rows.map((r) => orderFromRow(r, fills.get(int(r.id)) ?? []));
}
