/**
 * Login accounts: registration (the first user of an empty store is the admin), creation by an
 * admin, listing and role/active changes. Passwords are scrypt hashes (passwords.ts); nothing here
 * returns or logs a password or its hash.
 */
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { USER_ROLES, type UserRole } from '../entities/identity-tables.ts';
import { inTransaction, reading, type Row } from '../db/transaction.ts';
import { int, str, time } from '../db/column-values.ts';
import { parseInput } from '../input/parse.ts';
import { id, timeZone } from '../input/fields.ts';
import { ConflictError, NotFoundError } from '../input/errors.ts';
import { AccessDeniedError } from './errors.ts';
import { hashPassword } from './passwords.ts';

export interface UserView {
  id: number;
  email: string;
  role: UserRole;
  isActive: boolean;
  /** IANA zone every time is displayed in (the dashboard). */
  timeZone: string;
  createdAt: Date;
  updatedAt: Date;
}

export function userFromRow(r: Row): UserView {
  return {
    id: int(r.id),
    email: str(r.email),
    role: str(r.role) as UserRole,
    isActive: r.is_active === true || r.is_active === 1,
    timeZone: str(r.time_zone),
    createdAt: time(r.created_at),
    updatedAt: time(r.updated_at),
  };
}

export const email = z.string().trim().toLowerCase().pipe(z.email()).pipe(z.string().max(320));
/** 8 to 1024 characters: long passphrases welcome, a megabyte of "password" is not. */
export const password = z.string().min(8, 'at least 8 characters').max(1024);

const NewUser = z
  .object({ email, password, role: z.enum(USER_ROLES).default('viewer'), timeZone: timeZone.default('UTC') })
  .strict();
export type NewUserInput = z.input<typeof NewUser>;

const USER_COLUMNS = 'id, email, role, is_active, time_zone, created_at, updated_at';

async function insertUser(
  store: Store,
  u: { email: string; password: string; timeZone: string },
  role: (existingUsers: number) => UserRole,
): Promise<UserView> {
  const hash = await hashPassword(u.password);
  return inTransaction(store, async (tx) => {
    // Two first registrations at once must not both become admin: on PostgreSQL the table lock
    // serialises them (SQLite's BEGIN IMMEDIATE already does).
    if (tx.dialect === 'postgresql') await tx.run('lock table users in share row exclusive mode');
    const count = int((await tx.get<{ n: unknown }>('select count(*) as n from users'))!.n);
    const taken = await tx.get('select id from users where email = ?', [u.email]);
    if (taken) throw new ConflictError(`a user with email ${u.email} already exists`);
    const now = tx.time(new Date());
    const row = await tx.get(
      `insert into users (email, password_hash, role, is_active, time_zone, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?) returning ${USER_COLUMNS}`,
      [u.email, hash, role(count), tx.bool(true), u.timeZone, now, now],
    );
    return userFromRow(row!);
  });
}

/**
 * Self-registration. The first user of an empty store becomes `admin`; after that it needs
 * `allowSignup` (ALLOW_SIGNUP) and the new user is a `trader` (they run their own portfolios;
 * viewers are invited by sharing).
 */
export async function registerUser(
  store: Store,
  input: { email: string; password: string; timeZone?: string },
  options: { allowSignup: boolean },
): Promise<UserView> {
  const u = parseInput(NewUser.omit({ role: true }), input, 'registration');
  return insertUser(store, u, (existing) => {
    if (existing === 0) return 'admin';
    if (!options.allowSignup)
      throw new AccessDeniedError('self-registration is closed: an admin creates users (POST /users)');
    return 'trader';
  });
}

/** An admin (or the CLI) creates a user with a role. */
export async function createUser(store: Store, input: NewUserInput): Promise<UserView> {
  const u = parseInput(NewUser, input, 'user');
  return insertUser(store, u, () => u.role);
}

export async function getUser(store: Store, userId: number): Promise<UserView> {
  const uid = parseInput(id, userId, 'user id');
  return reading(store, async (tx) => {
    const row = await tx.get(`select ${USER_COLUMNS} from users where id = ?`, [uid]);
    if (!row) throw new NotFoundError(`user ${uid} does not exist`);
    return userFromRow(row);
  });
}

/** Users by id; `afterId` continues a page (keyset, newest first). */
export async function listUsers(
  store: Store,
  query: { limit: number; beforeId?: number },
): Promise<UserView[]> {
  return reading(store, async (tx) => {
    const rows = await tx.all(
      `select ${USER_COLUMNS} from users${query.beforeId === undefined ? '' : ' where id < ?'} order by id desc limit ?`,
      query.beforeId === undefined ? [query.limit] : [query.beforeId, query.limit],
    );
    return rows.map(userFromRow);
  });
}

const UserChange = z
  .object({
    userId: id,
    role: z.enum(USER_ROLES).optional(),
    isActive: z.boolean().optional(),
    timeZone: timeZone.optional(),
  })
  .strict();
export type UserChangeInput = z.input<typeof UserChange>;

/**
 * Changes a user's role, time zone, or deactivates them (users are never deleted: they own
 * history). The HTTP API lets a user change only their own time zone (PATCH /auth/me).
 */
export async function updateUser(store: Store, input: UserChangeInput): Promise<UserView> {
  const c = parseInput(UserChange, input, 'user change');
  return inTransaction(store, async (tx) => {
    const sets: Array<[string, unknown]> = [];
    if (c.role !== undefined) sets.push(['role', c.role]);
    if (c.isActive !== undefined) sets.push(['is_active', tx.bool(c.isActive)]);
    if (c.timeZone !== undefined) sets.push(['time_zone', c.timeZone]);
    sets.push(['updated_at', tx.time(new Date())]);
    const row = await tx.get(
      `update users set ${sets.map(([k]) => `${k} = ?`).join(', ')} where id = ? returning ${USER_COLUMNS}`,
      [...sets.map(([, v]) => v), c.userId],
    );
    if (!row) throw new NotFoundError(`user ${c.userId} does not exist`);
    if (c.isActive === false) {
      // A deactivated user's logins end now, not when their access tokens expire.
      await tx.run(
        "update auth_sessions set revoked_at = ?, revoked_reason = 'admin' where user_id = ? and revoked_at is null",
        [tx.time(new Date()), c.userId],
      );
    }
    return userFromRow(row);
  });
}

/** Whether any login exists: an empty store's first registration creates the admin. */
export async function hasUsers(store: Store): Promise<boolean> {
  return reading(store, async (tx) => (await tx.get('select id from users limit 1')) !== undefined);
}
