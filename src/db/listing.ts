/**
 * Listings: the rows of a filter in the caller's test scope, plus production/test counts of the
 * same filter, on the services' Tx (./transaction.ts).
 */
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
