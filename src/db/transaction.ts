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
 * Values are written the way the ORM writes them (./column-values.ts, src/entities/types/decimal.ts),
 * so entity reads and these raw rows agree: exact decimals as canonical strings (refused, not
 * rounded, when they do not fit the column), datetimes as epoch ms on SQLite and timestamptz on
 * PostgreSQL, booleans as 0/1 on SQLite, JSON as text. Listings (filter + counts) are ./listing.ts.
 */
import type { EntityManager } from '@mikro-orm/sql';
import { CompiledQuery, type DatabaseConnection, type Kysely } from 'kysely';
import { booleanValue, timestampValue } from './column-values.ts';
import type { Store } from './store.ts';
import type { Dialect } from './url.ts';

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
