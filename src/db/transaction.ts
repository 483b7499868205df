/**
 * The transaction the trading services run in, and how their SQL spells values.
 *
 * Every service operation is one `inTransaction(store, …)`. Inside it the services talk to the
 * database through `Tx`: hand-written SQL (one text for both databases, `?` placeholders) sent
 * straight to the driver below Kysely and the ORM: on SQLite a cached prepared statement on the
 * store's `DatabaseSync` (inside `BEGIN IMMEDIATE`, holding the store's connection lock), on
 * PostgreSQL a named prepared statement on one pooled `pg` client (parsed and planned once per
 * connection, not per call). The chain signal → idea → order → fill is ~18 statements; through the
 * unit of work it ran ~90/s against ~580/s here on SQLite, and through Kysely's executor each
 * statement still paid for a compiled-query object, a connection hand-off and, on PostgreSQL, a
 * parse and plan (bench/trading.ts has the figures).
 *
 * On PostgreSQL a round trip costs more than most statements (two processes, two system calls, a
 * wake-up each way), so a transaction sends its BEGIN with its first statement, a write nobody
 * reads the result of (`later`) with the next one, and reads that do not depend on each other
 * (`readEach`) together: ./held-back.ts. The statements and their order stay what the code says.
 *
 * Values are written the way the ORM writes them (./column-values.ts, src/entities/types/decimal.ts),
 * so entity reads and these raw rows agree: exact decimals as canonical strings (refused, not
 * rounded, when they do not fit the column), datetimes as epoch ms on SQLite and timestamptz on
 * PostgreSQL, booleans as 0/1 on SQLite, JSON as text. Listings (filter + counts) are ./listing.ts.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { PoolClient } from 'pg';
import { booleanValue, timestampValue } from './column-values.ts';
import { flushHeld, type HeldBack, heldStatement, nothingHeld, type PgResult, toPg } from './held-back.ts';
import { pgStatement, prepared } from './statements.ts';
import type { Store } from './store.ts';
import type { Dialect } from './url.ts';

export type Row = Record<string, unknown>;

/**
 * A read as a value: its statement and what its rows become. Modules hand these out (beside the
 * functions that run them alone) so a caller that needs several can send them together: `readEach`.
 */
export interface Read<T> {
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly rows: (rows: Row[]) => T;
  /**
   * An `insert` written without `returning` whose new id is all it gives (`rows` gets `[{ id }]`,
   * or `[]` when it inserted nothing), as `Tx.insert` runs it: `Table.inserting`.
   */
  readonly insert?: true;
}

/** What `readEach` gives for its reads: each one's value, null for a null entry. */
export type ReadValues<R extends readonly (Read<unknown> | null)[]> = {
  -readonly [K in keyof R]: R[K] extends Read<infer T> ? T : null;
};

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
   * Runs a write whose outcome the caller does not need (no rows, no changed-row count), in its
   * place in the transaction's order. SQLite runs it at once. PostgreSQL holds it back and sends it
   * in the round trip of the transaction's next statement (or of its COMMIT), so it costs no round
   * trip of its own; a failure is then thrown by that next statement, and rolls the transaction
   * back all the same. Refused outside `inTransaction`.
   */
  later(sql: string, params?: readonly unknown[]): void;
  /**
   * Runs reads none of which needs another's result, in order, as separate statements would run;
   * on PostgreSQL in ONE round trip (with what is held back). Each read's value, in order; a null
   * entry sends nothing and gives null.
   */
  readEach<const R extends readonly (Read<unknown> | null)[]>(reads: R): Promise<ReadValues<R>>;
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
  /** The store this transaction runs on (for per-store state such as the outbox's waker). */
  readonly store: Store;
  /**
   * Runs `hook` on this connection after the operation returned and right before COMMIT, in the
   * order registered. What must be written as late as possible goes here (the outbox takes its seq
   * from a counter row whose lock is then held only until the commit). A hook that throws rolls the
   * transaction back. Refused outside `inTransaction`.
   */
  beforeCommit(hook: (tx: Tx) => Promise<void>): void;
  /** Runs `hook` once the COMMIT succeeded (never after a rollback); what it throws is dropped. */
  afterCommit(hook: () => void): void;
  /**
   * `statement()` is built after the beforeCommit hooks and, on PostgreSQL, sent in the COMMIT's
   * own round trip (one simple-protocol query, so its values are literals: `sqlLiteral`); SQLite
   * runs it right before COMMIT. `done` gets its rows. It fails like any statement and rolls the
   * transaction back. For the last write of a transaction whose locks should be held no longer
   * than the COMMIT (the outbox's counter). `statement()` returning null sends nothing.
   */
  withCommit(statement: () => string | null, done: (rows: Row[]) => void): void;
  /**
   * Runs `fn` under a savepoint: when it throws, its statements are rolled back alone (the
   * transaction goes on) and so is what it buffered for the commit (`keepsBuffer`), then the
   * error is rethrown. Services use this, never a bare `savepoint` statement.
   */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Registers state buffered for the commit (the outbox's events) that a savepoint rolled back
   * must take back too: `size()` now, `truncate(n)` back to it.
   */
  keepsBuffer(buffer: SavepointBuffer): void;
}

/** State kept for the commit that follows savepoints: see `Tx.keepsBuffer`. */
export interface SavepointBuffer {
  size(): number;
  truncate(size: number): void;
}

/** The commit hooks of one transaction (null for `reading`, which has no commit). */
interface Hooks {
  before: Array<(tx: Tx) => Promise<void>>;
  after: Array<() => void>;
  withCommit: Array<{ statement: () => string | null; done: (rows: Row[]) => void }>;
  buffers: SavepointBuffer[];
  savepoints: number;
}

const newHooks = (): Hooks => ({ before: [], after: [], withCommit: [], buffers: [], savepoints: 0 });

type Params = readonly unknown[];

function hookSetters(
  hooks: Hooks | null,
  run: (sql: string) => Promise<unknown>,
  later: (sql: string, params?: Params) => void,
) {
  const refuse = () => {
    throw new Error('commit hooks and savepoints need a write transaction (inTransaction), not reading()');
  };
  if (hooks === null)
    return {
      later: refuse,
      beforeCommit: refuse,
      afterCommit: refuse,
      withCommit: refuse,
      keepsBuffer: refuse,
      savepoint: refuse,
    };
  return {
    later,
    beforeCommit: (hook: (tx: Tx) => Promise<void>) => void hooks.before.push(hook),
    afterCommit: (hook: () => void) => void hooks.after.push(hook),
    withCommit: (statement: () => string | null, done: (rows: Row[]) => void) =>
      void hooks.withCommit.push({ statement, done }),
    keepsBuffer: (buffer: SavepointBuffer) => void hooks.buffers.push(buffer),
    async savepoint<T>(fn: () => Promise<T>): Promise<T> {
      const name = `tx_savepoint_${++hooks.savepoints}`;
      // Buffers registered inside the savepoint go back to empty on its rollback.
      const known = hooks.buffers.length;
      const sizes = hooks.buffers.map((b) => b.size());
      await run(`savepoint ${name}`);
      try {
        const out = await fn();
        await run(`release savepoint ${name}`);
        return out;
      } catch (error) {
        await run(`rollback to savepoint ${name}`);
        await run(`release savepoint ${name}`);
        hooks.buffers.forEach((b, i) => b.truncate(i < known ? sizes[i]! : 0));
        throw error;
      }
    },
  };
}

async function runBeforeCommit(hooks: Hooks, tx: Tx): Promise<void> {
  // A hook may register another (it runs too); index loop on purpose.
  for (let i = 0; i < hooks.before.length; i++) await hooks.before[i]!(tx);
}

function runAfterCommit(hooks: Hooks): void {
  for (const hook of hooks.after) {
    try {
      hook();
    } catch {
      // The commit stands; an after-commit hook (a wake-up, a publish) must not turn it into an error.
    }
  }
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

function sqliteTx(store: Store, db: DatabaseSync, hooks: Hooks | null): Tx {
  const statement = (sql: string) => prepared(db, sql);
  const bind = (params: Params) => params as never[];
  const insertedId = (sql: string, params: Params) => {
    const result = statement(sql).run(...bind(params));
    return Number(result.changes) === 0 ? null : Number(result.lastInsertRowid);
  };
  return {
    dialect: 'sqlite',
    async all<T>(sql: string, params: Params = []) {
      return statement(sql).all(...bind(params)) as T[];
    },
    async get<T>(sql: string, params: Params = []) {
      return statement(sql).get(...bind(params)) as T | undefined;
    },
    async run(sql: string, params: Params = []) {
      return Number(statement(sql).run(...bind(params)).changes);
    },
    async insert(sql: string, params: Params = []) {
      return insertedId(sql, params);
    },
    async readEach<const R extends readonly (Read<unknown> | null)[]>(reads: R) {
      return reads.map((r) => {
        if (r === null) return null;
        if (r.insert !== true) return r.rows(statement(r.sql).all(...bind(r.params)) as Row[]);
        const id = insertedId(r.sql, r.params);
        return r.rows(id === null ? [] : [{ id }]);
      }) as ReadValues<R>;
    },
    forUpdate: '',
    bool: (v) => booleanValue('sqlite', v),
    time: (v) => timestampValue('sqlite', v),
    json,
    store,
    ...hookSetters(
      hooks,
      async (sql) => db.exec(sql),
      (sql, params = []) => void statement(sql).run(...bind(params)),
    ),
  };
}

/** PostgreSQL's json and jsonb type ids. */
const JSON_TYPES = new Set([114, 3802]);

/**
 * The client's type parsers, except that json/jsonb arrive as text, as SQLite's do. The driver
 * would parse them, and a JSON string value (`"paper"`) then reaches `json()` as the bare text
 * `paper`, which is indistinguishable from stored JSON text: one encoding for both dialects.
 * Built once per connection, each text parser looked up once: the driver asks for every column of
 * every result (a `select *` of a position is 18 lookups through three layers).
 */
function jsonAsText(client: PoolClient): TypeParsers {
  let types = typesOf.get(client);
  if (types !== undefined) return types;
  const parsers = client as unknown as TypeParsers;
  const text = new Map<number, unknown>();
  const asText = (value: string) => value;
  types = {
    getTypeParser(oid: number, format?: string) {
      if (format !== undefined && format !== 'text') return parsers.getTypeParser(oid, format);
      let parser = text.get(oid);
      if (parser === undefined) {
        parser = JSON_TYPES.has(oid) ? asText : parsers.getTypeParser(oid, 'text');
        text.set(oid, parser);
      }
      return parser;
    },
  };
  typesOf.set(client, types);
  return types;
}

/**
 * An insert's text with `returning id`, kept: the text is the key its prepared statement is
 * looked up by, and a string built per call is hashed and compared whole on every lookup.
 */
const withReturningId = new Map<string, string>();
function returningId(sql: string): string {
  let text = withReturningId.get(sql);
  if (text === undefined) withReturningId.set(sql, (text = `${sql} returning id`));
  return text;
}

type TypeParsers = { getTypeParser(oid: number, format?: string): unknown };
const typesOf = new WeakMap<PoolClient, TypeParsers>();

function pgTx(store: Store, client: PoolClient, hooks: Hooks | null, held: HeldBack | null): Tx {
  const types = jsonAsText(client);
  const execute = (h: HeldBack, sql: string, params: Params) => heldStatement(client, h, sql, params);
  const sendHeld = async (h: HeldBack, text: string): Promise<PgResult> =>
    (await flushHeld(client, h, [text], types)).at(-1)!;
  /** `held` when it holds something back for the next round trip, else null. */
  const holding = (): HeldBack | null => (held !== null && held.texts.length > 0 ? held : null);
  const exec = (sql: string, params: Params): Promise<PgResult> => {
    const h = holding();
    if (h !== null) return sendHeld(h, execute(h, sql, params));
    return client.query<Row>({ ...pgStatement(toPg(sql)), values: params as unknown[], types });
  };
  return {
    dialect: 'postgresql',
    async all<T>(sql: string, params: Params = []) {
      return (await exec(sql, params)).rows as T[];
    },
    async get<T>(sql: string, params: Params = []) {
      return (await exec(sql, params)).rows[0] as T | undefined;
    },
    async run(sql: string, params: Params = []) {
      return (await exec(sql, params)).rowCount ?? 0;
    },
    async insert(sql: string, params: Params = []) {
      const row = (await exec(returningId(sql), params)).rows[0];
      return row === undefined ? null : Number(row.id);
    },
    async readEach<const R extends readonly (Read<unknown> | null)[]>(reads: R) {
      const sent = reads.filter((r) => r !== null);
      const sqlOf = (r: Read<unknown>) => (r.insert === true ? returningId(r.sql) : r.sql);
      let results: PgResult[];
      if (sent.length <= 1 && !holding()) {
        results = sent.length === 0 ? [] : [await exec(sqlOf(sent[0]!), sent[0]!.params)];
      } else {
        // Outside a transaction (reading) nothing is held back: a batch of its own.
        const h = held ?? nothingHeld();
        results = await flushHeld(
          client,
          h,
          sent.map((r) => execute(h, sqlOf(r), r.params)),
          types,
        );
      }
      let i = 0;
      return reads.map((r) => {
        if (r === null) return null;
        const rows = results[i++]!.rows;
        return r.rows(r.insert === true ? rows.map((row) => ({ id: Number(row.id) })) : rows);
      }) as ReadValues<R>;
    },
    forUpdate: ' for update',
    bool: (v) => booleanValue('postgresql', v),
    time: (v) => timestampValue('postgresql', v),
    json,
    store,
    ...hookSetters(
      hooks,
      (sql) => {
        const h = holding();
        return h !== null ? sendHeld(h, sql) : client.query(sql);
      },
      (sql, params = []) => {
        if (held === null)
          throw new Error('tx.later is not available in a driver transaction: send the write on the handle');
        held.texts.push(execute(held, sql, params));
      },
    ),
  };
}

/**
 * Runs `fn` on one pooled PostgreSQL client. `fn` reports a broken connection by throwing a
 * BrokenConnection; that client is then discarded instead of going back to the pool.
 */
async function onPgClient<T>(store: Store, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await (await store.pgPool()).connect();
  let broken: Error | undefined;
  try {
    return await fn(client);
  } catch (error) {
    if (error instanceof BrokenConnection) {
      broken = error;
      throw error.cause;
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

class BrokenConnection extends Error {}

/**
 * Runs `fn` as one transaction (committed when it returns, rolled back when it throws). Services
 * compose inside one transaction through their `…In(tx, …)` variants (see chain.ts).
 *
 * SQLite: `BEGIN IMMEDIATE` on the store's connection, holding its lock (Kysely and the ORM wait
 * for it like a second writer would). PostgreSQL: one pooled client for the whole transaction.
 */
export function inTransaction<T>(store: Store, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return runTransaction(store, (tx) => fn(tx), false);
}

/** The driver-level handle of a transaction, for hot paths that bypass the Tx (COPY, multi-row statements). */
export type DriverHandle =
  { dialect: 'sqlite'; db: DatabaseSync } | { dialect: 'postgresql'; client: PoolClient };

/**
 * `inTransaction` that also hands `fn` the connection itself (marketdata's bulk writes): the same
 * transaction, so what `fn` writes through the handle commits with the Tx's statements and hooks.
 */
export function inDriverTransaction<T>(
  store: Store,
  fn: (tx: Tx, handle: DriverHandle) => Promise<T>,
): Promise<T> {
  return runTransaction(store, fn, true);
}

async function runTransaction<T>(
  store: Store,
  fn: (tx: Tx, handle: DriverHandle) => Promise<T>,
  driver: boolean,
): Promise<T> {
  if (store.dialect === 'sqlite') {
    return store.withSqlite(async (db) => {
      prepared(db, 'begin immediate').run();
      const hooks = newHooks();
      let result: T;
      try {
        const tx = sqliteTx(store, db, hooks);
        result = await fn(tx, { dialect: 'sqlite', db });
        await runBeforeCommit(hooks, tx);
        for (const w of hooks.withCommit) {
          const text = w.statement();
          if (text !== null) w.done(db.prepare(text).all() as Row[]);
        }
        prepared(db, 'commit').run();
      } catch (error) {
        if (db.isTransaction) db.exec('rollback');
        throw error;
      }
      runAfterCommit(hooks);
      return result;
    });
  }
  return onPgClient(store, async (client) => {
    // A driver transaction's handle sends statements the Tx does not see: its BEGIN goes first, and
    // nothing is held back for later (a held-back write would be overtaken by them).
    if (driver) await client.query('begin');
    const held: HeldBack | null = driver ? null : { texts: ['begin'], prepare: [], begun: false };
    const hooks = newHooks();
    let result: T;
    try {
      const tx = pgTx(store, client, hooks, held);
      result = await fn(tx, { dialect: 'postgresql', client });
      await runBeforeCommit(hooks, tx);
      await commitPg(client, hooks, held);
    } catch (error) {
      // Nothing reached the server: nothing to roll back.
      if (held !== null && !held.begun) throw error;
      // A rollback that fails means the connection is gone: the client must not be reused.
      await client.query('rollback').catch(() => {
        throw new BrokenConnection('rollback failed', { cause: error });
      });
      throw error;
    }
    runAfterCommit(hooks);
    return result;
  });
}

/**
 * COMMIT, preceded in the same round trip by what the transaction held back and the `withCommit`
 * statements. A transaction that sent nothing and holds nothing but its BEGIN sends nothing.
 */
async function commitPg(client: PoolClient, hooks: Hooks, held: HeldBack | null): Promise<void> {
  const sent = hooks.withCommit.flatMap((w) => {
    const text = w.statement();
    return text === null ? [] : [{ text, done: w.done }];
  });
  // A driver transaction holds nothing back: its BEGIN went out at once.
  const h = held ?? nothingHeld();
  if (!h.begun && h.texts.length === 1 && h.prepare.length === 0 && sent.length === 0) return;
  const results = await flushHeld(client, h, [...sent.map((w) => w.text), 'commit']);
  sent.forEach((w, i) => w.done(results[i]!.rows));
}

/** Read-only work: the same Tx interface, on the connection, without a write transaction. */
export async function reading<T>(store: Store, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (store.dialect === 'sqlite') return store.withSqlite((db) => fn(sqliteTx(store, db, null)));
  return onPgClient(store, (client) => fn(pgTx(store, client, null, null)));
}
