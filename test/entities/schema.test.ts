/**
 * The entity definitions against real databases, once per dialect: SQLite in memory, and a scratch
 * PostgreSQL database created and dropped here (skipped, visibly, when no server answers).
 * The schema built from the entities must read back identically (empty diff), enums, checks and
 * unique rules must be the database's, and exact decimals must survive a round trip.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { MikroORM } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { NodeSqliteDialect, SqliteDriver } from '@mikro-orm/sql';
import pg from 'pg';
import {
  Asset,
  Candle,
  Decimal,
  entities,
  Portfolio,
  Position,
  RiskConfig,
  Signal,
  TradeIdea,
  User,
} from '../../src/entities/all-tables.ts';

type Dialect = 'sqlite' | 'postgresql';

const PG_SERVER = process.env.TEST_DATABASE_URL || 'postgres://root@127.0.0.1:5432/test';
const BIG = '12345678901234567890.123456789012345678';
const BIG_MONEY = '12345678901234567890.123456789012345678901234567890123456';

async function pgAvailable(): Promise<boolean> {
  if (process.env.TRADESTORE_TEST_PG === '0') return false;
  const client = new pg.Client({ connectionString: PG_SERVER, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function onPgServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function openOrm(dialect: Dialect): Promise<{ orm: MikroORM; dispose: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const orm = await MikroORM.init({
      driver: SqliteDriver,
      dbName: ':memory:',
      driverOptions: new NodeSqliteDialect(':memory:'),
      entities,
      allowGlobalContext: false,
    });
    return { orm, dispose: () => orm.close(true) };
  }
  const name = `ts_entities_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onPgServer(`create database "${name}"`);
  const url = new URL(PG_SERVER);
  url.pathname = `/${name}`;
  const orm = await MikroORM.init({
    driver: PostgreSqlDriver,
    clientUrl: url.toString(),
    entities,
    allowGlobalContext: false,
  });
  return {
    orm,
    dispose: async () => {
      await orm.close(true);
      await onPgServer(`drop database if exists "${name}" with (force)`);
    },
  };
}

const pgUp = await pgAvailable();

for (const dialect of ['sqlite', 'postgresql'] as const) {
  const skip =
    dialect === 'postgresql' && !pgUp
      ? process.env.TRADESTORE_TEST_PG === '0'
        ? 'PostgreSQL disabled (TRADESTORE_TEST_PG=0)'
        : `PostgreSQL not reachable at ${PG_SERVER.replace(/\/\/[^@/]*@/, '//')}`
      : false;

  describe(`entities [${dialect}]`, { skip }, () => {
    let orm: MikroORM;
    let dispose: () => Promise<void> = async () => {};
    // Raw parameters differ per driver: node:sqlite binds neither Date nor boolean.
    const now = () => (dialect === 'sqlite' ? Date.now() : new Date());
    const raw = (sql: string, params: unknown[] = []) => orm.em.getConnection().execute(sql, params, 'run');
    const rawAll = async (sql: string, params: unknown[] = []) =>
      (await orm.em.getConnection().execute(sql, params, 'all')) as Record<string, unknown>[];

    let owner: User;
    let portfolio: Portfolio;
    let asset: Asset;

    before(async () => {
      ({ orm, dispose } = await openOrm(dialect));
      await orm.schema.create();
      const em = orm.em.fork();
      owner = em.create(User, { email: ' Trader@Example.COM ', passwordHash: 'x' });
      portfolio = em.create(Portfolio, {
        owner,
        name: 'main',
        initialBalance: new Decimal(10_000),
        cashBalance: new Decimal(BIG_MONEY),
      });
      asset = em.create(Asset, {
        symbol: 'BTC/USDT',
        venue: 'binance',
        kind: 'crypto',
        tickSize: new Decimal(BIG),
      });
      await em.flush();
    });

    after(async () => {
      await dispose();
    });

    test('schema built from the entities reads back without drift', async () => {
      const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
      assert.equal(diff.trim(), '', `unexpected drift:\n${diff}`);
    });

    test('every foreign key leads an index', async () => {
      const unindexed: string[] = [];
      if (dialect === 'postgresql') {
        const rows = await rawAll(`
          select c.conrelid::regclass::text as tbl, c.conname as fk
          from pg_constraint c
          where c.contype = 'f'
            and not exists (select 1 from pg_index i where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1])`);
        unindexed.push(...rows.map((r) => `${r.tbl}.${r.fk}`));
      } else {
        const tables = await rawAll(
          `select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`,
        );
        for (const { name } of tables) {
          const leading = new Set<unknown>();
          for (const col of await rawAll(`pragma table_info('${name}')`))
            if (col.pk === 1) leading.add(col.name);
          for (const index of await rawAll(`pragma index_list('${name}')`)) {
            const [first] = await rawAll(`pragma index_info('${index.name}')`);
            leading.add(first?.name);
          }
          for (const fk of await rawAll(`pragma foreign_key_list('${name}')`)) {
            if (fk.seq === 0 && !leading.has(fk.from)) unindexed.push(`${name}.${fk.from}`);
          }
        }
      }
      assert.deepEqual(unindexed, []);
    });

    test('enum columns reject unknown values in raw SQL', async () => {
      await assert.rejects(raw('update assets set kind = ? where id = ?', ['stock', asset.id]), /check/i);
      await assert.rejects(
        raw('update portfolios set mode = ? where id = ?', ['yolo', portfolio.id]),
        /check/i,
      );
      await assert.rejects(
        raw(
          'insert into candles (asset_id, timeframe, ts, open, high, low, close, volume) values (?, ?, ?, 1, 1, 1, 1, 1)',
          [asset.id, '7m', 0],
        ),
        /check/i,
      );
    });

    test('exact decimals round-trip through the ORM', async () => {
      const loaded = await orm.em.fork().findOneOrFail(Asset, asset.id);
      assert.ok(loaded.tickSize instanceof Decimal);
      assert.equal(loaded.tickSize.toFixed(), BIG);
      const book = await orm.em.fork().findOneOrFail(Portfolio, portfolio.id);
      assert.equal(book.cashBalance.toFixed(), BIG_MONEY);
      const [row] = await rawAll('select tick_size from assets where id = ?', [asset.id]);
      assert.equal(new Decimal(String(row?.tick_size)).toFixed(), BIG);
      if (dialect === 'sqlite') {
        const [kind] = await rawAll('select typeof(tick_size) as t from assets where id = ?', [asset.id]);
        assert.equal(kind?.t, 'text');
      }
    });

    test('loaded decimals are not dirty', async () => {
      const em = orm.em.fork();
      const loaded = await em.findOneOrFail(Portfolio, portfolio.id);
      loaded.initialBalance = new Decimal('10000.000');
      const uow = em.getUnitOfWork();
      uow.computeChangeSets();
      assert.equal(uow.getChangeSets().length, 0);
      loaded.initialBalance = new Decimal('10000.000000000000000001');
      uow.computeChangeSets();
      assert.equal(uow.getChangeSets().length, 1);
    });

    test('a decimal that does not fit its column is refused, not rounded', async () => {
      const em = orm.em.fork();
      em.create(Asset, {
        symbol: 'ETH/USDT',
        venue: 'binance',
        kind: 'crypto',
        tickSize: new Decimal('0.1234567890123456789'),
      });
      await assert.rejects(em.flush(), RangeError);
    });

    test('one global risk config, one per portfolio', async () => {
      const em = orm.em.fork();
      em.create(RiskConfig, {});
      em.create(RiskConfig, { portfolio: portfolio.id });
      await em.flush();
      await assert.rejects(
        raw('insert into risk_configs (created_at, updated_at) values (?, ?)', [now(), now()]),
        /unique/i,
      );
      await assert.rejects(
        raw('insert into risk_configs (portfolio_id, created_at, updated_at) values (?, ?, ?)', [
          portfolio.id,
          now(),
          now(),
        ]),
        /unique/i,
      );
      const again = orm.em.fork();
      again.create(RiskConfig, { aiTradingEnabled: true });
      await assert.rejects(again.flush(), /unique/i);
      await assert.rejects(raw('update risk_configs set min_confidence_threshold = 1.5'), /check/i);
    });

    test('emails are unique case-insensitively', async () => {
      const loaded = await orm.em.fork().findOneOrFail(User, { email: 'TRADER@Example.com' });
      assert.equal(loaded.email, 'trader@example.com');
      const em = orm.em.fork();
      em.create(User, { email: 'TRADER@example.com', passwordHash: 'y' });
      await assert.rejects(em.flush(), /unique/i);
      await assert.rejects(
        raw('update users set email = ? where id = ?', ['Trader@Example.com', owner.id]),
        /check/i,
      );
    });

    test('times: epoch-ms bigints as numbers, datetimes in one representation', async () => {
      const em = orm.em.fork();
      const ts = Date.UTC(2024, 0, 1, 0, 0);
      em.create(Candle, {
        asset: asset.id,
        timeframe: '1m',
        ts,
        open: 1.5,
        high: 2,
        low: 1,
        close: 1.75,
        volume: 10,
      });
      await em.flush();
      const candle = await orm.em.fork().findOneOrFail(Candle, { asset: asset.id, timeframe: '1m', ts });
      assert.equal(typeof candle.ts, 'number');
      assert.equal(candle.ts, ts);
      const user = await orm.em.fork().findOneOrFail(User, owner.id);
      assert.ok(user.createdAt instanceof Date);
      if (dialect === 'sqlite') {
        const [row] = await rawAll(
          'select typeof(created_at) as t, created_at as v from users where id = ?',
          [owner.id],
        );
        assert.equal(row?.t, 'integer');
        assert.equal(Number(row?.v), user.createdAt.getTime());
      }
    });

    test('delete rules: restrict, cascade, set null', async () => {
      // An asset with candles cannot vanish.
      await assert.rejects(raw('delete from assets where id = ?', [asset.id]), /foreign key|constraint/i);
      const em = orm.em.fork();
      const doomed = em.create(Portfolio, {
        owner: owner.id,
        name: 'doomed',
        initialBalance: new Decimal(1),
        cashBalance: new Decimal(1),
      });
      em.create(Position, {
        portfolio: doomed,
        asset: asset.id,
        side: 'long',
        quantity: new Decimal('0.5'),
        averageEntryPrice: new Decimal('100.25'),
        costBasis: new Decimal('50.125'),
        openedAt: new Date(),
      });
      const signal = em.create(Signal, {
        asset: asset.id,
        strategyVersion: 'v1',
        ts: new Date(),
        price: new Decimal('100.25'),
        action: 'buy',
        confidence: 0.8,
      });
      const idea = em.create(TradeIdea, { asset: asset.id, signal, direction: 'long' });
      await em.flush();
      // Positions cascade with their portfolio.
      await raw('delete from portfolios where id = ?', [doomed.id]);
      const [left] = await rawAll('select count(*) as n from positions where portfolio_id = ?', [doomed.id]);
      assert.equal(Number(left?.n), 0);
      // A pruned signal leaves the idea, unlinked.
      await raw('delete from signals where id = ?', [signal.id]);
      const [linked] = await rawAll('select signal_id from trade_ideas where id = ?', [idea.id]);
      assert.equal(linked?.signal_id, null);
    });

    test('trade ideas move only along allowed transitions', async () => {
      const em = orm.em.fork();
      const idea = em.create(TradeIdea, { asset: asset.id, direction: 'short' });
      await em.flush();
      idea.status = 'needs_approval';
      await em.flush();
      idea.status = 'approved';
      await em.flush();
      idea.status = 'waiting';
      await assert.rejects(em.flush(), /illegal trade_idea status transition 'approved' -> 'waiting'/);
    });
  });
}
