/**
 * Positions, read side. Rows are written only by the fill path (src/execution/fills.ts), which
 * persists what the core's `applyFill` computes; one row per lifecycle (open → closed), at most one
 * open row per (portfolio, asset, test_mode).
 */
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { defineListing, type ListingQuery } from '../db/listing.ts';
import type { Store } from '../db/store.ts';
import { col, defineTable } from '../db/table.ts';
import { type Read, reading, type Tx } from '../db/transaction.ts';
import { POSITION_STATUSES, type PositionStatus } from '../entities/portfolio-tables.ts';
import { id, idFilters } from '../input/fields.ts';
import { parseInput } from '../input/parse.ts';
import type { PositionSide, PositionState } from '../trading/position-accounting.ts';

export interface PositionView {
  id: number;
  portfolioId: number;
  assetId: number;
  side: PositionSide;
  quantity: Decimal;
  averageEntryPrice: Decimal;
  averageExitPrice: Decimal | null;
  /** Exact entry value of the open quantity (what the accounting uses; 0 once closed). */
  costBasis: Decimal;
  /** Net realized P&L of this lifecycle (fees deducted). */
  realizedPnl: Decimal;
  unrealizedPnl: Decimal | null;
  markPrice: Decimal | null;
  markedAt: Date | null;
  openedAt: Date;
  closedAt: Date | null;
  status: PositionStatus;
  testMode: boolean;
  botVersion: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const positions = defineTable<PositionView>('positions', 'position', {
  id: col.id(),
  portfolioId: col.int(),
  assetId: col.int(),
  side: col.text<PositionSide>(),
  quantity: col.decimal(),
  // Average prices are the core's divisions (18 places), stored at the column's scale.
  averageEntryPrice: col.price(),
  averageExitPrice: col.priceOrNull(),
  costBasis: col.money(),
  realizedPnl: col.money(),
  unrealizedPnl: col.moneyOrNull(),
  markPrice: col.decimalOrNull(),
  markedAt: col.timeOrNull(),
  openedAt: col.time(),
  closedAt: col.timeOrNull(),
  status: col.text<PositionStatus>(),
  testMode: col.bool(),
  botVersion: col.textOrNull(),
  createdAt: col.time(),
  updatedAt: col.time(),
});

/** The core's state of a stored position. */
export function positionState(p: PositionView): PositionState {
  return {
    side: p.side,
    quantity: p.quantity,
    averageEntryPrice: p.averageEntryPrice,
    costBasis: p.costBasis,
    realizedPnl: p.realizedPnl,
    status: p.status,
  };
}

/** Positions (open by default; 'closed', or 'all' for every lifecycle), most recently opened first. */
export const listPositions = defineListing(positions, {
  fields: {
    ...idFilters('portfolioId', 'assetId'),
    status: z.enum([...POSITION_STATUSES, 'all']).default('open'),
  },
  rules: { status: (status) => (status === 'all' ? null : ['status = ?', status]) },
  orderBy: 'opened_at desc, id desc',
});
export type PositionQuery = ListingQuery<typeof listPositions>;

/** A portfolio's open positions (its test-mode ones when testMode), oldest first. */
export async function loadOpenPositions(
  tx: Tx,
  portfolioId: number,
  testMode: boolean,
): Promise<PositionView[]> {
  const rows = await tx.all(
    `select * from positions where portfolio_id = ? and status = 'open' and test_mode = ? order by id`,
    [portfolioId, tx.bool(testMode)],
  );
  return rows.map(positions.fromRow);
}

/** The open position of an asset in a portfolio's production or test book, or null when flat. */
export async function findOpenPosition(
  tx: Tx,
  portfolioId: number,
  assetId: number,
  testMode: boolean,
): Promise<PositionView | null> {
  const [position] = await tx.readEach([openPositionRead(tx, portfolioId, assetId, testMode)]);
  return position;
}

/** `findOpenPosition` as a Read, for a caller that sends it with other reads (`Tx.readEach`). */
export function openPositionRead(
  tx: Tx,
  portfolioId: number,
  assetId: number,
  testMode: boolean,
): Read<PositionView | null> {
  return {
    sql: `select * from positions where portfolio_id = ? and asset_id = ? and test_mode = ? and status = 'open'`,
    params: [portfolioId, assetId, tx.bool(testMode)],
    rows: ([row]) => (row ? positions.fromRow(row) : null),
  };
}

/** The open position of an asset in a portfolio (production unless testMode), or null when flat. */
export async function getOpenPosition(
  store: Store,
  input: { portfolioId: number; assetId: number; testMode?: boolean },
): Promise<PositionView | null> {
  const q = parseInput(
    z.object({ portfolioId: id, assetId: id, testMode: z.boolean().default(false) }).strict(),
    input,
    'position lookup',
  );
  return reading(store, (tx) => findOpenPosition(tx, q.portfolioId, q.assetId, q.testMode));
}
