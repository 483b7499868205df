/**
 * Trade idea rows: the stored idea (its view and table description), reading one under its lock,
 * and the proposal input every way of creating an idea accepts.
 */
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { col, defineTable } from '../db/table.ts';
import type { Tx } from '../db/transaction.ts';
import { DIRECTIONS, type Direction } from '../entities/common.ts';
import type { TradeIdeaStatus } from '../entities/execution-tables.ts';
import { NotFoundError } from '../input/errors.ts';
import { botVersion, confidence, id, nonNegativeDecimal, positiveDecimal, when } from '../input/fields.ts';

export interface TradeIdeaView {
  id: number;
  portfolioId: number | null;
  signalId: number | null;
  strategyId: number | null;
  assetId: number;
  direction: Direction;
  /** The size the gate judged (every idea the services store has one). */
  quantity: Decimal | null;
  entryPrice: Decimal | null;
  entryRangeLow: Decimal | null;
  entryRangeHigh: Decimal | null;
  stopLoss: Decimal | null;
  takeProfit: Decimal | null;
  expectedHold: string | null;
  rationale: string | null;
  confidence: number | null;
  status: TradeIdeaStatus;
  snapshotRef: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  expiresAt: Date | null;
  testMode: boolean;
  botVersion: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const tradeIdeas = defineTable<TradeIdeaView>('trade_ideas', 'trade idea', {
  id: col.id(),
  portfolioId: col.intOrNull(),
  signalId: col.intOrNull(),
  strategyId: col.intOrNull(),
  assetId: col.int(),
  direction: col.text<Direction>(),
  quantity: col.decimalOrNull(),
  entryPrice: col.decimalOrNull(),
  entryRangeLow: col.decimalOrNull(),
  entryRangeHigh: col.decimalOrNull(),
  stopLoss: col.decimalOrNull(),
  takeProfit: col.decimalOrNull(),
  expectedHold: col.textOrNull(),
  rationale: col.textOrNull(),
  confidence: col.floatOrNull(),
  status: col.text<TradeIdeaStatus>(),
  snapshotRef: col.textOrNull(),
  decidedBy: col.textOrNull(),
  decidedAt: col.timeOrNull(),
  expiresAt: col.timeOrNull(),
  testMode: col.bool(),
  botVersion: col.textOrNull(),
  createdAt: col.time(),
  updatedAt: col.time(),
});

export const TradeIdeaInput = z
  .object({
    /** Propose from this signal: portfolio, strategy, asset, direction, price, confidence and provenance come from it. */
    signalId: id.optional(),
    portfolioId: id.optional(),
    strategyId: id.optional(),
    assetId: id.optional(),
    direction: z.enum(DIRECTIONS).optional(),
    /** The size the idea would trade; the gate's max lot size rule checks it (kept in risk_check_result). */
    quantity: positiveDecimal.optional(),
    entryPrice: nonNegativeDecimal.optional(),
    entryRangeLow: nonNegativeDecimal.optional(),
    entryRangeHigh: nonNegativeDecimal.optional(),
    stopLoss: nonNegativeDecimal.optional(),
    takeProfit: nonNegativeDecimal.optional(),
    expectedHold: z.string().min(1).max(32).optional(),
    rationale: z.string().optional(),
    confidence: confidence.optional(),
    snapshotRef: z.string().max(255).optional(),
    expiresAt: when.optional(),
    testMode: z.boolean().optional(),
    botVersion: botVersion.optional(),
  })
  .strict();
export type TradeIdeaInput = z.input<typeof TradeIdeaInput>;
export type ParsedTradeIdea = z.output<typeof TradeIdeaInput>;

export async function loadTradeIdea(tx: Tx, ideaId: number, options: { lock?: boolean } = {}) {
  const row = await tx.get(`select * from trade_ideas where id = ?${options.lock ? tx.forUpdate : ''}`, [
    ideaId,
  ]);
  if (!row) throw new NotFoundError(`trade idea ${ideaId} does not exist`);
  return tradeIdeas.fromRow(row);
}
