/**
 * Retention of the outbox (`db prune`, src/operations/retention.ts): events that occurred before
 * the cutoff go, always as a prefix of seq (every event up to the newest old one), so the stream
 * never has a hole in the middle: a reader whose cursor is older than the oldest seq left is told
 * to reset (src/events/subscribe.ts), and one past it misses nothing. The counter row stays, so
 * seqs keep counting on from where they were.
 */
import type { Tx } from '../db/transaction.ts';

const LAST_OLD = 'select max(seq) as seq from events where occurred_at < ?';

/** The seq up to which `pruneEventsBefore(cutoff)` deletes (null: nothing to delete). */
async function lastOldSeq(tx: Tx, cutoff: Date): Promise<number | null> {
  const row = await tx.get<{ seq: unknown }>(LAST_OLD, [tx.time(cutoff)]);
  return row?.seq === null || row?.seq === undefined ? null : Number(row.seq);
}

/** Deletes events that occurred before `cutoff` (as a seq prefix); returns how many. */
export async function pruneEventsBefore(tx: Tx, cutoff: Date): Promise<number> {
  const last = await lastOldSeq(tx, cutoff);
  return last === null ? 0 : tx.run('delete from events where seq <= ?', [last]);
}

/** How many events `pruneEventsBefore(cutoff)` would delete. */
export async function countEventsBefore(tx: Tx, cutoff: Date): Promise<number> {
  const last = await lastOldSeq(tx, cutoff);
  if (last === null) return 0;
  const row = await tx.get<{ n: unknown }>('select count(*) as n from events where seq <= ?', [last]);
  return Number(row?.n ?? 0);
}
