/**
 * Migration generation and drift checks. "What the migrations produce" is always built for real:
 * a scratch database per dialect with every migration applied. MikroORM's schema comparator then
 * gives the SQL from there to the entities, and the fingerprints compare it with a live database.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityManager } from '@mikro-orm/sql';
import { openScratchStore } from '../db/scratch.ts';
import type { Store } from '../db/store.ts';
import type { Dialect } from '../db/url.ts';
import { migrationStamp, migrationsDir, renderMigration, slug } from './files.ts';
import { diffFingerprints, type SchemaDifference, schemaFingerprint } from './introspect.ts';
import { editedMessage, migrateUp, migrationState } from './runner.ts';

export const DIALECTS: Dialect[] = ['sqlite', 'postgresql'];

/** SQL that takes a database from `store`'s current schema to the entities; empty when they agree. */
export async function entityDiff(store: Store): Promise<{ up: string; down: string }> {
  const em = store.em() as EntityManager;
  const diff = await em.getPlatform().getSchemaGenerator(em.getDriver(), em).getUpdateSchemaMigrationSQL({
    wrap: false,
    safe: false,
    dropTables: true,
  });
  return { up: diff.up.trim(), down: diff.down.trim() };
}

/** Opens a scratch database of `dialect` with every migration applied (through `upTo`, if given). */
export async function migratedScratch(dialect: Dialect, serverUrl?: string, upTo?: string) {
  const scratch = await openScratchStore(dialect, serverUrl ? { serverUrl } : {});
  try {
    await migrateUp(scratch.store, upTo ? { to: upTo } : {});
    return scratch;
  } catch (error) {
    await scratch.dispose();
    throw error;
  }
}

export interface CreatedMigration {
  dialect: Dialect;
  path: string;
  statements: number;
}

/** Writes one migration per dialect whose schema differs from the entities; writes nothing when none does. */
export async function createMigrations(
  name: string,
  options: { serverUrl?: string; at?: Date; dialects?: Dialect[] } = {},
): Promise<CreatedMigration[]> {
  const stamp = migrationStamp(options.at);
  const file = `${stamp}_${slug(name)}.sql`;
  const diffs: Array<{ dialect: Dialect; up: string; down: string }> = [];
  for (const dialect of options.dialects ?? DIALECTS) {
    const scratch = await migratedScratch(dialect, options.serverUrl);
    try {
      const diff = await entityDiff(scratch.store);
      if (diff.up) diffs.push({ dialect, ...diff });
    } finally {
      await scratch.dispose();
    }
  }
  return diffs.map(({ dialect, up, down }) => {
    const path = join(migrationsDir(dialect), file);
    writeFileSync(path, renderMigration(name, up, down));
    return { dialect, path, statements: up.split(/;\s*\n/).filter((s) => s.trim()).length };
  });
}

export interface CheckReport {
  /** Entities changed without a migration: the SQL a new migration would hold. */
  unmigrated: string;
  /** The live database against what its applied migrations produce. */
  live: SchemaDifference;
  /** Applied migrations whose file changed since (the checksum rule of `status`/`up`/`down`). */
  edited: string[];
}

/**
 * One scratch database serves both checks: migrated as far as the live database is, it gives the
 * expected fingerprint; migrated the rest of the way, the entity diff.
 */
export async function checkSchema(store: Store, options: { serverUrl?: string } = {}): Promise<CheckReport> {
  const state = await migrationState(store);
  const edited = state.edited.map(editedMessage);
  const upTo = state.current ?? undefined;
  const scratch = await openScratchStore(
    store.dialect,
    options.serverUrl ? { serverUrl: options.serverUrl } : {},
  );
  try {
    if (upTo) await migrateUp(scratch.store, { to: upTo });
    const live = diffFingerprints(await schemaFingerprint(scratch.store), await schemaFingerprint(store));
    await migrateUp(scratch.store);
    return { unmigrated: (await entityDiff(scratch.store)).up, live, edited };
  } finally {
    await scratch.dispose();
  }
}
