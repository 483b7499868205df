/**
 * `tradestore db copy`: demo data plus candles SQLite → PostgreSQL → SQLite with every table's count
 * and checksum equal (and `db counts --json` the same on all three), refusals that change nothing,
 * and a copy killed midway (SIGKILL) that leaves the target exactly as it was.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { Decimal } from 'decimal.js';
import pg from 'pg';
import { openStore, type Store } from '../../src/db/store.ts';
import { readTimestamp } from '../../src/db/column-values.ts';
import { ensureAsset } from '../../src/marketdata/assets.ts';
import { insertCandles } from '../../src/marketdata/candles.ts';
import { migrateUp, migrationState } from '../../src/migrate/runner.ts';
import { domainTables } from '../../src/operations/inspect.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { copyDatabase, CopyRefusedError } from '../../src/transfer/copy.ts';
import { PG_ENABLED, scratchUrl } from '../support/dialects.ts';
import { BIN, runCli } from '../support/cli.ts';

const skip = PG_ENABLED ? false : 'PostgreSQL not available';

function candles(n: number, start = Date.UTC(2024, 0, 1)) {
  return Array.from({ length: n }, (_, i) => {
    const open = 100 + (i % 977) / 7;
    return {
      ts: start + i * 60_000,
      open,
      high: open + 1.25,
      low: open - 0.5,
      close: open + 0.1,
      volume: (i % 13) * 0.3,
    };
  });
}

async function seeded(url: string, extraCandles: number): Promise<void> {
  const store = await openStore(url);
  try {
    await migrateUp(store);
    await seedDemo(store);
    const asset = await ensureAsset(store, { symbol: 'COPY/USDT', venue: 'test' });
    await insertCandles(store, asset, '1m', candles(extraCandles));
  } finally {
    await store.close();
  }
}

const countsJson = (url: string) => {
  const r = runCli(['--db', url, 'db', 'counts', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, { rows: number }>;
};

describe('db copy SQLite → PostgreSQL → SQLite', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-copy-'));
  const first = `sqlite:${join(dir, 'first.db')}`;
  const last = `sqlite:${join(dir, 'last.db')}`;
  let pgTarget: { url: string; dispose: () => Promise<void> };
  before(async () => {
    pgTarget = await scratchUrl('postgresql');
    await seeded(first, 20_000);
  });
  after(async () => pgTarget?.dispose());

  test('every table arrives with the same count and checksum, both ways', async () => {
    const there = await copyDatabase(first, pgTarget.url);
    const back = await copyDatabase(pgTarget.url, last);
    const store = await openStore(first);
    const tables = domainTables(store).map((t) => t.table);
    await store.close();
    assert.deepEqual(
      there.tables.map((t) => t.table).sort(),
      [...tables].sort(),
      'every domain table is copied',
    );
    assert.ok(there.tables.find((t) => t.table === 'candles')!.rows >= 20_000);
    assert.ok(there.tables.filter((t) => t.rows > 0).length >= 25, 'the demo data fills most tables');
    assert.deepEqual(
      back.tables.map((t) => [t.table, t.rows, t.checksum]).sort(),
      there.tables.map((t) => [t.table, t.rows, t.checksum]).sort(),
    );
    assert.deepEqual(there.migrated.length > 0, true, 'the empty target was migrated');
    // The SQLite copy of a PostgreSQL database also gets SQLite's own analyst views migration.
    const copy = await openStore(last);
    try {
      assert.equal((await migrationState(copy)).pending.length, 0);
      const [row] = (await copy
        .em()
        .getConnection()
        .execute('select count(*) as n from trades_numeric')) as Array<{ n: number }>;
      assert.ok(Number(row!.n) > 0);
    } finally {
      await copy.close();
    }
  });

  test('db counts --json prints the same on all three databases', () => {
    const a = countsJson(first);
    assert.deepEqual(countsJson(pgTarget.url), a);
    assert.deepEqual(countsJson(last), a);
  });

  test('decimals and datetimes survive exactly', async () => {
    const sql = 'select id, pnl, fees, entry_time from trades order by id';
    const a = await openStore(first);
    const b = await openStore(pgTarget.url);
    const c = await openStore(last);
    try {
      const read = async (s: Store) =>
        ((await s.em().getConnection().execute(sql)) as Array<Record<string, unknown>>).map((r) => [
          Number(r.id),
          r.pnl === null ? null : new Decimal(String(r.pnl)).toFixed(),
          new Decimal(String(r.fees)).toFixed(),
          readTimestamp(r.entry_time)!.getTime(),
        ]);
      const rows = await read(a);
      assert.ok(rows.length > 10);
      assert.deepEqual(await read(b), rows);
      assert.deepEqual(await read(c), rows);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  test('PostgreSQL sequences are past the copied ids: a new row gets a fresh id', async () => {
    const client = new pg.Client({ connectionString: pgTarget.url });
    await client.connect();
    try {
      const max = Number((await client.query('select max(id) as m from trades')).rows[0].m);
      const { rows } = await client.query(
        `insert into trades (portfolio_id, asset_id, direction, entry_price, entry_time, quantity, created_at, updated_at)
         values ((select min(id) from portfolios), (select min(id) from assets), 'long', 1, now(), 1, now(), now()) returning id`,
      );
      assert.ok(Number(rows[0].id) > max, `new id ${rows[0].id} after ${max}`);
      await client.query('delete from trades where id = $1', [rows[0].id]);
    } finally {
      await client.end();
    }
  });

  test('a target that holds data is refused and left unchanged, on both databases', async () => {
    const before = countsJson(pgTarget.url);
    const hash = createHash('sha256')
      .update(readFileSync(join(dir, 'last.db')))
      .digest('hex');
    await assert.rejects(
      copyDatabase(first, pgTarget.url),
      (e: Error) => e instanceof CopyRefusedError && /already holds data/.test(e.message),
    );
    await assert.rejects(
      copyDatabase(first, last),
      (e: Error) => e instanceof CopyRefusedError && /--replace/.test(e.message),
    );
    const cli = runCli(['db', 'copy', '--from', first, '--to', last]);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /already holds data/);
    assert.deepEqual(countsJson(pgTarget.url), before);
    assert.equal(
      createHash('sha256')
        .update(readFileSync(join(dir, 'last.db')))
        .digest('hex'),
      hash,
    );
  });

  test('--replace on SQLite keeps the old file beside the new one', async () => {
    const result = await copyDatabase(first, last, { replace: true });
    assert.ok(result.backupPath && existsSync(result.backupPath));
    assert.deepEqual(countsJson(`sqlite:${result.backupPath}`), countsJson(last));
  });

  test('a source on a schema version this tradestore does not know is refused', async () => {
    const unknown = `sqlite:${join(dir, 'unknown.db')}`;
    const store = await openStore(unknown);
    await migrateUp(store);
    await store.close();
    const db = new DatabaseSync(join(dir, 'unknown.db'));
    db.prepare(`insert into tradestore_migrations values ('29991231000000_from_the_future', ?, ?, 0)`).run(
      'x'.repeat(64),
      new Date().toISOString(),
    );
    db.close();
    await assert.rejects(
      copyDatabase(unknown, `sqlite:${join(dir, 'never.db')}`),
      /schema version 29991231000000_from_the_future, which this tradestore does not know/,
    );
    assert.equal(existsSync(join(dir, 'never.db')), false);
  });
});

/** Spawns `db copy` and SIGKILLs it once `midway()` says rows are being written. */
async function killMidway(args: string[], midway: () => Promise<boolean>): Promise<void> {
  const child = spawn(process.execPath, [BIN, 'db', 'copy', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_c, signal) => done(signal)));
  const deadline = Date.now() + 60_000;
  let seen = false;
  while (!seen && Date.now() < deadline && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 10));
    seen = await midway().catch(() => false);
  }
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', `the copy ended before it could be killed: ${stderr}`);
}

describe('db copy killed midway leaves the target as it was', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-copy-kill-'));
  const source = `sqlite:${join(dir, 'source.db')}`;
  before(async () => seeded(source, 200_000));

  test('SQLite target with data, --replace, SIGKILL while loading: the file is byte-identical', async () => {
    const path = join(dir, 'target.db');
    const target = `sqlite:${path}`;
    const store = await openStore(target);
    await migrateUp(store);
    await seedDemo(store);
    await store.close();
    const hash = () => createHash('sha256').update(readFileSync(path)).digest('hex');
    const before = hash();
    const counts = countsJson(target);
    await killMidway(['--from', source, '--to', target, '--replace'], async () => {
      const partial = `${path}.copy-partial`;
      return (
        existsSync(partial) &&
        statSync(partial).size + (existsSync(`${partial}-wal`) ? statSync(`${partial}-wal`).size : 0) >
          4_000_000
      );
    });
    assert.equal(hash(), before);
    assert.deepEqual(countsJson(target), counts);
    // The killed copy's partial file is removed by the next copy, which then completes.
    const done = runCli(['db', 'copy', '--from', source, '--to', target, '--replace', '--json']);
    assert.equal(done.code, 0, done.stderr);
    assert.equal(existsSync(`${path}.copy-partial`), false);
    assert.deepEqual(countsJson(target), countsJson(source));
  });

  test('PostgreSQL target with data, --replace, SIGKILL during COPY: the old content is intact', async () => {
    const target = await scratchUrl('postgresql');
    try {
      const store = await openStore(target.url);
      await migrateUp(store);
      await seedDemo(store);
      await store.close();
      const counts = countsJson(target.url);
      const watcher = new pg.Client({ connectionString: target.url });
      await watcher.connect();
      try {
        await killMidway(['--from', source, '--to', target.url, '--replace', '--no-backup'], async () => {
          const { rows } = await watcher.query(
            `select 1 from pg_stat_activity where application_name = 'tradestore db copy' and query ilike 'copy "candles"%' and state = 'active'`,
          );
          return rows.length > 0;
        });
      } finally {
        await watcher.end();
      }
      assert.deepEqual(countsJson(target.url), counts);
    } finally {
      await target.dispose();
    }
  });
});
