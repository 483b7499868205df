/**
 * The portfolio an import writes into, by name. An existing portfolio of that name is used (a name
 * held by two owners is ambiguous and refused); a missing one is created through the portfolio
 * service, owned by the first admin user, else the local `import@tradestore.local` user (created
 * without a usable password, like the demo user).
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../db/store.ts';
import { int } from '../db/column-values.ts';
import { reading } from '../db/transaction.ts';
import { User } from '../entities/identity-tables.ts';
import { ConflictError } from '../input/errors.ts';
import { createPortfolio, getPortfolio, type PortfolioView } from '../portfolios/portfolios.ts';

export const IMPORT_OWNER_EMAIL = 'import@tradestore.local';

export async function findPortfolioByName(store: Store, name: string): Promise<PortfolioView | null> {
  const rows = await reading(store, (tx) =>
    tx.all<{ id: unknown }>('select id from portfolios where name = ? order by id', [name]),
  );
  if (rows.length > 1) {
    throw new ConflictError(
      `${rows.length} portfolios are named "${name}" (ids ${rows.map((r) => int(r.id)).join(', ')}): rename one`,
    );
  }
  return rows[0] ? getPortfolio(store, int(rows[0].id)) : null;
}

export async function ensureImportPortfolio(
  store: Store,
  input: {
    name: string;
    baseCurrency?: string;
    mode?: 'live' | 'paper';
    initialBalance?: string;
    description: string;
  },
): Promise<{ portfolio: PortfolioView; created: boolean }> {
  const found = await findPortfolioByName(store, input.name);
  if (found) return { portfolio: found, created: false };
  const owner = await importOwner(store);
  const portfolio = await createPortfolio(store, {
    owner,
    name: input.name,
    description: input.description,
    baseCurrency: input.baseCurrency ?? 'USD',
    mode: input.mode ?? 'paper',
    initialBalance: input.initialBalance ?? '0',
  });
  return { portfolio, created: true };
}

async function importOwner(store: Store): Promise<number> {
  const admin = await reading(store, (tx) =>
    tx.get<{ id: unknown }>("select id from users where role = 'admin' and is_active = ? order by id", [
      tx.bool(true),
    ]),
  );
  if (admin) return int(admin.id);
  const em = store.em();
  const existing = await em.findOne(User, { email: IMPORT_OWNER_EMAIL });
  if (existing) return existing.id;
  const user = em.create(User, {
    email: IMPORT_OWNER_EMAIL,
    // Nobody logs in as the import owner: a random hash that matches no password.
    passwordHash: `!import-owner:${randomBytes(16).toString('hex')}`,
    role: 'trader',
    isActive: false,
  });
  await em.persist(user).flush();
  return user.id;
}
