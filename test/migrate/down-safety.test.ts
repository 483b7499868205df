/** Issue #9 item 4: `migrate down` backs a database holding data up first and names the data it drops. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readMigrations } from '../../src/migrate/files.ts';
import { migrateDown, migrateUp } from '../../src/migrate/runner.ts';
import { eachDialect } from '../support/dialects.ts';
import { allRows } from '../support/rows.ts';
import { seedDemo } from '../../src/seed/demo.ts';

eachDialect('migrate down safety', (ctx) => {
  test('down takes the backup before the first revert and reports dropped columns and tables with data', async () => {
    await seedDemo(ctx.store);
    const conn = ctx.store.em().getConnection();
    const count = async (sql: string) => Number(((await conn.execute(sql)) as Array<{ n: unknown }>)[0]?.n);
    const quantities = await count('select count(quantity) as n from trade_ideas');
    assert.ok(quantities > 0, 'the demo data has sized trade ideas');
    for (let i = 0; i < 3; i++)
      await conn.execute(
        `insert into decision_history_archive (occurred_at, action, actor, archived_at) values (?, 'approve', 'bot', ?)`,
        [new Date(Date.UTC(2026, 0, i + 1)), new Date()],
      );
    const archived = await count('select count(*) as n from decision_history_archive');

    const before = await allRows(ctx.store);
    let seenAtBackup: typeof before | undefined;
    const steps: string[] = [];
    const result = await migrateDown(ctx.store, {
      to: readMigrations(ctx.dialect)[0]!.name,
      backup: async (store) => {
        seenAtBackup = await allRows(store);
        return 'backup-path';
      },
      onBackup: (path) => steps.push(`backup ${path}`),
      onStep: (e) => steps.push(e.name),
    });
    assert.deepEqual(seenAtBackup, before, 'the backup ran before anything was reverted');
    assert.equal(steps[0], 'backup backup-path');
    assert.equal(result.backupPath, 'backup-path');
    const dropped = result.dropped.map((d) => `${d.table}${d.column ? `.${d.column}` : ''}=${d.values}`);
    assert.equal(archived, 3);
    assert.deepEqual(dropped.sort(), [`decision_history_archive=3`, `trade_ideas.quantity=${quantities}`]);
    await migrateUp(ctx.store);
  });
});
