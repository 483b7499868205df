/**
 * API keys for bots: `tsk_` + 32 random bytes (base64url), shown once at creation; the table keeps
 * its sha256 (a 256-bit random secret needs no slow hash) and the first characters to tell keys
 * apart. Scopes (read, trade, admin) and an optional list of portfolios narrow what the key's user
 * may do; `last_used_at` is written at most once a minute per key so a busy bot does not turn every
 * read into a write.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { API_KEY_SCOPES, type ApiKeyScope } from '../entities/account-tables.ts';
import type { UserRole } from '../entities/identity-tables.ts';
import { inTransaction, reading, type Row } from '../db/transaction.ts';
import { bool, int, json, str, time, timeOrNull } from '../db/column-values.ts';
import { NotFoundError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import { id, when } from '../input/fields.ts';
import { AuthenticationError } from './errors.ts';
import type { Principal } from './principal.ts';

export const API_KEY_PREFIX = 'tsk_';
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiKeyView {
  id: number;
  userId: number;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  portfolioIds: number[] | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

function apiKeyFromRow(r: Row): ApiKeyView {
  return {
    id: int(r.id),
    userId: int(r.user_id),
    name: str(r.name),
    prefix: str(r.prefix),
    scopes: json<ApiKeyScope[]>(r.scopes) ?? [],
    portfolioIds: json<number[]>(r.portfolio_ids),
    expiresAt: timeOrNull(r.expires_at),
    lastUsedAt: timeOrNull(r.last_used_at),
    createdAt: time(r.created_at),
  };
}

const digest = (key: string) => createHash('sha256').update(key).digest('hex');

const NewKey = z
  .object({
    userId: id,
    name: z.string().trim().min(1).max(255),
    scopes: z
      .array(z.enum(API_KEY_SCOPES))
      .min(1)
      .transform((s) => [...new Set(s)]),
    portfolioIds: z.array(id).min(1).nullable().optional(),
    expiresAt: when.nullable().optional(),
  })
  .strict();
export type NewApiKeyInput = z.input<typeof NewKey>;

/** Creates a key; `key` is returned this once and never stored. */
export async function createApiKey(
  store: Store,
  input: NewApiKeyInput,
): Promise<{ key: string; apiKey: ApiKeyView }> {
  const k = parseInput(NewKey, input, 'API key');
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  const apiKey = await inTransaction(store, async (tx) => {
    const row = await tx.get(
      `insert into api_keys (user_id, name, prefix, key_hash, scopes, portfolio_ids, expires_at, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?) returning *`,
      [
        k.userId,
        k.name,
        key.slice(0, 12),
        digest(key),
        tx.json(k.scopes),
        tx.json(k.portfolioIds ?? null),
        k.expiresAt ? tx.time(k.expiresAt) : null,
        tx.time(new Date()),
      ],
    );
    return apiKeyFromRow(row!);
  });
  return { key, apiKey };
}

/** A user's keys, newest first (never the keys themselves). */
export async function listApiKeys(store: Store, userId: number): Promise<ApiKeyView[]> {
  return reading(store, async (tx) =>
    (await tx.all('select * from api_keys where user_id = ? order by id desc', [userId])).map(apiKeyFromRow),
  );
}

/** Deletes one of the user's keys (an admin may name any user's); it stops working at once. */
export async function deleteApiKey(
  store: Store,
  input: { keyId: number; userId: number | null },
): Promise<void> {
  const n = await inTransaction(store, (tx) =>
    input.userId === null
      ? tx.run('delete from api_keys where id = ?', [input.keyId])
      : tx.run('delete from api_keys where id = ? and user_id = ?', [input.keyId, input.userId]),
  );
  if (n === 0) throw new NotFoundError(`API key ${input.keyId} does not exist`);
}

export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

/** The principal of a key: unknown, expired or a deactivated user's key is a 401. */
export async function authenticateApiKey(store: Store, key: string): Promise<Principal> {
  const row = await reading(store, (tx) =>
    tx.get<Record<string, unknown>>(
      `select k.*, u.email, u.role, u.is_active from api_keys k join users u on u.id = k.user_id where k.key_hash = ?`,
      [digest(key)],
    ),
  );
  const now = new Date();
  if (!row || !bool(row.is_active)) throw new AuthenticationError('invalid or expired credentials');
  const view = apiKeyFromRow(row);
  if (view.expiresAt !== null && view.expiresAt <= now)
    throw new AuthenticationError('invalid or expired credentials');
  if (view.lastUsedAt === null || now.getTime() - view.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await inTransaction(store, (tx) =>
      tx.run('update api_keys set last_used_at = ? where id = ?', [tx.time(now), view.id]),
    );
  }
  return {
    userId: view.userId,
    email: str(row.email),
    role: str(row.role) as UserRole,
    via: 'api_key',
    scopes: new Set(view.scopes),
    portfolioIds: view.portfolioIds,
    apiKeyId: view.id,
  };
}
