import assert from 'node:assert/strict';
import { test } from 'node:test';
import { domainTables } from '../../src/operations/inspect.ts';
import { readMigrations } from '../../src/migrate/files.ts';
import { entityDiff } from '../../src/migrate/generate.ts';
import { schemaFingerprint } from '../../src/migrate/introspect.ts';
import { migrateDown, migrateUp, migrationState } from '../../src/migrate/runner.ts';
import { eachDialect } from '../support/dialects.ts';

eachDialect(
  'migrations: drift and round trips',
  (ctx) => {
    test('every migration has a non-empty up and down', () => {
      const files = readMigrations(ctx.dialect);
      assert.ok(files.length >= 1);
      for (const f of files) {
        assert.ok(f.up.replace(/--.*$/gm, '').trim().length > 0, `${f.name} has an empty up`);
        assert.ok(f.down.replace(/--.*$/gm, '').trim().length > 0, `${f.name} has an empty down`);
      }
    });

    test('a freshly migrated database has no drift from the entities', async () => {
      await migrateUp(ctx.store);
      const diff = await entityDiff(ctx.store);
      assert.equal(diff.up, '', `unexpected drift:\n${diff.up}`);
      const state = await migrationState(ctx.store);
      assert.equal(state.pending.length, 0);
      const facts = await schemaFingerprint(ctx.store);
      for (const { table } of domainTables(ctx.store))
        assert.ok(facts.has(`table ${table}`), `missing ${table}`);
    });

    test('for every migration, up → down → up gives an identical schema', async () => {
      await migrateDown(ctx.store, { all: true });
      const files = readMigrations(ctx.dialect);
      for (const f of files) {
        await migrateUp(ctx.store, { to: f.name });
        const once = await schemaFingerprint(ctx.store);
        await migrateDown(ctx.store, { step: 1 });
        await migrateUp(ctx.store, { to: f.name });
        assert.deepEqual(
          [...(await schemaFingerprint(ctx.store))].sort(),
          [...once].sort(),
          `${f.name} round trip`,
        );
      }
    });

    test('down --all leaves no domain table', async () => {
      await migrateUp(ctx.store);
      const { reverted } = await migrateDown(ctx.store, { all: true });
      assert.equal(reverted.length, readMigrations(ctx.dialect).length);
      const facts = [...(await schemaFingerprint(ctx.store))];
      assert.deepEqual(facts, [], `left behind: ${facts.slice(0, 5).join('; ')}`);
      await migrateUp(ctx.store);
    });
  },
  { migrate: false },
);
