/**
 * Runtime key/value state of the bots (heartbeats, halted flags, cursors): get, set (insert or
 * replace, `updated_at` = now), delete, list. Values are any JSON value; a stored JSON `null` reads
 * back as `null`, the same as a key that holds nothing.
 */
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { BotStatus } from '../entities/operations-tables.ts';
import { parseInput } from '../input/parse.ts';
import { botVersion } from '../input/fields.ts';

const keyInput = z.string().trim().min(1).max(128);

export interface BotStatusEntry {
  key: string;
  value: unknown;
  botVersion: string | null;
  updatedAt: Date;
}

function entryOf(row: BotStatus): BotStatusEntry {
  return {
    key: row.key,
    value: row.value ?? null,
    botVersion: row.botVersion ?? null,
    updatedAt: row.updatedAt,
  };
}

const setInput = z
  .object({
    key: keyInput,
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
): Promise<BotStatusEntry> {
  const input = parseInput(setInput, { key, value, ...options }, 'setBotStatus');
  const row = await store.em().upsert(BotStatus, {
    key: input.key,
    value: input.value,
    botVersion: input.botVersion ?? null,
    updatedAt: new Date(),
  });
  return entryOf(row);
}

/** The entry under `key`, or null. */
export async function getBotStatus(store: Store, key: string): Promise<BotStatusEntry | null> {
  const k = parseInput(keyInput, key, 'getBotStatus key');
  const row = await store.em().findOne(BotStatus, { key: k });
  return row ? entryOf(row) : null;
}

/** Removes `key`; true when it existed. */
export async function deleteBotStatus(store: Store, key: string): Promise<boolean> {
  const k = parseInput(keyInput, key, 'deleteBotStatus key');
  const removed = await store.em().nativeDelete(BotStatus, { key: k });
  return removed > 0;
}

const listInput = z.object({ prefix: z.string().min(1).max(128).optional() }).strict();

/** All entries (or those whose key starts with `prefix`), by key. */
export async function listBotStatus(
  store: Store,
  options: z.input<typeof listInput> = {},
): Promise<BotStatusEntry[]> {
  const { prefix } = parseInput(listInput, options, 'listBotStatus');
  const rows = await store.em().find(BotStatus, {}, { orderBy: { key: 'asc' } });
  // Prefix matching in TypeScript: LIKE would need escaping and differs in case rules per dialect.
  return rows.filter((r) => prefix === undefined || r.key.startsWith(prefix)).map(entryOf);
}
