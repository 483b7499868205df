/**
 * Listings: the rows of a filter in the caller's test scope, plus production/test counts of the
 * same filter, on the services' Tx (./transaction.ts).
 */
import type { z } from 'zod';
import type { ScopeCounts, TestScope } from '../input/fields.ts';
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

/** A filter field that needs more than `column = value`: its condition, or null for none. */
export type FilterRule<T> = (value: NonNullable<T>, tx: Tx) => [sql: string, ...params: unknown[]] | null;

/** A listing, described: the query schema, the table and how each query field filters it. */
export interface ListingSpec<S extends z.ZodType<TestScope & { limit: number; offset: number }>, V> {
  query: S;
  /** Names the query in refusals ("invalid trade idea query: …"). */
  what: string;
  table: { name: string; fromRow(row: Row): V };
  /** Query fields compared for equality with their snake_case column. */
  equal?: ReadonlyArray<keyof z.output<S> & string>;
  /** The column `from` (inclusive) and `to` (exclusive) bound. */
  window?: string;
  /** Fields with their own condition. */
  rules?: { [K in keyof z.output<S>]?: FilterRule<z.output<S>[K]> };
  orderBy: string;
  /** Turns the page's raw rows into views when a row alone is not enough (orders add their fills). */
  finish?: (tx: Tx, rows: Row[]) => Promise<V[]>;
}

const encode = (tx: Tx, value: unknown) =>
  value instanceof Date ? tx.time(value) : typeof value === 'boolean' ? tx.bool(value) : value;

/** The `where` of a query under `spec` (the test scope aside). */
function filterOf<S extends z.ZodType<TestScope & { limit: number; offset: number }>, V>(
  tx: Tx,
  spec: ListingSpec<S, V>,
  q: z.output<S>,
): Where {
  const where = new Where();
  const values = q as Record<string, unknown>;
  for (const field of spec.equal ?? [])
    where.when(values[field], `${snakeCase(field)} = ?`, encode(tx, values[field]));
  for (const [field, rule] of Object.entries(spec.rules ?? {}) as Array<[string, FilterRule<unknown>]>) {
    const value = values[field];
    if (value === undefined || value === null) continue;
    const condition = rule(value, tx);
    if (condition) where.add(...condition);
  }
  if (spec.window) {
    where.when(values.from, `${spec.window} >= ?`, encode(tx, values.from));
    where.when(values.to, `${spec.window} < ?`, encode(tx, values.to));
  }
  return where;
}

/** A service's `list…(store, query)` from its description: validated, read on one connection. */
export function defineListing<S extends z.ZodType<TestScope & { limit: number; offset: number }>, V>(
  spec: ListingSpec<S, V>,
): (store: Store, query?: z.input<S>) => Promise<Listing<V>> {
  return (store, query = {} as z.input<S>) => {
    const q = parseInput(spec.query, query, spec.what);
    return reading(store, async (tx) => {
      const listing = await listWithCounts(tx, {
        select: '*',
        from: spec.table.name,
        filter: filterOf(tx, spec, q),
        scope: q,
        orderBy: spec.orderBy,
        limit: q.limit,
        offset: q.offset,
        map: spec.finish ? (row) => row as V : spec.table.fromRow,
      });
      if (!spec.finish) return listing;
      return { items: await spec.finish(tx, listing.items as Row[]), counts: listing.counts };
    });
  };
}
