/**
 * The transaction the trading services run in, and how their SQL spells values.
 *
 * Every service operation is one `store.em().transactional(...)`. Inside it the services talk to the
 * database through `Tx`: hand-written SQL (one text for both databases, `?` placeholders) sent as a
 * precompiled query straight to the transaction's connection. That skips the ORM's unit of work
 * and Kysely's query compiler on the hot path (signal → idea → order → fill is ~18 statements; the
 * same chain through the unit of work ran ~90/s against ~580/s here on SQLite, see
 * bench/trading.ts), while staying inside the transaction the ORM opened (BEGIN IMMEDIATE on
 * SQLite, one pooled connection on PostgreSQL).
 *
 * Values are written the way the ORM writes them (src/db/values.ts, src/entities/types/decimal.ts),
 * so entity reads and these raw rows agree: exact decimals as canonical strings (refused, not
 * rounded, when they do not fit the column), datetimes as epoch ms on SQLite and timestamptz on
 * PostgreSQL, booleans as 0/1 on SQLite, JSON as text.
 */
import type { EntityManager } from '@mikro-orm/sql';
import { Decimal } from 'decimal.js';
import { CompiledQuery, type DatabaseConnection, type Kysely } from 'kysely';
import type { Store } from './store.ts';
import type { Dialect } from './url.ts';
import { booleanValue, readTimestamp, timestampValue } from './column-values.ts';
import { DECIMAL_PRECISION, DECIMAL_SCALE, MONEY_PRECISION, MONEY_SCALE } from '../entities/types/decimal.ts';
import { RefusedError } from '../input/errors.ts';
import type { ScopeCounts, TestScope } from '../input/fields.ts';
import { Exact } from '../trading/exact.ts';

export type Row = Record<string, unknown>;

/**
 * A service's view of its transaction: one connection, held for the whole operation. ORM calls on
 * the same EntityManager must not run while a Tx is in use (they would wait for this connection).
 */
export interface Tx {
  readonly dialect: Dialect;
  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Runs an `insert` (written without `returning`) and returns the new row's id, or null when it
   * inserted nothing (`on conflict do nothing`). SQLite reads the id from the statement's result
   * instead of a RETURNING clause, which costs each insert about 9 µs more there.
   */
  insert(sql: string, params?: readonly unknown[]): Promise<number | null>;
  /** ` for update` on PostgreSQL (row lock until commit), '' on SQLite (writers are serialised). */
  readonly forUpdate: string;
  // Value encoders for this dialect.
  bool(value: boolean): boolean | number;
  time(value: Date): Date | number;
  json(value: unknown): string | null;
}

/** A trading rule the operation would break (a transition, a size, a mismatch); nothing was written. */
export class TradingError extends RefusedError {
  override name = 'TradingError';
}

// `?` → `$n` for PostgreSQL, cached per SQL text (the SQL here never has `?` inside literals).
const pgText = new Map<string, string>();
function toPg(sql: string): string {
  let text = pgText.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    pgText.set(sql, text);
  }
  return text;
}

function makeTx(dialect: Dialect, connection: DatabaseConnection): Tx {
  const sqlite = dialect === 'sqlite';
  // Straight to the connection: no per-statement connection hand-off, no plugins (none installed).
  const exec = (sql: string, params: readonly unknown[]) =>
    connection.executeQuery<Row>(CompiledQuery.raw(sqlite ? sql : toPg(sql), params as unknown[]));
  return {
    dialect,
    async all<T>(sql: string, params: readonly unknown[] = []) {
      return (await exec(sql, params)).rows as T[];
    },
    async get<T>(sql: string, params: readonly unknown[] = []) {
      return (await exec(sql, params)).rows[0] as T | undefined;
    },
    async run(sql: string, params: readonly unknown[] = []) {
      return Number((await exec(sql, params)).numAffectedRows ?? 0);
    },
    async insert(sql: string, params: readonly unknown[] = []) {
      if (!sqlite) {
        const row = (await exec(`${sql} returning id`, params)).rows[0];
        return row === undefined ? null : Number(row.id);
      }
      const result = await exec(sql, params);
      return result.numAffectedRows === 0n || result.insertId === undefined ? null : Number(result.insertId);
    },
    forUpdate: sqlite ? '' : ' for update',
    bool: (v) => booleanValue(dialect, v),
    time: (v) => timestampValue(dialect, v),
    json: (v) => (v === null || v === undefined ? null : JSON.stringify(v)),
  };
}

/** Runs `fn` on one connection of `em` (its transaction's connection inside `transactional`). */
function onConnection<T>(store: Store, em: EntityManager, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const kysely = em.getKysely() as unknown as Kysely<unknown>;
  return kysely.getExecutor().provideConnection((connection) => fn(makeTx(store.dialect, connection)));
}

/**
 * Runs `fn` as one transaction (committed when it returns, rolled back when it throws). Services
 * compose inside one transaction through their `…In(tx, …)` variants (see chain.ts).
 *
 * Kysely's own transaction on the ORM's driver (same pool, same BEGIN IMMEDIATE on SQLite), not
 * `em.transactional`: the services never touch the unit of work, and forking an EntityManager per
 * call cost about 35 µs of the trading chain's budget.
 */
export async function inTransaction<T>(store: Store, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return store.kysely
    .transaction()
    .execute((trx) =>
      trx.getExecutor().provideConnection((connection) => fn(makeTx(store.dialect, connection))),
    );
}

/** Read-only work: the same Tx interface, on one pooled connection, without a write transaction. */
export async function reading<T>(store: Store, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return onConnection(store, store.em(), fn);
}

// ---- values read back ------------------------------------------------------------------------

/**
 * Decimals read back are the core's `Exact` (high precision, plain notation), so arithmetic on them
 * is never rounded by decimal.js's default 20 significant digits.
 */
export function dec(value: unknown): Decimal {
  if (value === null || value === undefined) throw new TypeError('expected a decimal, got null');
  return new Exact(value as string);
}

export function decOrNull(value: unknown): Decimal | null {
  return value === null || value === undefined ? null : new Exact(value as string);
}

export function time(value: unknown): Date {
  const at = readTimestamp(value);
  if (at === null) throw new TypeError('expected a datetime, got null');
  return at;
}

export function timeOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : time(value);
}

export function bool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

export function int(value: unknown): number {
  return Number(value);
}

export function intOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function str(value: unknown): string {
  return String(value);
}

export function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function json<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

// ---- exact values written --------------------------------------------------------------------

function fit(value: Decimal, precision: number, scale: number, what: string): string {
  const d = value instanceof Exact ? value : new Exact(value);
  if (!d.isFinite()) throw new TradingError(`${what} must be a finite decimal`);
  if (d.isZero()) return '0';
  if (d.decimalPlaces() > scale) {
    throw new TradingError(`${what} ${d.toFixed()} has more than ${scale} fractional digits`);
  }
  // d.e is the exponent of the leading digit: |d| >= 1 has e + 1 integer digits.
  if (d.e + 1 > precision - scale) {
    throw new TradingError(`${what} ${d.toFixed()} has more than ${precision - scale} integer digits`);
  }
  return d.toFixed();
}

/** A price / quantity for a numeric(38,18) column, as its canonical string. */
export function decimalParam(value: Decimal, what = 'value'): string {
  return fit(value, DECIMAL_PRECISION, DECIMAL_SCALE, what);
}

export function decimalParamOrNull(value: Decimal | null | undefined, what = 'value'): string | null {
  return value === null || value === undefined ? null : decimalParam(value, what);
}

/** An amount for a numeric(56,36) money column. */
export function moneyParam(value: Decimal, what = 'amount'): string {
  return fit(value, MONEY_PRECISION, MONEY_SCALE, what);
}

export function moneyParamOrNull(value: Decimal | null | undefined, what = 'amount'): string | null {
  return value === null || value === undefined ? null : moneyParam(value, what);
}

/** A derived price (a division rounded to 18 places by the core) rounded to the column's scale. */
export function priceParam(value: Decimal, what = 'price'): string {
  return decimalParam(new Exact(value).toDecimalPlaces(DECIMAL_SCALE, Decimal.ROUND_HALF_EVEN), what);
}

// ---- test isolation --------------------------------------------------------------------------

/** SQL condition for a scope on `column`, or null when every row qualifies. */
export function testCondition(
  tx: Tx,
  scope: TestScope,
  column = 'test_mode',
): { sql: string; params: unknown[] } | null {
  if (scope.testMode === true) return { sql: `${column} = ?`, params: [tx.bool(true)] };
  if (scope.includeTest === true) return null;
  return { sql: `${column} = ?`, params: [tx.bool(false)] };
}

export interface Listing<T> {
  items: T[];
  counts: ScopeCounts;
}

/** Builds `where` text from optional conditions. */
export class Where {
  readonly parts: string[] = [];
  readonly params: unknown[] = [];

  add(sql: string, ...params: unknown[]): this {
    this.parts.push(sql);
    this.params.push(...params);
    return this;
  }

  when(condition: unknown, sql: string, ...params: unknown[]): this {
    return condition === undefined || condition === null ? this : this.add(sql, ...params);
  }

  get sql(): string {
    return this.parts.length === 0 ? '' : ` where ${this.parts.join(' and ')}`;
  }
}

/**
 * Runs a listing: the rows of the filter in the requested test scope, plus production/test counts of
 * the same filter. `from` is `table` or a join; `filter` holds no test condition.
 */
export async function listWithCounts<T>(
  tx: Tx,
  options: {
    select: string;
    from: string;
    filter: Where;
    scope: TestScope;
    testColumn?: string;
    orderBy: string;
    limit: number;
    offset?: number;
    map: (row: Row) => T;
  },
): Promise<Listing<T>> {
  const column = options.testColumn ?? 'test_mode';
  const where = new Where();
  where.parts.push(...options.filter.parts);
  where.params.push(...options.filter.params);
  const scope = testCondition(tx, options.scope, column);
  if (scope) where.add(scope.sql, ...scope.params);
  const rows = await tx.all(
    `select ${options.select} from ${options.from}${where.sql} order by ${options.orderBy} limit ? offset ?`,
    [...where.params, options.limit, options.offset ?? 0],
  );
  const countRows = await tx.all<{ test: unknown; n: unknown }>(
    `select ${column} as test, count(*) as n from ${options.from}${options.filter.sql} group by ${column}`,
    options.filter.params,
  );
  const counts: ScopeCounts = { production: 0, test: 0 };
  for (const r of countRows) counts[bool(r.test) ? 'test' : 'production'] += Number(r.n);
  return { items: rows.map(options.map), counts };
}
