/**
 * decision_history: the append-only audit trail. This module only ever inserts and reads; there is
 * no update or delete here, and the ORM refuses both on DecisionHistory (src/entities/execution.ts).
 */
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { DECISION_ACTIONS, type DecisionAction } from '../entities/execution-tables.ts';
import { parseInput } from '../input/parse.ts';
import { id, limit, offset, testScope, when } from '../input/fields.ts';
import { bool, int, intOrNull, json, numOrNull, str, strOrNull, time } from '../db/column-values.ts';
import { type Listing, listWithCounts, Where } from '../db/listing.ts';
import { type Row, reading, type Tx } from '../db/transaction.ts';

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

export function decisionFromRow(r: Row): DecisionView {
  return {
    id: int(r.id),
    occurredAt: time(r.occurred_at),
    portfolioId: intOrNull(r.portfolio_id),
    assetId: intOrNull(r.asset_id),
    action: str(r.action) as DecisionAction,
    actor: str(r.actor),
    rationale: strOrNull(r.rationale),
    confidence: numOrNull(r.confidence),
    riskCheckResult: json<Record<string, unknown>>(r.risk_check_result),
    strategyId: intOrNull(r.strategy_id),
    tradeIdeaId: intOrNull(r.trade_idea_id),
    snapshotRef: strOrNull(r.snapshot_ref),
    humanOverride: bool(r.human_override),
    testMode: bool(r.test_mode),
    botVersion: strOrNull(r.bot_version),
  };
}

/** Appends one audit row inside the caller's transaction. */
export async function appendDecision(tx: Tx, d: NewDecision): Promise<DecisionView> {
  const decisionId = await tx.insert(
    `insert into decision_history (occurred_at, portfolio_id, asset_id, action, actor, rationale, confidence,
       risk_check_result, strategy_id, trade_idea_id, snapshot_ref, human_override, test_mode, bot_version)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      tx.time(d.occurredAt),
      d.portfolioId,
      d.assetId,
      d.action,
      d.actor,
      d.rationale,
      d.confidence,
      tx.json(d.riskCheckResult),
      d.strategyId,
      d.tradeIdeaId,
      d.snapshotRef,
      tx.bool(d.humanOverride),
      tx.bool(d.testMode),
      d.botVersion,
    ],
  );
  return { id: decisionId!, ...d };
}

export const DecisionQuery = z
  .object({
    portfolioId: id.optional(),
    assetId: id.optional(),
    strategyId: id.optional(),
    tradeIdeaId: id.optional(),
    action: z.enum(DECISION_ACTIONS).optional(),
    actor: z.string().optional(),
    from: when.optional(),
    to: when.optional(),
    limit,
    offset,
    ...testScope,
  })
  .strict();
export type DecisionQuery = z.input<typeof DecisionQuery>;

/** The audit trail matching the filter, oldest first (the order decisions happened in). */
export async function listDecisions(store: Store, query: DecisionQuery = {}): Promise<Listing<DecisionView>> {
  const q = parseInput(DecisionQuery, query, 'decision query');
  return reading(store, (tx) =>
    listWithCounts(tx, {
      select: '*',
      from: 'decision_history',
      filter: new Where()
        .when(q.portfolioId, 'portfolio_id = ?', q.portfolioId)
        .when(q.assetId, 'asset_id = ?', q.assetId)
        .when(q.strategyId, 'strategy_id = ?', q.strategyId)
        .when(q.tradeIdeaId, 'trade_idea_id = ?', q.tradeIdeaId)
        .when(q.action, 'action = ?', q.action)
        .when(q.actor, 'actor = ?', q.actor)
        .when(q.from, 'occurred_at >= ?', q.from && tx.time(q.from))
        .when(q.to, 'occurred_at < ?', q.to && tx.time(q.to)),
      scope: q,
      orderBy: 'occurred_at, id',
      limit: q.limit,
      offset: q.offset,
      map: decisionFromRow,
    }),
  );
}
