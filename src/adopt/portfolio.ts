/**
 * The portfolio an import writes into, by name. An existing portfolio of that name is used (of
 * `owner` when given; a name two owners use is ambiguous and refused); a missing one is created
 * through the portfolio service for `owner`, else the first active admin, else the only active
 * user. An import never creates a login account itself: the store's first user becomes its admin
 * at registration, and an account made by an import would take that place.
 */
import type { Store } from '../db/store.ts';
import { int } from '../db/column-values.ts';
import { reading } from '../db/transaction.ts';
import { ConflictError, NotFoundError } from '../input/errors.ts';
import { createPortfolio, findUser, getPortfolio, type PortfolioView } from '../portfolios/portfolios.ts';

export async function findPortfolioByName(
  store: Store,
  name: string,
  owner?: string,
): Promise<PortfolioView | null> {
  const rows = await reading(store, async (tx) => {
    if (owner === undefined) {
      return tx.all<{ id: unknown }>('select id from portfolios where name = ? order by id', [name]);
    }
    const user = await findUser(tx, owner.trim().toLowerCase());
    return tx.all<{ id: unknown }>('select id from portfolios where name = ? and owner_id = ?', [
      name,
      user.id,
    ]);
  });
  if (rows.length > 1) {
    throw new ConflictError(
      `${rows.length} portfolios are named "${name}" (ids ${rows.map((r) => int(r.id)).join(', ')}): pass --owner`,
    );
  }
  return rows[0] ? getPortfolio(store, int(rows[0].id)) : null;
}

export interface ImportPortfolioInput {
  name: string;
  /** Email of the owner; required when the store has no admin and more than one user. */
  owner?: string;
  baseCurrency?: string;
  mode?: 'live' | 'paper';
  initialBalance?: string;
  description: string;
}

export async function ensureImportPortfolio(
  store: Store,
  input: ImportPortfolioInput,
): Promise<{ portfolio: PortfolioView; created: boolean }> {
  const found = await findPortfolioByName(store, input.name, input.owner);
  if (found) return { portfolio: found, created: false };
  const portfolio = await createPortfolio(store, {
    owner: input.owner?.trim().toLowerCase() ?? (await defaultOwner(store, input.name)),
    name: input.name,
    description: input.description,
    baseCurrency: input.baseCurrency ?? 'USD',
    mode: input.mode ?? 'paper',
    initialBalance: input.initialBalance ?? '0',
  });
  return { portfolio, created: true };
}

async function defaultOwner(store: Store, portfolio: string): Promise<number> {
  const users = await reading(store, (tx) =>
    tx.all<{ id: unknown; role: unknown }>('select id, role from users where is_active = ? order by id', [
      tx.bool(true),
    ]),
  );
  const admin = users.find((u) => u.role === 'admin');
  if (admin) return int(admin.id);
  if (users.length === 1) return int(users[0]!.id);
  throw new NotFoundError(
    users.length === 0
      ? `portfolio "${portfolio}" needs an owner and the store has no user: create one first ` +
          '(`tradestore users create --email you@example.com --role admin`)'
      : `portfolio "${portfolio}" needs an owner: pass --owner <email> (the store has ${users.length} users and no admin)`,
  );
}
