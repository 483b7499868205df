/**
 * Round trips (`trades`), read side. Live rows are written by the fill path with what the core's
 * `applyFillToTrade` computes: one row per position lifecycle, open until the position closes.
 */
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import type { Direction } from '../entities/common.ts';
import { TRADE_OUTCOMES, type TradeOutcome } from '../entities/execution-tables.ts';
import { NotFoundError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import { id, limit, offset, testScope, when } from '../input/fields.ts';
import type { TradeState } from '../trading/round-trips.ts';
import {
  bool,
  dec,
  decOrNull,
  int,
  intOrNull,
  numOrNull,
  str,
  strOrNull,
  time,
  timeOrNull,
} from '../db/column-values.ts';
import { type Listing, listWithCounts, Where } from '../db/listing.ts';
import { type Row, reading } from '../db/transaction.ts';

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

export function tradeFromRow(r: Row): TradeView {
  return {
    id: int(r.id),
    portfolioId: intOrNull(r.portfolio_id),
    strategyId: intOrNull(r.strategy_id),
    signalId: intOrNull(r.signal_id),
    tradeIdeaId: intOrNull(r.trade_idea_id),
    assetId: int(r.asset_id),
    direction: str(r.direction) as Direction,
    entryPrice: dec(r.entry_price),
    exitPrice: decOrNull(r.exit_price),
    entryTime: time(r.entry_time),
    exitTime: timeOrNull(r.exit_time),
    quantity: dec(r.quantity),
    stopLoss: decOrNull(r.stop_loss),
    takeProfit: decOrNull(r.take_profit),
    fees: dec(r.fees),
    pnl: decOrNull(r.pnl),
    pnlR: decOrNull(r.pnl_r),
    entryValue: decOrNull(r.entry_value),
    exitQuantity: decOrNull(r.exit_quantity),
    exitValue: decOrNull(r.exit_value),
    outcome: str(r.outcome) as TradeOutcome,
    reasoning: strOrNull(r.reasoning),
    confidence: numOrNull(r.confidence),
    isBacktest: bool(r.is_backtest),
    backtestRunId: intOrNull(r.backtest_run_id),
    externalRef: strOrNull(r.external_ref),
    testMode: bool(r.test_mode),
    botVersion: strOrNull(r.bot_version),
    createdAt: time(r.created_at),
    updatedAt: time(r.updated_at),
  };
}

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

export const TradeQuery = z
  .object({
    portfolioId: id.optional(),
    strategyId: id.optional(),
    assetId: id.optional(),
    signalId: id.optional(),
    tradeIdeaId: id.optional(),
    outcome: z.enum(TRADE_OUTCOMES).optional(),
    /** Live trades only (default), backtest trades only, or both ('all'). */
    backtest: z.enum(['live', 'backtest', 'all']).default('live'),
    /** Inclusive lower bound on entry_time. */
    from: when.optional(),
    /** Exclusive upper bound on entry_time. */
    to: when.optional(),
    limit,
    offset,
    ...testScope,
  })
  .strict();
export type TradeQuery = z.input<typeof TradeQuery>;

/** Round trips matching the filter, newest entry first. */
export async function listTrades(store: Store, query: TradeQuery = {}): Promise<Listing<TradeView>> {
  const q = parseInput(TradeQuery, query, 'trade query');
  return reading(store, (tx) =>
    listWithCounts(tx, {
      select: '*',
      from: 'trades',
      filter: new Where()
        .when(q.portfolioId, 'portfolio_id = ?', q.portfolioId)
        .when(q.strategyId, 'strategy_id = ?', q.strategyId)
        .when(q.assetId, 'asset_id = ?', q.assetId)
        .when(q.signalId, 'signal_id = ?', q.signalId)
        .when(q.tradeIdeaId, 'trade_idea_id = ?', q.tradeIdeaId)
        .when(q.outcome, 'outcome = ?', q.outcome)
        .when(
          q.backtest === 'all' ? undefined : q.backtest,
          'is_backtest = ?',
          tx.bool(q.backtest === 'backtest'),
        )
        .when(q.from, 'entry_time >= ?', q.from && tx.time(q.from))
        .when(q.to, 'entry_time < ?', q.to && tx.time(q.to)),
      scope: q,
      orderBy: 'entry_time desc, id desc',
      limit: q.limit,
      offset: q.offset,
      map: tradeFromRow,
    }),
  );
}

export async function getTrade(store: Store, tradeId: number): Promise<TradeView> {
  const tid = parseInput(id, tradeId, 'trade id');
  return reading(store, async (tx) => {
    const row = await tx.get('select * from trades where id = ?', [tid]);
    if (!row) throw new NotFoundError(`trade ${tid} does not exist`);
    return tradeFromRow(row);
  });
}
