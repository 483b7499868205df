/**
 * `tradestore export <records>`: every kind in every format is read back (CSV with csv-parse, JSON,
 * Parquet with parquet-wasm, an implementation independent of the writer) and compared value by
 * value with the rows as the database holds them; filters and paging by keyset are checked too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { before, test } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { parse } from 'csv-parse/sync';
import { Decimal } from 'decimal.js';
import wasm from 'parquet-wasm/node';
import type { Store } from '../../src/db/store.ts';
import { readTimestamp } from '../../src/db/column-values.ts';
import { exportRecords, RECORD_KINDS, type RecordKind, recordColumns } from '../../src/exports/records.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import type { Column } from '../../src/transfer/columns.ts';
import { cli } from '../marketdata/cli-support.ts';
import { eachDialect } from '../support/dialects.ts';

const TABLE: Record<RecordKind, { table: string; time: string }> = {
  trades: { table: 'trades', time: 'entry_time' },
  orders: { table: 'orders', time: 'created_at' },
  fills: { table: 'fills', time: 'ts' },
  positions: { table: 'positions', time: 'opened_at' },
  decisions: { table: 'decision_history', time: 'occurred_at' },
  signals: { table: 'signals', time: 'ts' },
  equity: { table: 'portfolio_snapshots', time: 'taken_at' },
};

type Value = string | number | boolean | null | object;

/** The database's own rows for `kind`, normalised here (not by the exporter's decoder). */
async function databaseRows(store: Store, kind: RecordKind, columns: Column[], includeTest = false) {
  const { table, time } = TABLE[kind];
  const rows = (await store
    .em()
    .getConnection()
    .execute(
      `select * from ${table} ${includeTest ? '' : `where test_mode = ${store.dialect === 'sqlite' ? 0 : 'false'}`} order by ${time}, id`,
    )) as Array<Record<string, unknown>>;
  const own = columns.filter((c) => c.name in (rows[0] ?? {}));
  return rows.map(
    (r) =>
      Object.fromEntries(
        own.map((c) => {
          const v = r[c.name];
          if (v === null || v === undefined) return [c.name, null];
          switch (c.kind) {
            case 'decimal':
              return [c.name, new Decimal(String(v)).toFixed()];
            case 'timestamp':
              return [c.name, readTimestamp(v)!.toISOString()];
            case 'boolean':
              return [c.name, v === true || v === 1];
            case 'integer':
            case 'float':
              return [c.name, Number(v)];
            case 'json':
              return [c.name, typeof v === 'string' ? JSON.parse(v) : v];
            default:
              return [c.name, String(v)];
          }
        }),
      ) as Record<string, Value>,
  );
}

/** A CSV field back to a typed value, by the column's kind. */
function fromCsv(c: Column, text: string | null): Value {
  if (text === null) return null;
  if (c.kind === 'boolean') return text === 'true';
  if (c.kind === 'integer' || c.kind === 'float') return Number(text);
  if (c.kind === 'json') return JSON.parse(text);
  return text;
}

/** Arrow's decimal (little-endian 32-bit words, two's complement) as an exact decimal string. */
function arrowDecimal(words: Uint32Array, scale: number): string {
  let n = 0n;
  for (let i = words.length - 1; i >= 0; i--) n = (n << 32n) | BigInt(words[i]!);
  const bits = BigInt(words.length * 32);
  if (n >> (bits - 1n)) n -= 1n << bits;
  return new Decimal(n.toString()).div(new Decimal(10).pow(scale)).toFixed();
}

function fromParquet(c: Column, v: unknown): Value {
  if (v === null || v === undefined) return null;
  switch (c.kind) {
    case 'decimal':
      return arrowDecimal(v as Uint32Array, c.decimal!.scale);
    case 'timestamp':
      return new Date(Number(v)).toISOString();
    case 'integer':
      return Number(v);
    case 'json':
      return JSON.parse(String(v));
    default:
      return v as Value;
  }
}

function readBack(
  format: 'csv' | 'json' | 'parquet',
  file: string,
  columns: Column[],
): Array<Record<string, Value>> {
  if (format === 'json') return JSON.parse(readFileSync(file, 'utf8'));
  if (format === 'csv') {
    // NULL is an unquoted empty field, an empty string is "".
    const records = parse(readFileSync(file, 'utf8'), {
      columns: true,
      cast: (value, context) => (value === '' && !context.quoting ? null : value),
    }) as Array<Record<string, string | null>>;
    return records.map((r) =>
      Object.fromEntries(columns.map((c) => [c.name, fromCsv(c, r[c.name] ?? null)])),
    );
  }
  const table = tableFromIPC(wasm.readParquet(readFileSync(file)).intoIPCStream());
  const out: Array<Record<string, Value>> = [];
  for (let i = 0; i < table.numRows; i++) {
    out.push(
      Object.fromEntries(columns.map((c) => [c.name, fromParquet(c, table.getChild(c.name)!.get(i))])),
    );
  }
  return out;
}

eachDialect('export trading records', (ctx) => {
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-export-'));
  before(async () => {
    await seedDemo(ctx.store);
    // One test-mode signal: excluded unless --include-test.
    await ctx.store
      .em()
      .getConnection()
      .execute(
        `update signals set test_mode = ${ctx.dialect === 'sqlite' ? 1 : 'true'} where id = (select min(id) from signals)`,
      );
  });

  for (const format of ['csv', 'json', 'parquet'] as const) {
    test(`every kind as ${format}: read back, every value equals the database's`, async () => {
      for (const kind of RECORD_KINDS) {
        const columns = recordColumns(ctx.store, kind);
        const file = join(dir, `${kind}.${format}`);
        const r = await cli(ctx.url, ['export', kind, '--format', format, '--out', file]);
        assert.equal(r.code, 0, r.stderr);
        const exported = readBack(format, file, columns);
        const expected = await databaseRows(ctx.store, kind, columns);
        assert.ok(expected.length > 0, `the demo data has ${kind}`);
        assert.equal(exported.length, expected.length, `${kind}: record count`);
        for (const [i, want] of expected.entries()) {
          for (const [name, value] of Object.entries(want)) {
            assert.deepEqual(exported[i]![name], value, `${kind} #${i} ${name} (${format})`);
          }
        }
        if (kind !== 'equity')
          assert.ok(
            exported.some((e) => typeof e.asset_symbol === 'string'),
            `${kind}: symbols joined`,
          );
      }
    });
  }

  test('Parquet keeps decimals as DECIMAL(p, s) and datetimes as UTC timestamps', async () => {
    const file = join(dir, 'schema.parquet');
    assert.equal((await cli(ctx.url, ['export', 'trades', '--format', 'parquet', '--out', file])).code, 0);
    const schema = tableFromIPC(wasm.readParquet(readFileSync(file)).intoIPCStream()).schema;
    const type = (name: string) => String(schema.fields.find((f) => f.name === name)!.type);
    assert.equal(type('entry_price'), 'Decimal[38e+18]');
    assert.equal(type('pnl'), 'Decimal[56e+36]');
    assert.equal(type('entry_time'), 'Timestamp<MILLISECOND, UTC>');
  });

  test('filters: portfolio, [from, to), test rows only with --include-test', async () => {
    const all = await databaseRows(ctx.store, 'signals', recordColumns(ctx.store, 'signals'), true);
    const json = async (args: string[]) => {
      const r = await cli(ctx.url, ['export', 'signals', '--format', 'json', ...args]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as Array<Record<string, Value>>;
    };
    assert.equal((await json([])).length, all.length - 1);
    assert.equal((await json(['--include-test'])).length, all.length);
    const portfolio = all.find((s) => s.portfolio_id !== null)!.portfolio_id as number;
    const mine = await json(['--portfolio', String(portfolio), '--include-test']);
    assert.ok(mine.length > 0 && mine.length < all.length);
    assert.ok(mine.every((s) => s.portfolio_id === portfolio));
    const from = all[10]!.ts as string;
    const to = all[20]!.ts as string;
    const window = await json(['--from', from, '--to', to, '--include-test']);
    assert.deepEqual(
      window.map((s) => s.id),
      all.filter((s) => (s.ts as string) >= from && (s.ts as string) < to).map((s) => s.id),
    );
    const missing = await cli(ctx.url, ['export', 'signals', '--portfolio', 'no such portfolio']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no portfolio no such portfolio/);
  });

  test('small pages give the same records as one page (keyset over equal times)', async () => {
    const collect = async (pageSize: number) => {
      const out = new PassThrough();
      let text = '';
      out.on('data', (d) => (text += d));
      await exportRecords(ctx.store, 'fills', { format: 'json', includeTest: true, pageSize }, out);
      return JSON.parse(text) as unknown[];
    };
    const whole = await collect(10_000);
    assert.ok(whole.length > 20);
    assert.deepEqual(await collect(3), whole);
  });
});
