/**
 * PostgreSQL side of a copy: live tables and their column types, rows streamed out with
 * `COPY (select …) TO STDOUT` and in with `COPY … FROM STDIN` (text format, pg-copy-streams), and
 * identity sequences. Everything runs on one client, so a source reads one snapshot and a target
 * writes inside one transaction.
 */
import { once } from 'node:events';
import type { ClientBase } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { quoteIdent } from '../db/statements.ts';
import { HISTORY_TABLE } from '../migrate/history.ts';
import { type Canonical, type ColumnKind, fromPgText, kindOfPgType, toPgText } from './columns.ts';
import type { TableShape } from './tables.ts';

type Kinds = Map<string, Map<string, ColumnKind>>;

export async function pgShapes(client: ClientBase, kinds: Kinds): Promise<TableShape[]> {
  // Partitions carry the parent's rows; the parent is what a copy reads and writes.
  const tables = await client.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> $1
      order by c.relname`,
    [HISTORY_TABLE],
  );
  const names = tables.rows.map((r) => r.name);
  const cols = await client.query<{ table_name: string; column_name: string; data_type: string }>(
    `select table_name, column_name, data_type from information_schema.columns
      where table_schema = current_schema() and table_name = any($1) order by table_name, ordinal_position`,
    [names],
  );
  const fks = await client.query<{ child: string; parent: string }>(
    `select cl.relname as child, pa.relname as parent from pg_constraint co
       join pg_class cl on cl.oid = co.conrelid join pg_class pa on pa.oid = co.confrelid
      where co.contype = 'f' and co.connamespace = current_schema()::regnamespace`,
  );
  return names.map((name) => ({
    name,
    columns: cols.rows
      .filter((c) => c.table_name === name)
      .map((c) => ({
        name: c.column_name,
        kind: kinds.get(name)?.get(c.column_name) ?? kindOfPgType(c.data_type),
      })),
    references: [
      ...new Set(fks.rows.filter((f) => f.child === name && f.parent !== name).map((f) => f.parent)),
    ],
  }));
}

export async function pgCount(client: ClientBase, table: string): Promise<number> {
  const r = await client.query<{ n: string }>(`select count(*) as n from ${quoteIdent(table)}`);
  return Number(r.rows[0]?.n ?? 0);
}

function selectList(shape: TableShape): string {
  return shape.columns
    .map((c) =>
      // Epoch ms: independent of the session's TimeZone and DateStyle, and what SQLite stores.
      c.kind === 'timestamp'
        ? `round(extract(epoch from ${quoteIdent(c.name)}) * 1000)::bigint`
        : quoteIdent(c.name),
    )
    .join(', ');
}

const UNESCAPE: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** One field of COPY's text format: `\N` is null, backslash escapes as the server writes them. */
function unescapeField(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return UNESCAPE[e] ?? e;
  });
}

/** The table's rows, about `batch` at a time, as canonical values in the shape's column order. */
export async function* pgRows(
  client: ClientBase,
  shape: TableShape,
  batch: number,
): AsyncGenerator<Canonical[][]> {
  const kinds = shape.columns.map((c) => c.kind);
  const stream = client.query(
    copyTo(`copy (select ${selectList(shape)} from ${quoteIdent(shape.name)}) to stdout`),
  );
  let pending: Buffer | null = null;
  let rows: Canonical[][] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buf: Buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
    let start = 0;
    // A newline inside a value is escaped (\n), so a raw 0x0A always ends a row.
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      const fields = buf.toString('utf8', start, nl).split('\t');
      const row = new Array<Canonical>(kinds.length);
      for (let i = 0; i < kinds.length; i++) row[i] = fromPgText(kinds[i]!, unescapeField(fields[i]!));
      rows.push(row);
      start = nl + 1;
    }
    pending = start < buf.length ? buf.subarray(start) : null;
    if (rows.length >= batch) {
      yield rows;
      rows = [];
    }
  }
  if (rows.length > 0) yield rows;
}

/** Streams canonical rows into a table with `COPY … FROM STDIN`; `finish()` ends the COPY. */
export class PgTableWriter {
  private readonly stream: ReturnType<typeof copyFrom>;
  private readonly kinds: ColumnKind[];
  private readonly done: Promise<unknown>;

  constructor(client: ClientBase, shape: TableShape) {
    this.kinds = shape.columns.map((c) => c.kind);
    this.stream = client.query(
      copyFrom(
        `copy ${quoteIdent(shape.name)} (${shape.columns.map((c) => quoteIdent(c.name)).join(', ')}) from stdin`,
      ),
    );
    this.done = new Promise((resolve, reject) => {
      this.stream.on('finish', resolve);
      this.stream.on('error', reject);
    });
    // Surfaced through write()/finish(); without a listener an early server error would crash.
    this.done.catch(() => {});
  }

  async write(rows: Canonical[][]): Promise<void> {
    let text = '';
    for (const row of rows) {
      for (let c = 0; c < row.length; c++) text += (c === 0 ? '' : '\t') + toPgText(this.kinds[c]!, row[c]!);
      text += '\n';
    }
    if (!this.stream.write(text)) await Promise.race([once(this.stream, 'drain'), this.done]);
  }

  async finish(): Promise<void> {
    this.stream.end();
    await this.done;
  }
}

interface SerialColumn {
  table: string;
  column: string;
  sequence: string;
}

async function serialColumns(client: ClientBase): Promise<SerialColumn[]> {
  const r = await client.query<SerialColumn>(
    `select table_name as table, column_name as column,
            pg_get_serial_sequence(quote_ident(table_name), column_name) as sequence
       from information_schema.columns
      where table_schema = current_schema() and (column_default like 'nextval(%' or is_identity = 'YES')`,
  );
  return r.rows.filter((c) => c.sequence !== null);
}

/** The highest id each table's sequence has handed out (0 when unused). */
export async function pgCounters(client: ClientBase): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const s of await serialColumns(client)) {
    const r = await client.query<{ last_value: string; is_called: boolean }>(
      `select last_value, is_called from ${s.sequence}`,
    );
    const row = r.rows[0];
    if (row) out.set(s.table, row.is_called ? Number(row.last_value) : Number(row.last_value) - 1);
  }
  return out;
}

/**
 * Sets every identity sequence past the copied ids (and past the source's own counter, so ids the
 * source handed out and deleted are not handed out again).
 */
export async function pgAdvanceSequences(client: ClientBase, counters: Map<string, number>): Promise<void> {
  for (const s of await serialColumns(client)) {
    const r = await client.query<{ m: string | null }>(
      `select max(${quoteIdent(s.column)}) as m from ${quoteIdent(s.table)}`,
    );
    const next = Math.max(Number(r.rows[0]?.m ?? 0), counters.get(s.table) ?? 0);
    if (next >= 1) await client.query('select setval($1, $2, true)', [s.sequence, next]);
    else await client.query('select setval($1, 1, false)', [s.sequence]);
  }
}

/**
 * Drops the foreign keys of `tables` and returns what re-creates them. Loading with them in place
 * would fail on reference cycles (strategies ↔ strategy_versions) and check a million rows one
 * trigger at a time; re-adding them validates every row in one pass, in the same transaction, under
 * the same names and definitions.
 */
export async function pgSuspendForeignKeys(
  client: ClientBase,
  tables: string[],
): Promise<() => Promise<void>> {
  const { rows } = await client.query<{ table: string; name: string; def: string }>(
    `select cl.relname as table, co.conname as name, pg_get_constraintdef(co.oid) as def
       from pg_constraint co join pg_class cl on cl.oid = co.conrelid
      where co.contype = 'f' and co.connamespace = current_schema()::regnamespace and cl.relname = any($1)
      order by cl.relname, co.conname`,
    [tables],
  );
  for (const fk of rows) {
    await client.query(`alter table ${quoteIdent(fk.table)} drop constraint ${quoteIdent(fk.name)}`);
  }
  return async () => {
    for (const fk of rows) {
      await client.query(
        `alter table ${quoteIdent(fk.table)} add constraint ${quoteIdent(fk.name)} ${fk.def}`,
      );
    }
  };
}
