import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inDriverTransaction, inTransaction, reading } from '../../src/db/transaction.ts';
import { eachDialect } from '../support/dialects.ts';

// Tx.later: a write held back on PostgreSQL until the transaction's next statement or its COMMIT.
eachDialect('held-back writes (Tx.later)', (ctx) => {
  const at = new Date('2026-03-29T01:30:00.123Z');

  test('a held-back write lands in its place: the next statement sees it, with every value intact', async () => {
    const time = ctx.dialect === 'sqlite' ? 'integer' : 'timestamptz';
    const flag = ctx.dialect === 'sqlite' ? 'integer' : 'boolean';
    // Exact decimals are text on SQLite (src/entities/types/decimal.ts).
    const decimal = ctx.dialect === 'sqlite' ? 'text' : 'numeric';
    await inTransaction(ctx.store, (tx) =>
      tx.run(
        `create table later_probe (id integer primary key, note text, amount ${decimal}, at ${time}, flag ${flag})`,
      ),
    );
    const awkward = `it's a \\ back'slash "quoted" ; select 1; -- not a comment`;
    const seen = await inTransaction(ctx.store, async (tx) => {
      tx.later('insert into later_probe (id, note, amount, at, flag) values (?, ?, ?, ?, ?)', [
        1,
        awkward,
        '123456789012345678.000000000000000001',
        tx.time(at),
        tx.bool(true),
      ]);
      tx.later('insert into later_probe (id, note, amount, at, flag) values (?, ?, ?, ?, ?)', [
        2,
        null,
        null,
        null,
        tx.bool(false),
      ]);
      tx.later('update later_probe set note = ? where id = ?', ['second', 2]);
      return tx.all<{ id: number; note: string | null }>('select id, note from later_probe order by id');
    });
    assert.deepEqual(
      seen.map((r) => [Number(r.id), r.note]),
      [
        [1, awkward],
        [2, 'second'],
      ],
    );
    const row = await reading(ctx.store, (tx) =>
      tx.get<{ amount: unknown; at: unknown; flag: unknown }>(
        'select amount, at, flag from later_probe where id = 1',
      ),
    );
    assert.equal(String(row!.amount), '123456789012345678.000000000000000001');
    assert.equal(new Date(row!.at as string | number | Date).getTime(), at.getTime());
    assert.equal(Boolean(row!.flag), true);
  });

  // PostgreSQL column types.
  if (ctx.dialect === 'postgresql')
    test('every datetime column is timestamptz (a held-back Date is sent as its UTC instant)', async () => {
      const rows = await reading(ctx.store, (tx) =>
        tx.all<{ table_name: string; column_name: string }>(
          `select table_name, column_name from information_schema.columns
            where table_schema = current_schema() and data_type = 'timestamp without time zone'`,
        ),
      );
      assert.deepEqual(rows, []);
    });

  test('held-back writes with nothing after them are sent with the COMMIT', async () => {
    await inTransaction(ctx.store, async (tx) => {
      tx.later('insert into later_probe (id, note) values (?, ?)', [3, 'only writes']);
      tx.later('insert into later_probe (id, note) values (?, ?)', [4, 'only writes']);
    });
    const rows = await reading(ctx.store, (tx) =>
      tx.all<{ id: number }>("select id from later_probe where note = 'only writes' order by id"),
    );
    assert.deepEqual(
      rows.map((r) => Number(r.id)),
      [3, 4],
    );
  });

  test('a held-back write that fails rolls the whole transaction back, however late it is sent', async () => {
    for (const next of ['a statement', 'the commit'] as const) {
      await assert.rejects(
        inTransaction(ctx.store, async (tx) => {
          await tx.run('insert into later_probe (id, note) values (?, ?)', [10, 'must not stay']);
          tx.later('insert into later_probe (id, note) values (?, ?)', [1, 'duplicate id']);
          if (next === 'a statement') await tx.get('select count(*) as n from later_probe');
        }),
        /unique|duplicate/i,
        next,
      );
      const left = await reading(ctx.store, (tx) =>
        tx.all('select id from later_probe where id = 10 or note = ?', ['duplicate id']),
      );
      assert.deepEqual(left, [], next);
    }
    // The connection is usable afterwards, and the statement prepared for the failed write too.
    await inTransaction(ctx.store, async (tx) => {
      tx.later('insert into later_probe (id, note) values (?, ?)', [11, 'after the failure']);
    });
    const row = await reading(ctx.store, (tx) =>
      tx.get<{ note: string }>('select note from later_probe where id = 11'),
    );
    assert.equal(row?.note, 'after the failure');
  });

  test('a transaction that throws before sending anything leaves nothing, and a later one still writes', async () => {
    await assert.rejects(
      inTransaction(ctx.store, async (tx) => {
        tx.later('update later_probe set note = ? where id = ?', ['thrown away', 3]);
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    await inTransaction(ctx.store, async (tx) => {
      tx.later('update later_probe set note = ? where id = ?', ['kept', 4]);
    });
    const rows = await reading(ctx.store, (tx) =>
      tx.all<{ id: number; note: string }>('select id, note from later_probe where id in (3, 4) order by id'),
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.id), r.note]),
      [
        [3, 'only writes'],
        [4, 'kept'],
      ],
    );
  });

  test('later is refused where a write could be overtaken or has no transaction', async () => {
    await assert.rejects(
      reading(ctx.store, async (tx) => tx.later('delete from later_probe')),
      /write transaction/,
    );
    if (ctx.dialect === 'postgresql') {
      await assert.rejects(
        inDriverTransaction(ctx.store, async (tx) => tx.later('delete from later_probe')),
        /driver transaction/,
      );
    }
    const n = await reading(ctx.store, (tx) =>
      tx.get<{ n: unknown }>('select count(*) as n from later_probe'),
    );
    assert.equal(Number(n!.n), 5);
  });
});
