/**
 * decision_history: the append-only audit trail, and its one owner. This module inserts, reads,
 * and (for retention only) moves old rows to decision_history_archive; there is no update, and the
 * ORM refuses updates and deletes on DecisionHistory (src/entities/execution-tables.ts).
 */
import { z } from 'zod';
import { defineListing, type ListingQuery } from '../db/listing.ts';
import { col, defineTable } from '../db/table.ts';
import type { Tx } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
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

/**
 * Retention, the one way rows leave the trail: those that happened before `cutoff` move to
 * decision_history_archive (stamped `archivedAt`) in the caller's transaction; returns how many.
 * The copy and the delete must agree, or the transaction is rolled back.
 */
export async function archiveDecisionsBefore(tx: Tx, cutoff: Date, archivedAt: Date): Promise<number> {
  const columns = decisionHistory.columns.map((c) => `"${c}"`).join(', ');
  const moved = await tx.run(
    `insert into decision_history_archive (${columns}, archived_at)
     select ${columns}, ? from decision_history where occurred_at < ?`,
    [tx.time(archivedAt), tx.time(cutoff)],
  );
  const deleted = await tx.run('delete from decision_history where occurred_at < ?', [tx.time(cutoff)]);
  if (moved !== deleted) {
    throw new Error(`decision history archive moved ${moved} rows but would delete ${deleted}; rolled back`);
  }
  return deleted;
}

/** How many rows `archiveDecisionsBefore(cutoff)` would move. */
export async function countDecisionsBefore(tx: Tx, cutoff: Date): Promise<number> {
  const row = await tx.get<{ n: unknown }>(
    'select count(*) as n from decision_history where occurred_at < ?',
    [tx.time(cutoff)],
  );
  return Number(row?.n ?? 0);
}

/** Appends one audit row inside the caller's transaction (and its `decision` event). */
export async function appendDecision(tx: Tx, d: NewDecision): Promise<DecisionView> {
  const decision = await decisionHistory.insert(tx, d);
  // Without the risk check's full record (a third of a trading chain's event bytes, and of the
  // outbox's cost on it): its verdict says what the gate decided; GET /decisions has the rest.
  const { riskCheckResult, ...event } = decision;
  recordChange(tx, 'decision', 'recorded', { ...event, verdict: riskCheckResult?.verdict ?? null });
  return decision;
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
