import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { backupDatabase } from '../../src/db/backup.ts';
import { restoreDatabase } from '../../src/migrate/restore.ts';
import { domainTables } from '../../src/operations/inspect.ts';
import { dropAllTables } from '../../src/db/reset.ts';
import type { Store } from '../../src/db/store.ts';
import { migrateUp } from '../../src/migrate/runner.ts';
import { eachDialect } from '../support/dialects.ts';
import { seedSample } from '../support/sample.ts';

const pgDumpInstalled = spawnSync('pg_dump', ['--version']).status === 0;

/** Every row of every domain table, in a stable order, as JSON text. */
async function dump(store: Store): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const conn = store.em().getConnection();
  for (const { table } of domainTables(store)) {
    const rows = (await conn.execute(`select * from ${table}`)) as Array<Record<string, unknown>>;
    out[table] = JSON.stringify(rows.map((r) => JSON.stringify(r)).sort());
  }
  return out;
}

eachDialect('db backup, reset, restore', (ctx) => {
  test('restore after reset gives identical rows in every table', async (t) => {
    if (ctx.dialect === 'postgresql' && !pgDumpInstalled) return t.skip('pg_dump not installed');
    await seedSample(ctx.store);
    const before = await dump(ctx.store);
    const nonEmpty = Object.values(before).filter((v) => v !== '[]').length;
    assert.ok(nonEmpty >= 5, `sample data should fill several tables, filled ${nonEmpty}`);

    const file = join(mkdtempSync(join(tmpdir(), 'tradestore-backup-')), 'backup.bin');
    const result = await backupDatabase(ctx.store, file);
    assert.ok(result.bytes > 0);

    await dropAllTables(ctx.store);
    await migrateUp(ctx.store);
    const empty = await dump(ctx.store);
    assert.ok(
      Object.values(empty).every((v) => v === '[]'),
      'reset leaves every table empty',
    );

    await restoreDatabase(ctx.store, file);
    assert.deepEqual(await dump(ctx.store), before);
  });
});
