/**
 * On PostgreSQL the outbox sends its events as literals in the COMMIT's round trip
 * (`Tx.withCommit`, `sqlLiteral`): any text a client puts in a view must arrive in the stored
 * payload exactly, on both databases, and a COMMIT that fails must leave neither change nor event.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { recordSignal } from '../../src/execution/signals.ts';
import { sqlLiteral } from '../../src/db/held-back.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { recordEvent } from '../../src/events/outbox.ts';
import { eventBounds, readEvents } from '../../src/events/reading.ts';
import { eachDialect } from '../support/dialects.ts';
import { createAssets } from '../execution/fixtures.ts';

const AWKWARD = [
  "it's",
  "''",
  "E'\\x41'",
  'back\\slash \\\\ and \\n',
  'quote " and \\"',
  '$$ dollar $tag$',
  'line\nbreak\ttab\r',
  'é ü 漢字 🚀',
  '); drop table events; --',
];

eachDialect('events: payload text', (ctx) => {
  let asset = 0;
  before(async () => {
    [asset] = (await createAssets(ctx.store, ['BTC/USDT'], `payload-${ctx.dialect}`)) as [number];
  });

  test('awkward client text arrives in the stored payload exactly', async () => {
    const { latestSeq } = await eventBounds(ctx.store);
    const components = Object.fromEntries(AWKWARD.map((text, i) => [`k${i} ${text}`, { text }]));
    await recordSignal(ctx.store, {
      assetId: asset,
      price: '100',
      action: 'hold',
      confidence: 0.5,
      strategyVersion: 'v1',
      reason: AWKWARD.join(' | '),
      components,
    });
    const [event] = await readEvents(ctx.store, { after: latestSeq, limit: 10 });
    assert.equal(event!.topic, 'signal');
    assert.deepEqual(event!.payload.components, components);
    assert.equal(event!.payload.reason, AWKWARD.join(' | '));
  });

  test('a transaction whose last statement fails keeps neither its change nor its events', async () => {
    const before = await eventBounds(ctx.store);
    await assert.rejects(
      inTransaction(ctx.store, async (tx) => {
        recordEvent(tx, { topic: 'bot_status', portfolioId: null, payload: { status: 'x' } });
        await tx.run("insert into bot_status (key, updated_at) values ('payload-test', ?)", [
          tx.time(new Date()),
        ]);
        // The same key again: fails inside the COMMIT's round trip on PostgreSQL, right before
        // COMMIT on SQLite.
        const now = ctx.dialect === 'postgresql' ? 'now()' : '0';
        tx.withCommit(
          () => `insert into bot_status (key, updated_at) values ('payload-test', ${now})`,
          () => {},
        );
      }),
    );
    assert.deepEqual(await eventBounds(ctx.store), before);
    const rows = await inTransaction(ctx.store, (tx) =>
      tx.all("select * from bot_status where key = 'payload-test'"),
    );
    assert.deepEqual(rows, []);
  });

  // A PostgreSQL literal: registered on the PostgreSQL half only (no skipped test on SQLite).
  if (ctx.dialect === 'postgresql')
    test('sqlLiteral reads back as the same text, whatever standard_conforming_strings is', async () => {
      for (const setting of ['on', 'off']) {
        const back = await inTransaction(ctx.store, async (tx) => {
          await tx.run(`set local standard_conforming_strings = ${setting}`);
          await tx.run('set local escape_string_warning = off');
          return tx.all<{ v: string }>(
            `select ${AWKWARD.map((s, i) => `${sqlLiteral(s)} as v${i}`).join(', ')}`,
          );
        });
        assert.deepEqual(Object.values(back[0]!), AWKWARD, `standard_conforming_strings = ${setting}`);
      }
    });
});
