/**
 * Orders: place (idempotent on client_order_id), acknowledge, cancel, reject, expire. Status changes
 * follow src/trading/transitions.ts. The filled quantity is not stored on the order: it is the sum of
 * its fills (the fills are the truth), read under the order's row lock when a fill arrives.
 */
import { randomUUID } from 'node:crypto';
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { bool, int } from '../db/column-values.ts';
import { defineListing, type ListingQuery } from '../db/listing.ts';
import type { Store } from '../db/store.ts';
import { recordChange } from '../events/outbox.ts';
import { inTransaction, reading, type Tx } from '../db/transaction.ts';
import { SIDES } from '../entities/common.ts';
import { ORDER_STATUSES, ORDER_TYPES, TIME_IN_FORCE } from '../entities/execution-tables.ts';
import { NotFoundError, TradingError } from '../input/errors.ts';
import { botVersion, id, idFilters, positiveDecimal, when } from '../input/fields.ts';
import { parseInput } from '../input/parse.ts';
import { assertTradable, loadPortfolio, type PortfolioView } from '../portfolios/portfolios.ts';
import { latestClose } from '../portfolios/snapshots.ts';
import { ZERO } from '../trading/exact.ts';
import { checkPortfolioLimits, hasPortfolioLimits } from '../trading/portfolio-limits.ts';
import { assertTransition } from '../trading/transitions.ts';
import { loadTradeIdea, type TradeIdeaView } from './ideas.ts';
import {
  type OrderRow,
  type OrderView,
  orders,
  orderWithFills,
  readOrders,
  withFills,
} from './order-rows.ts';
import { loadOpenExposure, openPositionsUnderLock } from './risk.ts';
import { markSignalExecuted } from './signals.ts';

export type { FillAmount, OrderView } from './order-rows.ts';

/** An order with its filled quantity; `lock` holds its row until commit on PostgreSQL. */
export async function loadOrder(
  tx: Tx,
  ref: { orderId?: number; clientOrderId?: string },
  options: { lock?: boolean } = {},
): Promise<OrderView> {
  const byId = ref.orderId !== undefined;
  const row = await tx.get(
    `select * from orders where ${byId ? 'id' : 'client_order_id'} = ?${options.lock ? tx.forUpdate : ''}`,
    [byId ? ref.orderId : ref.clientOrderId],
  );
  if (!row) throw new NotFoundError(`order ${byId ? ref.orderId : ref.clientOrderId} does not exist`);
  return (await withFills(tx, [row]))[0]!;
}

export const OrderInput = z
  .object({
    portfolioId: id,
    assetId: id,
    side: z.enum(SIDES),
    type: z.enum(ORDER_TYPES).default('market'),
    timeInForce: z.enum(TIME_IN_FORCE).optional(),
    quantity: positiveDecimal,
    limitPrice: positiveDecimal.optional(),
    stopPrice: positiveDecimal.optional(),
    /** Our idempotency key: placing the same id again returns the first order. Generated when omitted. */
    clientOrderId: z.string().trim().min(1).max(64).optional(),
    exchangeOrderId: z.string().min(1).max(128).optional(),
    tradeIdeaId: id.optional(),
    signalId: id.optional(),
    submittedAt: when.optional(),
    testMode: z.boolean().optional(),
    botVersion: botVersion.optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    const needsLimit = o.type === 'limit' || o.type === 'stop_limit';
    const needsStop = o.type === 'stop' || o.type === 'stop_limit';
    if (needsLimit !== (o.limitPrice !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['limitPrice'],
        message: needsLimit
          ? `a ${o.type} order needs a limit price`
          : `a ${o.type} order takes no limit price`,
      });
    }
    if (needsStop !== (o.stopPrice !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['stopPrice'],
        message: needsStop ? `a ${o.type} order needs a stop price` : `a ${o.type} order takes no stop price`,
      });
    }
  });
export type OrderInput = z.input<typeof OrderInput>;
export type ParsedOrder = z.output<typeof OrderInput>;

export interface PlacedOrder {
  order: OrderView;
  /** false when the client_order_id was already used: `order` is the first order, nothing changed. */
  created: boolean;
}

function sameTerms(a: OrderView, o: ParsedOrder): boolean {
  const eq = (x: Decimal | null, y: Decimal | undefined) =>
    x === null ? y === undefined : y !== undefined && x.eq(y);
  return (
    a.portfolioId === o.portfolioId &&
    a.assetId === o.assetId &&
    a.side === o.side &&
    a.type === o.type &&
    a.quantity.eq(o.quantity) &&
    eq(a.limitPrice, o.limitPrice) &&
    eq(a.stopPrice, o.stopPrice)
  );
}

/**
 * Refuses an order that would break the portfolio's own limits (src/trading/portfolio-limits.ts).
 * The added quantity is valued at `price` (the limit or stop price, or the idea's entry price), else
 * at the asset's latest candle close; with none of them a value limit cannot be checked and refuses.
 */
async function enforcePortfolioLimits(
  tx: Tx,
  portfolio: PortfolioView,
  o: ParsedOrder,
  testMode: boolean,
  price: Decimal | null,
  now: Date,
): Promise<void> {
  const needsPrice = portfolio.maxPositionSize !== null || portfolio.maxTotalExposure !== null;
  const valuedAt = price ?? (needsPrice ? ((await latestClose(tx, o.assetId, now))?.price ?? null) : null);
  const positions = await openPositionsUnderLock(tx, portfolio.id, testMode);
  const open = await loadOpenExposure(tx, portfolio.id, positions, testMode, now);
  const failed = checkPortfolioLimits(portfolio, open, {
    assetId: o.assetId,
    side: o.side,
    quantity: o.quantity,
    price: valuedAt,
  }).filter((c) => !c.passed);
  if (failed.length > 0) {
    throw new TradingError(
      `order refused by portfolio ${portfolio.id}'s limits: ${failed.map((c) => `${c.rule}: ${c.detail}`).join('; ')}`,
    );
  }
}

/**
 * The orders of one idea together may not exceed the size the gate judged: approving an idea of 1
 * does not approve 10. A rejected order counts nothing; a canceled or expired one counts what it
 * filled; every other order counts its whole quantity.
 */
async function assertWithinIdeaSize(tx: Tx, idea: TradeIdeaView, quantity: Decimal): Promise<void> {
  if (idea.quantity === null) {
    // The services store every idea with its size; one written without (through the ORM) is not guessed.
    throw new TradingError(`trade idea ${idea.id} has no size: its orders cannot be held to one`);
  }
  const orders = await readOrders(tx, 'select * from orders where trade_idea_id = ?', [idea.id]);
  let committed = ZERO;
  for (const order of orders) {
    if (order.status === 'rejected') continue;
    const ended = order.status === 'canceled' || order.status === 'expired';
    committed = committed.plus(ended ? order.filledQuantity : order.quantity);
  }
  const after = committed.plus(quantity);
  if (after.gt(idea.quantity)) {
    throw new TradingError(
      `trade idea ${idea.id} was judged at quantity ${idea.quantity.toString()}: its orders would total ${after.toString()}`,
    );
  }
}

/** What a caller in the same transaction already holds when it places an order. */
interface KnownToOrder {
  portfolio?: PortfolioView;
  idea?: TradeIdeaView;
  /** The idea was proposed in this same transaction: it has no orders yet. */
  ideaIsNew?: boolean;
  now?: Date;
}

/** An order's terms as its idea and signal settle them: test mode, signal, the idea's price. */
interface OrderTerms {
  testMode: boolean | undefined;
  signalId: number | null;
  ideaPrice: Decimal | null;
  /** The gate judged the portfolio's limits on exactly these terms in this transaction. */
  limitsJudged: boolean;
}

/** An order for a trade idea: the idea must be tradable, match the order, and hold its size. */
async function checkIdeaTerms(tx: Tx, o: ParsedOrder, known: KnownToOrder, terms: OrderTerms) {
  // Locked (PostgreSQL): two concurrent orders for one idea must not both pass its size check.
  const idea = known.idea ?? (await loadTradeIdea(tx, o.tradeIdeaId!, { lock: true }));
  if (idea.status !== 'approved' && idea.status !== 'auto_executed') {
    throw new TradingError(
      `trade idea ${idea.id} is ${idea.status}: only approved or auto-executed ideas are traded`,
    );
  }
  if (idea.portfolioId !== o.portfolioId || idea.assetId !== o.assetId) {
    throw new TradingError(
      `trade idea ${idea.id} is for portfolio ${idea.portfolioId}, asset ${idea.assetId}`,
    );
  }
  if (terms.testMode !== undefined && terms.testMode !== idea.testMode) {
    throw new TradingError(`testMode ${terms.testMode} contradicts trade idea ${idea.id} (${idea.testMode})`);
  }
  // An idea proposed in this transaction has no orders yet: the query can only find nothing.
  const fitsNewIdea = known.ideaIsNew === true && idea.quantity !== null && o.quantity.lte(idea.quantity);
  if (!fitsNewIdea) await assertWithinIdeaSize(tx, idea, o.quantity);
  // The gate passed this idea in this same transaction on these very terms (its size and side,
  // valued at its entry price): the portfolio's limits were checked against this state already.
  const limitsJudged =
    known.ideaIsNew === true &&
    idea.status === 'auto_executed' &&
    idea.quantity !== null &&
    o.quantity.eq(idea.quantity) &&
    o.side === (idea.direction === 'long' ? 'buy' : 'sell') &&
    o.limitPrice === undefined &&
    o.stopPrice === undefined;
  return {
    testMode: idea.testMode,
    signalId: terms.signalId ?? idea.signalId,
    ideaPrice: idea.entryPrice,
    limitsJudged,
  };
}

/** An order naming a signal: the signal must be for its portfolio and asset; it settles test mode. */
async function checkSignalTerms(tx: Tx, o: ParsedOrder, signalId: number, testMode: boolean | undefined) {
  const signal = await tx.get<{ portfolio_id: unknown; asset_id: unknown; test_mode: unknown }>(
    'select portfolio_id, asset_id, test_mode from signals where id = ?',
    [signalId],
  );
  if (!signal) throw new NotFoundError(`signal ${signalId} does not exist`);
  if (
    int(signal.asset_id) !== o.assetId ||
    (signal.portfolio_id !== null && int(signal.portfolio_id) !== o.portfolioId)
  ) {
    throw new TradingError(`signal ${signalId} is for another portfolio or asset`);
  }
  if (testMode !== undefined && testMode !== bool(signal.test_mode)) {
    throw new TradingError(`testMode ${testMode} contradicts signal ${signalId}`);
  }
  return bool(signal.test_mode);
}

/**
 * A UUIDv7 (RFC 9562: 48-bit Unix milliseconds, version 7, variant and random bits) for a new
 * order's client_order_id. Time-ordered, so a new key lands at the end of the unique index where a
 * random UUIDv4 dirtied a random page of it on every insert (on a SQLite file: more WAL frames
 * per commit; bench/trading.ts). Built from node's randomUUID (its variant bits already sit where
 * v7 wants them) because the `uuid` package's v7 cost about 6 µs a call here against about 1 µs.
 */
export function timeOrderedUuid(): string {
  const random = randomUUID();
  const ms = Date.now().toString(16).padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${random.slice(15)}`;
}

/** Places an order inside a transaction; `known` skips re-reading rows the caller holds. */
export async function placeOrderIn(tx: Tx, o: ParsedOrder, known: KnownToOrder = {}): Promise<PlacedOrder> {
  const now = known.now ?? new Date();
  const clientOrderId = o.clientOrderId ?? timeOrderedUuid();
  if (o.clientOrderId !== undefined) {
    const existing = await tx.get('select id from orders where client_order_id = ?', [clientOrderId]);
    if (existing) return replay(tx, o, clientOrderId);
  }
  const portfolio = known.portfolio ?? (await loadPortfolio(tx, o.portfolioId));
  assertTradable(portfolio);

  let terms: OrderTerms = {
    testMode: o.testMode,
    signalId: o.signalId ?? null,
    ideaPrice: null,
    limitsJudged: false,
  };
  if (o.tradeIdeaId !== undefined) terms = await checkIdeaTerms(tx, o, known, terms);
  const { signalId, ideaPrice, limitsJudged } = terms;
  let testMode = terms.testMode;
  if (signalId !== null && o.signalId !== undefined)
    testMode = await checkSignalTerms(tx, o, signalId, testMode);
  testMode ??= false;
  if (hasPortfolioLimits(portfolio) && !limitsJudged) {
    await enforcePortfolioLimits(tx, portfolio, o, testMode, o.limitPrice ?? o.stopPrice ?? ideaPrice, now);
  }

  const row = await orders.insertUnlessExists(
    tx,
    {
      portfolioId: o.portfolioId,
      tradeIdeaId: o.tradeIdeaId ?? null,
      signalId,
      assetId: o.assetId,
      side: o.side,
      type: o.type,
      timeInForce: o.timeInForce ?? null,
      quantity: o.quantity,
      limitPrice: o.limitPrice ?? null,
      stopPrice: o.stopPrice ?? null,
      status: 'new',
      clientOrderId,
      exchangeOrderId: o.exchangeOrderId ?? null,
      rejectReason: null,
      submittedAt: o.submittedAt ?? null,
      testMode,
      botVersion: o.botVersion ?? null,
      createdAt: now,
      updatedAt: now,
    },
    'client_order_id',
  );
  // A concurrent transaction committed the same client_order_id first.
  if (row === null) return replay(tx, o, clientOrderId);
  if (signalId !== null) markSignalExecuted(tx, signalId, now);
  const order = orderWithFills(row);
  recordChange(tx, 'order', 'placed', order);
  return { order, created: true };
}

async function replay(tx: Tx, o: ParsedOrder, clientOrderId: string): Promise<PlacedOrder> {
  const first = await loadOrder(tx, { clientOrderId });
  if (!sameTerms(first, o)) {
    throw new TradingError(
      `client_order_id ${clientOrderId} is already order ${first.id} with different terms ` +
        `(${first.side} ${first.quantity} ${first.type} on asset ${first.assetId}, portfolio ${first.portfolioId})`,
    );
  }
  return { order: first, created: false };
}

/**
 * Places an order. The same client_order_id twice returns the first order and writes nothing
 * (different terms under a used id are an error). An order for a trade idea needs the idea
 * approved or auto-executed; an order from a signal marks the signal executed.
 */
export async function placeOrder(store: Store, input: OrderInput): Promise<PlacedOrder> {
  const o = parseInput(OrderInput, input, 'order');
  return inTransaction(store, (tx) => placeOrderIn(tx, o));
}

const OrderRef = z
  .object({
    orderId: id.optional(),
    clientOrderId: z.string().min(1).max(64).optional(),
  })
  .refine(
    (r) => (r.orderId === undefined) !== (r.clientOrderId === undefined),
    'give orderId or clientOrderId',
  );

const StatusChange = z
  .object({
    orderId: id.optional(),
    clientOrderId: z.string().min(1).max(64).optional(),
    reason: z.string().optional(),
    exchangeOrderId: z.string().min(1).max(128).optional(),
    submittedAt: when.optional(),
  })
  .strict()
  .refine(
    (r) => (r.orderId === undefined) !== (r.clientOrderId === undefined),
    'give orderId or clientOrderId',
  );
export type OrderStatusChange = z.input<typeof StatusChange>;

async function moveOrder(
  store: Store,
  input: OrderStatusChange,
  to: 'open' | 'canceled' | 'rejected' | 'expired',
  what: string,
): Promise<OrderView> {
  const c = parseInput(StatusChange, input, what);
  return inTransaction(store, (tx) => moveOrderIn(tx, c, to));
}

/**
 * Moves an order to `to` inside a caller's transaction (an importer replaying a venue's order
 * history): the same transition rules as acknowledge/cancel/reject/expire.
 */
export async function moveOrderIn(
  tx: Tx,
  c: z.output<typeof StatusChange>,
  to: 'open' | 'canceled' | 'rejected' | 'expired',
): Promise<OrderView> {
  const order = await loadOrder(tx, c, { lock: true });
  assertTransition('order', order.status, to); // illegal: IllegalTransitionError, nothing written
  const now = new Date();
  const changes: Partial<OrderRow> = { status: to, updatedAt: now };
  if (to === 'rejected') changes.rejectReason = c.reason ?? null;
  if (c.exchangeOrderId !== undefined) changes.exchangeOrderId = c.exchangeOrderId;
  if (to === 'open') changes.submittedAt = c.submittedAt ?? order.submittedAt ?? now;
  await orders.update(tx, order.id, changes);
  const moved = { ...order, ...changes };
  recordChange(tx, 'order', to === 'open' ? 'acknowledged' : to, moved);
  return moved;
}

/** The venue accepted the order (new → open), optionally with its exchange order id. */
export function acknowledgeOrder(store: Store, input: OrderStatusChange): Promise<OrderView> {
  return moveOrder(store, input, 'open', 'order acknowledgement');
}

/** Cancels an unfilled or partly filled order; its fills (and filled quantity) stay. */
export function cancelOrder(store: Store, input: OrderStatusChange): Promise<OrderView> {
  return moveOrder(store, input, 'canceled', 'order cancel');
}

/** The venue refused a new order. */
export function rejectOrder(store: Store, input: OrderStatusChange): Promise<OrderView> {
  return moveOrder(store, input, 'rejected', 'order rejection');
}

/** The order's time in force ran out; its fills stay. */
export function expireOrder(store: Store, input: OrderStatusChange): Promise<OrderView> {
  return moveOrder(store, input, 'expired', 'order expiry');
}

export async function getOrder(
  store: Store,
  ref: { orderId?: number; clientOrderId?: string },
): Promise<OrderView> {
  const r = parseInput(OrderRef, ref, 'order reference');
  return reading(store, (tx) => loadOrder(tx, r));
}

/** Orders matching the filter with their filled quantities, newest first. */
export const listOrders = defineListing(orders, {
  fields: {
    ...idFilters('portfolioId', 'assetId', 'tradeIdeaId', 'signalId'),
    status: z.enum(ORDER_STATUSES).optional(),
    side: z.enum(SIDES).optional(),
  },
  window: 'created_at',
  orderBy: 'created_at desc, id desc',
  finish: withFills,
});
export type OrderQuery = ListingQuery<typeof listOrders>;
