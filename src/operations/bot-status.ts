/**
 * Runtime key/value state of the bots (heartbeats, halted flags, cursors): get, set (insert or
 * replace, `updated_at` = now), delete, list. Values are any JSON value; a stored JSON `null` reads
 * back as `null`, the same as a key that holds nothing.
 */
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { selectViews, Where } from '../db/listing.ts';
import { col, defineTable } from '../db/table.ts';
import { inTransaction, reading, type Tx } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import { parseInput } from '../input/parse.ts';
import { botVersion } from '../input/fields.ts';

const statusKey = z.string().trim().min(1).max(128);

export interface BotStatusView {
  key: string;
  value: unknown;
  botVersion: string | null;
  updatedAt: Date;
}

export const botStatuses = defineTable<BotStatusView>('bot_status', 'bot status', {
  key: col.text(),
  value: col.json<unknown>(),
  botVersion: col.textOrNull(),
  updatedAt: col.time(),
});

/** The entries matching `where`, by key. (The Tx reads jsonb as text, so a stored JSON string stays a string.) */
async function readEntries(tx: Tx, where: Where): Promise<BotStatusView[]> {
  return selectViews(tx, botStatuses, { filter: where, orderBy: '"key"' });
}

const SetBotStatusInput = z
  .object({
    key: statusKey,
    value: z.json(),
    botVersion: botVersion.nullish(),
  })
  .strict();

/** Sets `key` to `value` (any JSON value), replacing what was there; returns the stored entry. */
export async function setBotStatus(
  store: Store,
  key: string,
  value: unknown,
  options: { botVersion?: string | null } = {},
): Promise<BotStatusView> {
  const input = parseInput(SetBotStatusInput, { key, value, ...options }, 'setBotStatus');
  // On the Tx layer, not the unit of work: the `bot_status` event must commit with the row.
  return inTransaction(store, async (tx) => {
    const entry: BotStatusView = {
      key: input.key,
      value: input.value ?? null,
      botVersion: input.botVersion ?? null,
      updatedAt: new Date(),
    };
    await botStatuses.put(tx, entry, '("key")', ['key']);
    recordChange(tx, 'bot_status', 'set', entry);
    return entry;
  });
}

/** The entry under `key`, or null. */
export async function getBotStatus(store: Store, key: string): Promise<BotStatusView | null> {
  const k = parseInput(statusKey, key, 'getBotStatus key');
  const [entry] = await reading(store, (tx) => readEntries(tx, new Where().add('"key" = ?', k)));
  return entry ?? null;
}

/** Removes `key`; true when it existed. */
export async function deleteBotStatus(store: Store, key: string): Promise<boolean> {
  const k = parseInput(statusKey, key, 'deleteBotStatus key');
  const removed = await inTransaction(store, (tx) => tx.run('delete from bot_status where "key" = ?', [k]));
  return removed > 0;
}

const BotStatusQuery = z.object({ prefix: z.string().min(1).max(128).optional() }).strict();

/** All entries (or those whose key starts with `prefix`), by key. */
export async function listBotStatus(
  store: Store,
  options: z.input<typeof BotStatusQuery> = {},
): Promise<BotStatusView[]> {
  const { prefix } = parseInput(BotStatusQuery, options, 'listBotStatus');
  const entries = await reading(store, (tx) => readEntries(tx, new Where()));
  // Prefix matching in TypeScript: LIKE would need escaping and differs in case rules per dialect.
  return entries.filter((e) => prefix === undefined || e.key.startsWith(prefix));
}
