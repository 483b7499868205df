/**
 * Retention (`tradestore db prune`): old candles per timeframe, snapshots past their window,
 * decision history moved to `decision_history_archive`, and old live events (the outbox). One transaction per table, so a failure
 * in one leaves the others as they were and never half-prunes a table.
 */
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { archiveDecisionsBefore, countDecisionsBefore } from '../audit/decision-history.ts';
import type { Store } from '../db/store.ts';
import { inTransaction } from '../db/transaction.ts';
import { timestampValue } from '../db/column-values.ts';
import { TIMEFRAMES } from '../entities/common.ts';
import { countEventsBefore, pruneEventsBefore } from '../events/retention-events.ts';

const DAY = 86_400_000;

export const retentionPolicy = z.object({
  /** Days of candles to keep, per timeframe; timeframes not named are kept whole. */
  candles: z.partialRecord(z.enum(TIMEFRAMES), z.number().int().positive()).default({}),
  snapshotDays: z.number().int().positive().default(30),
  decisionDays: z.number().int().positive().default(90),
  eventDays: z.number().int().positive().default(7),
  now: z.date().default(() => new Date()),
  dryRun: z.boolean().default(false),
});

export type RetentionPolicy = z.input<typeof retentionPolicy>;

export interface PruneResult {
  table: string;
  /** What was removed (or would be, in a dry run). */
  rows: number;
  detail: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tables are addressed by name
type Db = Kysely<any> | Transaction<any>;

async function countWhere(db: Db, table: string, column: string, cutoff: unknown, extra?: [string, string]) {
  let q = db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .where(column, '<', cutoff);
  if (extra) q = q.where(extra[0], '=', extra[1]);
  return Number((await q.executeTakeFirst())?.n ?? 0);
}

export async function prune(store: Store, input: RetentionPolicy = {}): Promise<PruneResult[]> {
  const policy = retentionPolicy.parse(input);
  const now = policy.now.getTime();
  const results: PruneResult[] = [];

  // Candles: ts is epoch ms on both dialects.
  const perTimeframe = Object.entries(policy.candles) as Array<[string, number]>;
  if (perTimeframe.length > 0) {
    const removed = await store.kysely.transaction().execute(async (trx) => {
      let total = 0;
      for (const [timeframe, days] of perTimeframe) {
        const cutoff = now - days * DAY;
        total += policy.dryRun
          ? await countWhere(trx, 'candles', 'ts', cutoff, ['timeframe', timeframe])
          : Number(
              (
                await trx
                  .deleteFrom('candles')
                  .where('timeframe', '=', timeframe)
                  .where('ts', '<', cutoff)
                  .executeTakeFirst()
              ).numDeletedRows,
            );
      }
      return total;
    });
    results.push({
      table: 'candles',
      rows: removed,
      detail: perTimeframe.map(([tf, d]) => `${tf} older than ${d} days`).join(', '),
    });
  }

  const snapshotCutoff = timestampValue(store.dialect, now - policy.snapshotDays * DAY);
  for (const [table, column] of [
    ['portfolio_snapshots', 'taken_at'],
    ['account_snapshots', 'captured_at'],
    ['market_snapshots', 'captured_at'],
  ] as const) {
    const rows = await store.kysely
      .transaction()
      .execute(async (trx) =>
        policy.dryRun
          ? countWhere(trx, table, column, snapshotCutoff)
          : Number(
              (await trx.deleteFrom(table).where(column, '<', snapshotCutoff).executeTakeFirst())
                .numDeletedRows,
            ),
      );
    results.push({ table, rows, detail: `older than ${policy.snapshotDays} days` });
  }

  // The audit trail's owner moves its old rows (src/audit/decision-history.ts).
  const decisionCutoff = new Date(now - policy.decisionDays * DAY);
  const archived = await inTransaction(store, (tx) =>
    policy.dryRun
      ? countDecisionsBefore(tx, decisionCutoff)
      : archiveDecisionsBefore(tx, decisionCutoff, new Date(now)),
  );
  results.push({
    table: 'decision_history',
    rows: archived,
    detail: `older than ${policy.decisionDays} days, moved to decision_history_archive`,
  });

  // The outbox's owner trims it, as a prefix of seq (src/events/retention-events.ts).
  const eventCutoff = new Date(now - policy.eventDays * DAY);
  const events = await inTransaction(store, (tx) =>
    policy.dryRun ? countEventsBefore(tx, eventCutoff) : pruneEventsBefore(tx, eventCutoff),
  );
  results.push({ table: 'events', rows: events, detail: `older than ${policy.eventDays} days` });
  return results;
}
