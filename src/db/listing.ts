/**
 * Listings: the rows of a filter in the caller's test scope, plus production/test counts of the
 * same filter, on the services' Tx (./transaction.ts).
 */
import type { EntityName, FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import type { ScopeCounts, TestScope } from '../input/fields.ts';
import { bool } from './column-values.ts';
import type { Row, Tx } from './transaction.ts';

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

/**
 * Keyset paging, the one mechanism every paged list uses: newest first by id, a page ends at an
 * id and the next one continues with smaller ids, so rows added meanwhile (larger ids) neither
 * repeat nor push rows across a page boundary.
 */
export interface Keyset {
  limit: number;
  /** The id the previous page ended at (rows with smaller ids follow). */
  beforeId?: number | undefined;
}

export interface Page<T> {
  items: T[];
  /** The id to continue before, or null on the last page. */
  nextBeforeId: number | null;
}

/** Cuts `found` (read newest first with `limit + 1` rows) into a page and where the next starts. */
export function cutPage<R, T>(
  found: R[],
  keyset: Keyset,
  idOf: (row: R) => unknown,
  map: (rows: R[]) => T[],
): Page<T> {
  const more = found.length > keyset.limit;
  const rows = more ? found.slice(0, keyset.limit) : found;
  return { items: map(rows), nextBeforeId: more ? Number(idOf(rows[rows.length - 1]!)) : null };
}

/**
 * A keyset page of a MikroORM entity: `filter` plus `id < beforeId`, newest first. The services
 * whose other reads go through the entity manager page through this.
 */
export async function entityPage<E extends { id: number }, V>(
  em: EntityManager,
  entity: EntityName<E>,
  filter: Record<string, unknown>,
  keyset: Keyset,
  map: (row: E) => V,
): Promise<Page<V>> {
  const where = keyset.beforeId === undefined ? filter : { ...filter, id: { $lt: keyset.beforeId } };
  const found = await em.find(entity, where as FilterQuery<E>, {
    orderBy: { id: 'desc' } as never,
    limit: keyset.limit + 1,
  });
  return cutPage(
    found,
    keyset,
    (r) => r.id,
    (rows) => rows.map(map),
  );
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
