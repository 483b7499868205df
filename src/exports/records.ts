/**
 * Trading records for accounting and analysis: `trades`, `orders`, `fills`, `positions`,
 * `decisions` (decision_history), `signals` and `equity` (portfolio_snapshots), every column of the
 * table (as the entities declare it) plus the asset's symbol and venue (`asset_symbol`, `asset_venue`) where the row has an asset.
 *
 * Filters: a portfolio, a time range on the record's own time column (`[from, to)`), production rows
 * only unless `includeTest`. Streamed: pages of PAGE rows by keyset on (time, id), oldest first, each
 * page decoded to canonical values (src/transfer/columns.ts) and handed to the format's sink.
 */
import type { Store } from '../db/store.ts';
import { reading } from '../db/transaction.ts';
import { NotFoundError } from '../input/errors.ts';
import {
  type Canonical,
  type Column,
  entityColumnKinds,
  entityDecimalShapes,
  fromTx,
} from '../transfer/columns.ts';
import { type RecordFormat, recordSink } from './formats.ts';

import type { RecordKind } from './record-lists.ts';

export { RECORD_KINDS, type RecordKind } from './record-lists.ts';

interface KindSpec {
  table: string;
  /** The record's own time: what --from/--to and the order apply to. */
  time: string;
  /** The expression naming the record's portfolio. */
  portfolio: string;
  /** Extra joins and the columns they add (name, kind). */
  joins: string;
  extra: Array<{ expr: string; column: Column }>;
}

const symbol = (on: string): Pick<KindSpec, 'joins' | 'extra'> => ({
  joins: `left join assets a on a.id = ${on}`,
  extra: [
    { expr: 'a.symbol', column: { name: 'asset_symbol', kind: 'text' } },
    { expr: 'a.venue', column: { name: 'asset_venue', kind: 'text' } },
  ],
});

const SPECS: Record<RecordKind, KindSpec> = {
  trades: { table: 'trades', time: 'entry_time', portfolio: 't.portfolio_id', ...symbol('t.asset_id') },
  orders: { table: 'orders', time: 'created_at', portfolio: 't.portfolio_id', ...symbol('t.asset_id') },
  fills: {
    table: 'fills',
    time: 'ts',
    portfolio: 'o.portfolio_id',
    joins: 'join orders o on o.id = t.order_id left join assets a on a.id = o.asset_id',
    extra: [
      { expr: 'o.portfolio_id', column: { name: 'portfolio_id', kind: 'integer' } },
      { expr: 'o.side', column: { name: 'side', kind: 'text' } },
      ...symbol('o.asset_id').extra,
    ],
  },
  positions: { table: 'positions', time: 'opened_at', portfolio: 't.portfolio_id', ...symbol('t.asset_id') },
  decisions: {
    table: 'decision_history',
    time: 'occurred_at',
    portfolio: 't.portfolio_id',
    ...symbol('t.asset_id'),
  },
  signals: { table: 'signals', time: 'ts', portfolio: 't.portfolio_id', ...symbol('t.asset_id') },
  equity: {
    table: 'portfolio_snapshots',
    time: 'taken_at',
    portfolio: 't.portfolio_id',
    joins: '',
    extra: [],
  },
};

const PAGE = 10_000;

export interface ExportRecordsOptions {
  format: RecordFormat;
  /** A portfolio id, or its name (refused when several users have a portfolio of that name). */
  portfolio?: number | string;
  /** Inclusive, epoch ms. */
  from?: number;
  /** Exclusive, epoch ms. */
  to?: number;
  includeTest?: boolean;
  /** Rows per page read (default 10,000). */
  pageSize?: number;
}

/** The columns an export of `kind` writes, in order. */
export function recordColumns(store: Store, kind: RecordKind): Column[] {
  const spec = SPECS[kind];
  const metadata = store.orm.getMetadata();
  const kinds = entityColumnKinds(metadata).get(spec.table)!;
  const decimals = entityDecimalShapes(metadata).get(spec.table)!;
  const own = [...kinds].map(([name, k]) => ({
    name,
    kind: k,
    ...(decimals.get(name) ? { decimal: decimals.get(name)! } : {}),
  }));
  return [...own, ...spec.extra.map((e) => e.column)];
}

async function portfolioId(store: Store, ref: number | string): Promise<number> {
  const rows = await reading(store, (tx) =>
    typeof ref === 'number' || /^\d+$/.test(ref)
      ? tx.all('select id from portfolios where id = ?', [Number(ref)])
      : tx.all('select id from portfolios where name = ?', [ref]),
  );
  if (rows.length === 0) throw new NotFoundError(`no portfolio ${ref}`);
  if (rows.length > 1) throw new NotFoundError(`${rows.length} portfolios are named ${ref}: give its id`);
  return Number(rows[0]!.id);
}

/** Writes every matching record of `kind` to `out` (which it does not end); returns how many. */
export async function exportRecords(
  store: Store,
  kind: RecordKind,
  options: ExportRecordsOptions,
  out: NodeJS.WritableStream,
): Promise<{ records: number }> {
  const spec = SPECS[kind];
  const columns = recordColumns(store, kind);
  const own = columns.length - spec.extra.length;
  // Aliased by position: a joined column may share a name with one of the table's.
  const select = [...columns.slice(0, own).map((c) => `t.${c.name}`), ...spec.extra.map((e) => e.expr)].map(
    (expr, i) => `${expr} as c${i}`,
  );
  const sqlite = store.dialect === 'sqlite';
  const time = (ms: number) => (sqlite ? ms : new Date(ms));
  const where: string[] = [];
  const params: unknown[] = [];
  if (options.portfolio !== undefined) {
    where.push(`${spec.portfolio} = ?`);
    params.push(await portfolioId(store, options.portfolio));
  }
  if (options.from !== undefined) {
    where.push(`t.${spec.time} >= ?`);
    params.push(time(options.from));
  }
  if (options.to !== undefined) {
    where.push(`t.${spec.time} < ?`);
    params.push(time(options.to));
  }
  if (!options.includeTest) where.push(sqlite ? 't.test_mode = 0' : 't.test_mode = false');
  const timeIndex = columns.findIndex((c) => c.name === spec.time);
  const idIndex = columns.findIndex((c) => c.name === 'id');
  const sink = recordSink(options.format, columns, out);
  const pageSize = options.pageSize ?? PAGE;
  let records = 0;
  let cursor: [number, number] | null = null;
  for (;;) {
    const page = [...where];
    const pageParams = [...params];
    if (cursor) {
      page.push(`(t.${spec.time} > ? or (t.${spec.time} = ? and t.id > ?))`);
      pageParams.push(time(cursor[0]), time(cursor[0]), cursor[1]);
    }
    const sql = `select ${select.join(', ')} from ${spec.table} t ${spec.joins}
      ${page.length ? `where ${page.join(' and ')}` : ''} order by t.${spec.time}, t.id limit ${pageSize}`;
    const raw = await reading(store, (tx) => tx.all(sql, pageParams));
    const rows: Canonical[][] = raw.map((r) => {
      return columns.map((c, i) => fromTx(store.dialect, c.kind, r[`c${i}`]));
    });
    if (rows.length > 0) await sink.rows(rows);
    records += rows.length;
    if (rows.length < pageSize) break;
    const last = rows.at(-1)!;
    cursor = [last[timeIndex] as number, last[idIndex] as number];
  }
  await sink.end();
  return { records };
}
