/**
 * Runtime key/value state of the bots (heartbeats, halted flags, cursors): get, set (insert or
 * replace, `updated_at` = now), delete, list. Values are any JSON value; a stored JSON `null` reads
 * back as `null`, the same as a key that holds nothing.
 */
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import { BotStatus } from '../entities/operations-tables.ts';
import { parseInput } from '../input/parse.ts';
import { botVersion } from '../input/fields.ts';

const statusKey = z.string().trim().min(1).max(128);

export interface BotStatusView {
  key: string;
  value: unknown;
  botVersion: string | null;
  updatedAt: Date;
}

function botStatusFromRow(row: BotStatus): BotStatusView {
  return {
    key: row.key,
    value: row.value ?? null,
    botVersion: row.botVersion ?? null,
    updatedAt: row.updatedAt,
  };
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
    await tx.run(UPSERT, [entry.key, tx.json(entry.value), entry.botVersion, tx.time(entry.updatedAt)]);
    recordChange(tx, 'bot_status', 'set', entry);
    return entry;
  });
}

const UPSERT = `insert into bot_status ("key", value, bot_version, updated_at) values (?, ?, ?, ?)
  on conflict ("key") do update
  set value = excluded.value, bot_version = excluded.bot_version, updated_at = excluded.updated_at`;

/** The entry under `key`, or null. */
export async function getBotStatus(store: Store, key: string): Promise<BotStatusView | null> {
  const k = parseInput(statusKey, key, 'getBotStatus key');
  const row = await store.em().findOne(BotStatus, { key: k });
  return row ? botStatusFromRow(row) : null;
}

/** Removes `key`; true when it existed. */
export async function deleteBotStatus(store: Store, key: string): Promise<boolean> {
  const k = parseInput(statusKey, key, 'deleteBotStatus key');
  const removed = await store.em().nativeDelete(BotStatus, { key: k });
  return removed > 0;
}

const BotStatusQuery = z.object({ prefix: z.string().min(1).max(128).optional() }).strict();

/** All entries (or those whose key starts with `prefix`), by key. */
export async function listBotStatus(
  store: Store,
  options: z.input<typeof BotStatusQuery> = {},
): Promise<BotStatusView[]> {
  const { prefix } = parseInput(BotStatusQuery, options, 'listBotStatus');
  const rows = await store.em().find(BotStatus, {}, { orderBy: { key: 'asc' } });
  // Prefix matching in TypeScript: LIKE would need escaping and differs in case rules per dialect.
  return rows.filter((r) => prefix === undefined || r.key.startsWith(prefix)).map(botStatusFromRow);
}
