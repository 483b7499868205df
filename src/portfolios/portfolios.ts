/**
 * Portfolios: several per user (name unique per owner), each with its cash. Cash starts at the
 * initial balance and then moves only with fills (src/execution/fills.ts), so at every moment
 *   cash − initial + Σ signed cost basis of open positions = Σ net realized P&L
 * (long +cost, short −cost). Test-mode fills never move a portfolio's cash (test data never changes
 * production state); their positions are kept apart by test_mode.
 */
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { int, str } from '../db/column-values.ts';
import { Where } from '../db/listing.ts';
import type { Store } from '../db/store.ts';
import { col, defineTable } from '../db/table.ts';
import { inTransaction, type Read, reading, type Tx } from '../db/transaction.ts';
import {
  PORTFOLIO_MODES,
  PORTFOLIO_STATUSES,
  type PortfolioMode,
  type PortfolioStatus,
} from '../entities/portfolio-tables.ts';
import { ConflictError, NotFoundError, TradingError } from '../input/errors.ts';
import { id, jsonObject, limit, nonNegativeMoney, offset, userRef } from '../input/fields.ts';
import { parseInput } from '../input/parse.ts';

export interface PortfolioView {
  id: number;
  ownerId: number;
  name: string;
  description: string | null;
  baseCurrency: string;
  strategyType: string | null;
  mode: PortfolioMode;
  status: PortfolioStatus;
  initialBalance: Decimal;
  cashBalance: Decimal;
  maxPositionSize: Decimal | null;
  maxTotalExposure: Decimal | null;
  maxPositions: number | null;
  strategyConfig: Record<string, unknown> | null;
  createdAt: Date;
  updatedAt: Date;
}

export const portfolios = defineTable<PortfolioView>('portfolios', 'portfolio', {
  id: col.id(),
  ownerId: col.int(),
  name: col.text(),
  description: col.textOrNull(),
  baseCurrency: col.text(),
  strategyType: col.textOrNull(),
  mode: col.text<PortfolioMode>(),
  status: col.text<PortfolioStatus>(),
  initialBalance: col.money(),
  cashBalance: col.money(),
  maxPositionSize: col.moneyOrNull(),
  maxTotalExposure: col.moneyOrNull(),
  maxPositions: col.intOrNull(),
  strategyConfig: col.json<Record<string, unknown>>(),
  createdAt: col.time(),
  updatedAt: col.time(),
});

/**
 * Reads a portfolio inside a transaction; `lock` takes its row lock on PostgreSQL (`for update`),
 * which serialises every cash change of the portfolio until commit. SQLite write transactions are
 * already serialised (BEGIN IMMEDIATE).
 */
export async function loadPortfolio(
  tx: Tx,
  portfolioId: number,
  options: { lock?: boolean } = {},
): Promise<PortfolioView> {
  const [portfolio] = await tx.readEach([portfolioRead(tx, portfolioId, options)]);
  return portfolio;
}

// Constant texts: a statement's text is the key of its prepared statement, looked up per call.
const PORTFOLIO = 'select * from portfolios where id = ?';
const PORTFOLIO_LOCKED = `${PORTFOLIO} for update`;

/** `loadPortfolio` as a Read, for a caller that sends it with other reads (`Tx.readEach`). */
export function portfolioRead(
  tx: Tx,
  portfolioId: number,
  options: { lock?: boolean } = {},
): Read<PortfolioView> {
  return {
    sql: options.lock && tx.forUpdate !== '' ? PORTFOLIO_LOCKED : PORTFOLIO,
    params: [portfolioId],
    rows([row]) {
      if (!row) throw new NotFoundError(`portfolio ${portfolioId} does not exist`);
      return portfolios.fromRow(row);
    },
  };
}

/** New ideas and orders need an active portfolio. */
export function assertTradable(p: PortfolioView): void {
  if (p.status !== 'active')
    throw new TradingError(`portfolio ${p.id} (${p.name}) is ${p.status}: it takes no new trades`);
}

/** A user by id or email, for owners and deciders. */
export async function findUser(tx: Tx, ref: number | string) {
  const row = await tx.get<{ id: unknown; email: unknown; role: unknown; is_active: unknown }>(
    typeof ref === 'number'
      ? 'select id, email, role, is_active from users where id = ?'
      : 'select id, email, role, is_active from users where email = ?',
    [ref],
  );
  if (!row) throw new NotFoundError(`user ${ref} does not exist`);
  return {
    id: int(row.id),
    email: str(row.email),
    role: str(row.role),
    isActive: row.is_active === true || row.is_active === 1,
  };
}

const PortfolioFields = {
  description: z.string().nullable().optional(),
  strategyType: z.string().max(100).nullable().optional(),
  maxPositionSize: nonNegativeMoney.nullable().optional(),
  maxTotalExposure: nonNegativeMoney.nullable().optional(),
  maxPositions: z.number().int().min(0).nullable().optional(),
  strategyConfig: jsonObject.nullable().optional(),
};

const CreatePortfolioInput = z
  .object({
    owner: userRef,
    name: z.string().trim().min(1).max(255),
    baseCurrency: z.string().trim().min(1).max(16).default('USD'),
    mode: z.enum(PORTFOLIO_MODES).default('paper'),
    initialBalance: nonNegativeMoney,
    ...PortfolioFields,
  })
  .strict();
export type CreatePortfolioInput = z.input<typeof CreatePortfolioInput>;

/** Opens a portfolio for a user; its cash starts at the initial balance. */
export async function createPortfolio(store: Store, input: CreatePortfolioInput): Promise<PortfolioView> {
  const p = parseInput(CreatePortfolioInput, input, 'portfolio');
  return inTransaction(store, async (tx) => {
    const owner = await findUser(tx, p.owner);
    const clash = await tx.get('select id from portfolios where owner_id = ? and name = ?', [
      owner.id,
      p.name,
    ]);
    if (clash) throw new ConflictError(`${owner.email} already has a portfolio named "${p.name}"`);
    const now = new Date();
    return portfolios.insert(tx, {
      ownerId: owner.id,
      name: p.name,
      description: p.description ?? null,
      baseCurrency: p.baseCurrency,
      strategyType: p.strategyType ?? null,
      mode: p.mode,
      status: 'active',
      initialBalance: p.initialBalance,
      cashBalance: p.initialBalance,
      maxPositionSize: p.maxPositionSize ?? null,
      maxTotalExposure: p.maxTotalExposure ?? null,
      maxPositions: p.maxPositions ?? null,
      strategyConfig: p.strategyConfig ?? null,
      createdAt: now,
      updatedAt: now,
    });
  });
}

const UpdatePortfolioInput = z
  .object({
    portfolioId: id,
    name: z.string().trim().min(1).max(255).optional(),
    status: z.enum(PORTFOLIO_STATUSES).optional(),
    ...PortfolioFields,
  })
  .strict();
export type UpdatePortfolioInput = z.input<typeof UpdatePortfolioInput>;

/**
 * Changes a portfolio's description, limits, status or name. Cash, initial balance, mode and base
 * currency are not editable: they are the accounting's frame. A closed portfolio stays closed.
 */
export async function updatePortfolio(store: Store, input: UpdatePortfolioInput): Promise<PortfolioView> {
  const p = parseInput(UpdatePortfolioInput, input, 'portfolio update');
  return inTransaction(store, async (tx) => {
    const current = await loadPortfolio(tx, p.portfolioId, { lock: true });
    if (current.status === 'closed' && p.status !== undefined && p.status !== 'closed') {
      throw new TradingError(`portfolio ${current.id} is closed and cannot be reopened`);
    }
    if (p.name !== undefined && p.name !== current.name) {
      const clash = await tx.get('select id from portfolios where owner_id = ? and name = ? and id <> ?', [
        current.ownerId,
        p.name,
        current.id,
      ]);
      if (clash) throw new ConflictError(`the owner already has a portfolio named "${p.name}"`);
    }
    // Only the fields given change; the rest keep their stored values.
    const { portfolioId: _id, ...given } = p;
    const changes = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
    const next = { ...changes, updatedAt: new Date() } as Partial<PortfolioView>;
    await portfolios.update(tx, current.id, next);
    return { ...current, ...next };
  });
}

export async function getPortfolio(store: Store, portfolioId: number): Promise<PortfolioView> {
  const pid = parseInput(id, portfolioId, 'portfolio id');
  return reading(store, (tx) => loadPortfolio(tx, pid));
}

const PortfolioQuery = z
  .object({
    owner: userRef.optional(),
    status: z.enum(PORTFOLIO_STATUSES).optional(),
    mode: z.enum(PORTFOLIO_MODES).optional(),
    limit,
    offset,
  })
  .strict();
export type PortfolioQuery = z.input<typeof PortfolioQuery>;

/** Portfolios by owner / status / mode, by name. */
export async function listPortfolios(store: Store, query: PortfolioQuery = {}): Promise<PortfolioView[]> {
  const q = parseInput(PortfolioQuery, query, 'portfolio query');
  return reading(store, async (tx) => {
    const ownerId = q.owner === undefined ? undefined : (await findUser(tx, q.owner)).id;
    const where = new Where()
      .when(ownerId, 'owner_id = ?', ownerId)
      .when(q.status, 'status = ?', q.status)
      .when(q.mode, 'mode = ?', q.mode);
    const rows = await tx.all(`select * from portfolios${where.sql} order by name, id limit ? offset ?`, [
      ...where.params,
      q.limit,
      q.offset,
    ]);
    return rows.map(portfolios.fromRow);
  });
}
