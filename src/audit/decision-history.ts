/**
 * decision_history: the append-only audit trail. This module only ever inserts and reads; there is
 * no update or delete here, and the ORM refuses both on DecisionHistory (src/entities/execution.ts).
 */
import { z } from 'zod';
import { defineListing, type ListingQuery } from '../db/listing.ts';
import { col, defineTable } from '../db/table.ts';
import type { Tx } from '../db/transaction.ts';
import { DECISION_ACTIONS, type DecisionAction } from '../entities/execution-tables.ts';
import { idFilters } from '../input/fields.ts';

export interface DecisionView {
  id: number;
  occurredAt: Date;
  portfolioId: number | null;
  assetId: number | null;
  action: DecisionAction;
  /** 'ai', 'risk', or the deciding user's email. */
  actor: string;
  rationale: string | null;
  confidence: number | null;
  /** Every risk rule's outcome, the effective config and the context the gate saw. */
  riskCheckResult: Record<string, unknown> | null;
  strategyId: number | null;
  tradeIdeaId: number | null;
  snapshotRef: string | null;
  humanOverride: boolean;
  testMode: boolean;
  botVersion: string | null;
}

export type NewDecision = Omit<DecisionView, 'id'>;

export const decisionHistory = defineTable<DecisionView>('decision_history', 'decision', {
  id: col.id(),
  occurredAt: col.time(),
  portfolioId: col.intOrNull(),
  assetId: col.intOrNull(),
  action: col.text<DecisionAction>(),
  actor: col.text(),
  rationale: col.textOrNull(),
  confidence: col.floatOrNull(),
  riskCheckResult: col.json<Record<string, unknown>>(),
  strategyId: col.intOrNull(),
  tradeIdeaId: col.intOrNull(),
  snapshotRef: col.textOrNull(),
  humanOverride: col.bool(),
  testMode: col.bool(),
  botVersion: col.textOrNull(),
});

/** Appends one audit row inside the caller's transaction. */
export function appendDecision(tx: Tx, d: NewDecision): Promise<DecisionView> {
  return decisionHistory.insert(tx, d);
}

/** The audit trail matching the filter, oldest first (the order decisions happened in). */
export const listDecisions = defineListing(decisionHistory, {
  fields: {
    ...idFilters('portfolioId', 'assetId', 'strategyId', 'tradeIdeaId'),
    action: z.enum(DECISION_ACTIONS).optional(),
    actor: z.string().optional(),
  },
  window: 'occurred_at',
  orderBy: 'occurred_at, id',
});
export type DecisionQuery = ListingQuery<typeof listDecisions>;
