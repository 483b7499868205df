/**
 * Positions, read side. Rows are written only by the fill path (src/execution/fills.ts), which
 * persists what the core's `applyFill` computes; one row per lifecycle (open → closed), at most one
 * open row per (portfolio, asset, test_mode).
 */
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { POSITION_STATUSES, type PositionStatus } from '../entities/portfolio-tables.ts';
import { bool, dec, decOrNull, int, str, strOrNull, time, timeOrNull } from '../db/column-values.ts';
import { type Listing, listWithCounts, Where } from '../db/listing.ts';
import { type Row, reading, type Tx } from '../db/transaction.ts';
import { parseInput } from '../input/parse.ts';
import { id, limit, offset, testScope } from '../input/fields.ts';
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

export function positionFromRow(r: Row): PositionView {
  return {
    id: int(r.id),
    portfolioId: int(r.portfolio_id),
    assetId: int(r.asset_id),
    side: str(r.side) as PositionSide,
    quantity: dec(r.quantity),
    averageEntryPrice: dec(r.average_entry_price),
    averageExitPrice: decOrNull(r.average_exit_price),
    costBasis: dec(r.cost_basis),
    realizedPnl: dec(r.realized_pnl),
    unrealizedPnl: decOrNull(r.unrealized_pnl),
    markPrice: decOrNull(r.mark_price),
    markedAt: timeOrNull(r.marked_at),
    openedAt: time(r.opened_at),
    closedAt: timeOrNull(r.closed_at),
    status: str(r.status) as PositionStatus,
    testMode: bool(r.test_mode),
    botVersion: strOrNull(r.bot_version),
    createdAt: time(r.created_at),
    updatedAt: time(r.updated_at),
  };
}

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

const PositionQuery = z
  .object({
    portfolioId: id.optional(),
    assetId: id.optional(),
    /** open (default), closed or all. */
    status: z.enum([...POSITION_STATUSES, 'all']).default('open'),
    limit,
    offset,
    ...testScope,
  })
  .strict();
export type PositionQuery = z.input<typeof PositionQuery>;

/** Positions (open by default), newest first; production only unless includeTest/testMode. */
export async function listPositions(store: Store, query: PositionQuery = {}): Promise<Listing<PositionView>> {
  const q = parseInput(PositionQuery, query, 'position query');
  return reading(store, (tx) =>
    listWithCounts(tx, {
      select: '*',
      from: 'positions',
      filter: new Where()
        .when(q.portfolioId, 'portfolio_id = ?', q.portfolioId)
        .when(q.assetId, 'asset_id = ?', q.assetId)
        .when(q.status === 'all' ? undefined : q.status, 'status = ?', q.status),
      scope: q,
      orderBy: 'opened_at desc, id desc',
      limit: q.limit,
      offset: q.offset,
      map: positionFromRow,
    }),
  );
}

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
  return rows.map(positionFromRow);
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
  return reading(store, async (tx) => {
    const row = await tx.get(
      `select * from positions where portfolio_id = ? and asset_id = ? and test_mode = ? and status = 'open'`,
      [q.portfolioId, q.assetId, tx.bool(q.testMode)],
    );
    return row ? positionFromRow(row) : null;
  });
}
