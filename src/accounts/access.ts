/**
 * Sharing portfolios: an owner grants another user `viewer` (read) or `trader` (read and act)
 * access, and revokes it. `relationTo` tells what a user is to a portfolio, which is all the
 * authorization rule (authorize.ts) needs from the database.
 */
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { PORTFOLIO_ACCESS_ROLES, type PortfolioAccessRole } from '../entities/account-tables.ts';
import { inTransaction, reading, type Row, type Tx } from '../db/transaction.ts';
import { int, str, time } from '../db/column-values.ts';
import { ConflictError, NotFoundError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import { id } from '../input/fields.ts';
import { email } from './users.ts';

export type Relation = 'owner' | PortfolioAccessRole | null;

export interface PortfolioAccessView {
  id: number;
  portfolioId: number;
  userId: number;
  email: string;
  role: PortfolioAccessRole;
  grantedBy: string;
  createdAt: Date;
}

function accessFromRow(r: Row): PortfolioAccessView {
  return {
    id: int(r.id),
    portfolioId: int(r.portfolio_id),
    userId: int(r.user_id),
    email: str(r.email),
    role: str(r.role) as PortfolioAccessRole,
    grantedBy: str(r.granted_by),
    createdAt: time(r.created_at),
  };
}

/** What `userId` is to the portfolio: its owner, a grantee, or nothing (also when it does not exist). */
export async function relationIn(tx: Tx, userId: number, portfolioId: number): Promise<Relation> {
  const row = await tx.get<{ owner_id: unknown; role: unknown }>(
    `select p.owner_id, a.role from portfolios p
       left join portfolio_access a on a.portfolio_id = p.id and a.user_id = ?
      where p.id = ?`,
    [userId, portfolioId],
  );
  if (!row) return null;
  if (int(row.owner_id) === userId) return 'owner';
  return row.role === null || row.role === undefined ? null : (str(row.role) as PortfolioAccessRole);
}

export function relationTo(store: Store, userId: number, portfolioId: number): Promise<Relation> {
  return reading(store, (tx) => relationIn(tx, userId, portfolioId));
}

/** Every portfolio the user owns or was granted. */
export async function reachablePortfolioIds(store: Store, userId: number): Promise<number[]> {
  return reading(store, async (tx) =>
    (
      await tx.all<{ id: unknown }>(
        `select id from portfolios where owner_id = ?
         union select portfolio_id as id from portfolio_access where user_id = ?`,
        [userId, userId],
      )
    )
      .map((r) => int(r.id))
      .sort((a, b) => a - b),
  );
}

const Grant = z
  .object({
    portfolioId: id,
    email,
    role: z.enum(PORTFOLIO_ACCESS_ROLES),
    grantedBy: z.string().min(1).max(320),
  })
  .strict();
export type GrantInput = z.input<typeof Grant>;

/** Shares the portfolio with the user of `email`; granting again changes the role. */
export async function grantPortfolioAccess(store: Store, input: GrantInput): Promise<PortfolioAccessView> {
  const g = parseInput(Grant, input, 'portfolio access');
  return inTransaction(store, async (tx) => {
    const portfolio = await tx.get<{ owner_id: unknown }>('select owner_id from portfolios where id = ?', [
      g.portfolioId,
    ]);
    if (!portfolio) throw new NotFoundError(`portfolio ${g.portfolioId} does not exist`);
    const user = await tx.get<{ id: unknown }>('select id from users where email = ?', [g.email]);
    if (!user) throw new NotFoundError(`user ${g.email} does not exist`);
    if (int(user.id) === int(portfolio.owner_id))
      throw new ConflictError(`${g.email} owns portfolio ${g.portfolioId}`);
    const now = tx.time(new Date());
    await tx.run(
      `insert into portfolio_access (portfolio_id, user_id, role, granted_by, created_at) values (?, ?, ?, ?, ?)
       on conflict (portfolio_id, user_id) do update set role = excluded.role, granted_by = excluded.granted_by`,
      [g.portfolioId, int(user.id), g.role, g.grantedBy, now],
    );
    const row = await tx.get(
      `select a.*, u.email from portfolio_access a join users u on u.id = a.user_id
        where a.portfolio_id = ? and a.user_id = ?`,
      [g.portfolioId, int(user.id)],
    );
    return accessFromRow(row!);
  });
}

/** Revokes a user's access to the portfolio (by user id). */
export async function revokePortfolioAccess(
  store: Store,
  input: { portfolioId: number; userId: number },
): Promise<void> {
  const n = await inTransaction(store, (tx) =>
    tx.run('delete from portfolio_access where portfolio_id = ? and user_id = ?', [
      input.portfolioId,
      input.userId,
    ]),
  );
  if (n === 0)
    throw new NotFoundError(`user ${input.userId} has no access to portfolio ${input.portfolioId}`);
}

export async function listPortfolioAccess(store: Store, portfolioId: number): Promise<PortfolioAccessView[]> {
  return reading(store, async (tx) =>
    (
      await tx.all(
        'select a.*, u.email from portfolio_access a join users u on u.id = a.user_id where a.portfolio_id = ? order by a.id',
        [portfolioId],
      )
    ).map(accessFromRow),
  );
}

const PORTFOLIO_OF: Record<string, string> = {
  orders: 'select portfolio_id from orders where id = ?',
  trade_ideas: 'select portfolio_id from trade_ideas where id = ?',
  trades: 'select portfolio_id from trades where id = ?',
  positions: 'select portfolio_id from positions where id = ?',
  signals: 'select portfolio_id from signals where id = ?',
  fills: 'select o.portfolio_id from fills f join orders o on o.id = f.order_id where f.id = ?',
  decision_history: 'select portfolio_id from decision_history where id = ?',
  portfolio_snapshots: 'select portfolio_id from portfolio_snapshots where id = ?',
  account_snapshots: 'select portfolio_id from account_snapshots where id = ?',
};

/**
 * The portfolio a row belongs to: its id, null for a row outside any portfolio (shared data), or
 * undefined when the row does not exist.
 */
export async function portfolioOfRow(
  store: Store,
  table: string,
  rowId: number,
): Promise<number | null | undefined> {
  const sql = PORTFOLIO_OF[table];
  if (sql === undefined) throw new TypeError(`no portfolio lookup for ${table}`);
  const row = await reading(store, (tx) => tx.get<{ portfolio_id: unknown }>(sql, [rowId]));
  if (!row) return undefined;
  return row.portfolio_id === null || row.portfolio_id === undefined ? null : int(row.portfolio_id);
}
