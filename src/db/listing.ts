/**
 * Listings: the rows of a filter in the caller's test scope, plus production/test counts of the
 * same filter, on the services' Tx (./transaction.ts).
 */
import type { z } from 'zod';
import { listQuery, type ScopeCounts, type TestScope } from '../input/fields.ts';
import { parseInput } from '../input/parse.ts';
import { bool } from './column-values.ts';
import type { Store } from './store.ts';
import { snakeCase } from './table.ts';
import { type Row, reading, type Tx } from './transaction.ts';

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

/** `filter` (a new one when omitted) narrowed to production rows unless `includeTest`. */
export function productionUnless(tx: Tx, includeTest: boolean | undefined, filter = new Where()): Where {
  return includeTest === true ? filter : filter.add('test_mode = ?', tx.bool(false));
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
  const counts = await scopeCounts(tx, options.from, options.filter, column);
  return { items: rows.map(options.map), counts };
}

/** Production/test counts of the rows of `from` matching `filter` (which holds no test condition). */
export async function scopeCounts(
  tx: Tx,
  from: string,
  filter: Where,
  column = 'test_mode',
): Promise<ScopeCounts> {
  const countRows = await tx.all<{ test: unknown; n: unknown }>(
    `select ${column} as test, count(*) as n from ${from}${filter.sql} group by ${column}`,
    filter.params,
  );
  const counts: ScopeCounts = { production: 0, test: 0 };
  for (const r of countRows) counts[bool(r.test) ? 'test' : 'production'] += Number(r.n);
  return counts;
}

/** How `selectViews` reads: the filter, the order, at most `limit` views, from `offset`. */
export interface Selection<V> {
  filter?: Where;
  orderBy: string;
  limit?: number | undefined;
  offset?: number;
  /**
   * A condition SQL cannot state portably (a value inside a JSON column): rows are read in chunks
   * of 500 and only the views it keeps count towards `limit`.
   */
  keep?: (view: V) => boolean;
}

/**
 * The views of `table` matching the selection: the plain read of a service's own filtered list
 * (listings with counts are defineListing).
 */
export async function selectViews<V>(tx: Tx, table: ListedTable<V>, options: Selection<V>): Promise<V[]> {
  const { keep, limit } = options;
  if (keep === undefined) return selectChunk(tx, table, options, limit, options.offset ?? 0);
  const out: V[] = [];
  for (let offset = options.offset ?? 0; ; offset += CHUNK) {
    const views = await selectChunk(tx, table, options, CHUNK, offset);
    for (const view of views) {
      if (!keep(view)) continue;
      out.push(view);
      if (limit !== undefined && out.length >= limit) return out;
    }
    if (views.length < CHUNK) return out;
  }
}

const CHUNK = 500;

async function selectChunk<V>(
  tx: Tx,
  table: ListedTable<V>,
  options: Selection<V>,
  limit: number | undefined,
  offset: number,
): Promise<V[]> {
  const filter = options.filter ?? new Where();
  const page = limit === undefined ? '' : ' limit ? offset ?';
  const rows = await tx.all(
    `select * from ${table.name}${filter.sql} order by ${options.orderBy}${page}`,
    limit === undefined ? filter.params : [...filter.params, limit, offset],
  );
  return rows.map(table.fromRow);
}

/**
 * A service's plain `list…(store, query)` (an array, no counts): the query validated under the
 * service's name, the filter built on the read's connection, `limit` from the query.
 */
export function defineSelect<S extends z.ZodType, V>(
  table: ListedTable<V>,
  spec: {
    query: S;
    /** How refusals name the query (`listIngestionTasks: limit: …`). */
    what: string;
    filter?: (q: z.output<S>, tx: Tx) => Where;
    orderBy: string;
    keep?: (q: z.output<S>) => ((view: V) => boolean) | undefined;
  },
): (store: Store, query?: z.input<S>) => Promise<V[]> {
  return async (store, input = {} as z.input<S>) => {
    const q = parseInput(spec.query, input, spec.what);
    return reading(store, (tx) =>
      selectViews(tx, table, {
        filter: spec.filter?.(q, tx) ?? new Where(),
        orderBy: spec.orderBy,
        limit: (q as { limit?: number }).limit,
        keep: spec.keep?.(q),
      }),
    );
  };
}

/** A service's `count…(store, query)`: production and test rows of the query's filter. */
export function defineCount<S extends z.ZodType>(
  table: { name: string },
  spec: { query: S; what: string; filter: (q: z.output<S>, tx: Tx) => Where },
): (store: Store, query?: z.input<S>) => Promise<ScopeCounts> {
  return async (store, input = {} as z.input<S>) => {
    const q = parseInput(spec.query, input, spec.what);
    return reading(store, (tx) => scopeCounts(tx, table.name, spec.filter(q, tx)));
  };
}

/**
 * A keyset page of `table`'s views (newest first by id) matching `filter` (built on the page's
 * connection when it encodes values), read on its own connection.
 */
export function tablePage<V>(
  store: Store,
  table: ListedTable<V>,
  filter: Where | ((tx: Tx) => Where),
  keyset: Keyset,
): Promise<Page<V>> {
  return reading(store, (tx) =>
    sqlPage(tx, {
      from: `${table.name} x`,
      alias: 'x',
      filter: typeof filter === 'function' ? filter(tx) : filter,
      keyset,
      map: (_tx, rows) => rows.map(table.fromRow),
    }),
  );
}

/**
 * Keyset paging, the one mechanism every paged list uses: newest first by id, a page ends at an
 * id and the next one continues with smaller ids, so rows added meanwhile (larger ids) neither
 * repeat nor push rows across a page boundary.
 */
export interface Keyset {
  limit: number;
  /** The id the previous page ended at (rows with smaller ids follow). */
  beforeId?: number | undefined;
  /** For lists newest first by time: the time (epoch ms) the previous page ended at. */
  beforeAt?: number | undefined;
}

export interface Page<T> {
  items: T[];
  /** The id to continue before, or null on the last page. */
  nextBeforeId: number | null;
  /** For lists newest first by time: the time to continue before. */
  nextAt?: number | undefined;
}

/**
 * Cuts `found` (read newest first with `limit + 1` rows) into a page and where the next starts;
 * `atOf` for lists ordered by time (the next page continues before that time and id).
 */
export function cutPage<R, T>(
  found: R[],
  keyset: Keyset,
  idOf: (row: R) => unknown,
  map: (rows: R[]) => T[],
  atOf?: (row: R) => number,
): Page<T> {
  const more = found.length > keyset.limit;
  const rows = more ? found.slice(0, keyset.limit) : found;
  const last = rows[rows.length - 1];
  if (!more || last === undefined) return { items: map(rows), nextBeforeId: null };
  return {
    items: map(rows),
    nextBeforeId: Number(idOf(last)),
    ...(atOf === undefined ? {} : { nextAt: atOf(last) }),
  };
}

/**
 * A keyset page in SQL: `select alias.*` from `from` where `filter` and `alias.id < beforeId`,
 * newest first; `map` turns the page's rows into views (it may read more, e.g. an order's fills).
 */
export async function sqlPage<T>(
  tx: Tx,
  options: {
    from: string;
    alias: string;
    /** Columns; `alias.*` unless given. */
    select?: string;
    filter: Where;
    keyset: Keyset;
    map: (tx: Tx, rows: Row[]) => Promise<T[]> | T[];
  },
): Promise<Page<T>> {
  const { alias, keyset } = options;
  const where = new Where();
  where.parts.push(...options.filter.parts);
  where.params.push(...options.filter.params);
  if (keyset.beforeId !== undefined) where.add(`${alias}.id < ?`, keyset.beforeId);
  const found = await tx.all(
    `select ${options.select ?? `${alias}.*`} from ${options.from}${where.sql} order by ${alias}.id desc limit ?`,
    [...where.params, keyset.limit + 1],
  );
  const page = cutPage(
    found,
    keyset,
    (r) => r.id,
    (rows) => rows,
  );
  return { items: await options.map(tx, page.items), nextBeforeId: page.nextBeforeId };
}

/** A filter field that needs more than `column = value`: its condition, or null for none. */
export type FilterRule<T> = (value: NonNullable<T>, tx: Tx) => [sql: string, ...params: unknown[]] | null;

type Query<F extends z.ZodRawShape> = z.output<ReturnType<typeof listQuery<F>>>;

/** A listing, described: the table, the filter fields, and the column the time window bounds. */
export interface ListingSpec<F extends z.ZodRawShape, V> {
  /** Filter fields; each is compared for equality with its snake_case column unless it has a rule. */
  fields: F;
  rules?: { [K in keyof Query<F>]?: FilterRule<Query<F>[K]> };
  /** The column `from` (inclusive) and `to` (exclusive) bound; none: the listing has no window. */
  window?: string;
  orderBy: string;
  /** Turns the page's raw rows into views when a row alone is not enough (orders add their fills). */
  finish?: (tx: Tx, rows: Row[]) => Promise<V[]>;
}

interface ListedTable<V> {
  name: string;
  label: string;
  fromRow(row: Row): V;
}

/** The query a listing takes (its `…Query` type). */
export type ListingQuery<L extends { query: z.ZodType }> = z.input<L['query']>;

/** A service's `list…(store, query)`; `query` is its zod schema. */
export interface ListingFn<F extends z.ZodRawShape, V> {
  (store: Store, query?: z.input<ReturnType<typeof listQuery<F>>>): Promise<Listing<V>>;
  readonly query: ReturnType<typeof listQuery<F>>;
}

const encode = (tx: Tx, value: unknown) =>
  value instanceof Date ? tx.time(value) : typeof value === 'boolean' ? tx.bool(value) : value;

/** The `where` of a query (the test scope aside). */
function filterOf(tx: Tx, spec: ListingSpec<z.ZodRawShape, unknown>, q: Record<string, unknown>): Where {
  const where = new Where();
  const rules = (spec.rules ?? {}) as Record<string, FilterRule<unknown> | undefined>;
  for (const field of Object.keys(spec.fields)) {
    const value = q[field];
    if (value === undefined || value === null) continue;
    const rule = rules[field];
    if (rule === undefined) {
      where.add(`${snakeCase(field)} = ?`, encode(tx, value));
      continue;
    }
    const condition = rule(value, tx);
    if (condition) where.add(...condition);
  }
  if (spec.window) {
    where.when(q.from, `${spec.window} >= ?`, encode(tx, q.from));
    where.when(q.to, `${spec.window} < ?`, encode(tx, q.to));
  }
  return where;
}

/**
 * A service's `list…(store, query)` from its description: the query validated (refusals name it
 * "<table label> query"), the page and the counts read on one connection.
 */
export function defineListing<F extends z.ZodRawShape, V>(
  table: ListedTable<V>,
  spec: ListingSpec<F, V> & { finish?: undefined },
): ListingFn<F, V>;
/** With `finish`, the views are what it makes of the page's rows (orders with their fills). */
export function defineListing<F extends z.ZodRawShape, V>(
  table: ListedTable<unknown>,
  spec: ListingSpec<F, V> & { finish: (tx: Tx, rows: Row[]) => Promise<V[]> },
): ListingFn<F, V>;
export function defineListing<F extends z.ZodRawShape, V>(
  table: ListedTable<V>,
  spec: ListingSpec<F, V>,
): ListingFn<F, V> {
  const query = listQuery(spec.fields, { window: spec.window !== undefined });
  const what = `${table.label} query`;
  const list = (store: Store, input: unknown = {}) => {
    const q = parseInput(query, input, what) as Record<string, unknown> &
      TestScope & { limit: number; offset: number };
    return reading(store, async (tx) => {
      const listing = await listWithCounts(tx, {
        select: '*',
        from: table.name,
        filter: filterOf(tx, spec as ListingSpec<z.ZodRawShape, unknown>, q),
        scope: q,
        orderBy: spec.orderBy,
        limit: q.limit,
        offset: q.offset,
        map: spec.finish ? (row) => row as V : table.fromRow,
      });
      if (!spec.finish) return listing;
      return { items: await spec.finish(tx, listing.items as Row[]), counts: listing.counts };
    });
  };
  return Object.assign(list, { query });
}
