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
import { DIALECTS, type Dialect } from '../db/url.ts';
import { migrationStamp, migrationsDir, renderMigration, slug } from './files.ts';
import { diffFingerprints, type SchemaDifference, schemaFingerprint } from './introspect.ts';
import { editedMessage, migrateUp, migrationState } from './runner.ts';

export { DIALECTS };

/** SQL that takes a database from `store`'s current schema to the entities; empty when they agree. */
export async function entityDiff(store: Store): Promise<{ up: string; down: string }> {
  const em = store.em() as EntityManager;
  const diff = await em.getPlatform().getSchemaGenerator(em.getDriver(), em).getUpdateSchemaMigrationSQL({
    wrap: false,
    safe: false,
    dropTables: true,
  });
  if (store.dialect !== 'sqlite') return { up: diff.up.trim(), down: diff.down.trim() };
  const tables = await store.withSqlite((db) =>
    db
      .prepare(`select name, sql from sqlite_schema where type = 'table'`)
      .all()
      .filter((t) => /\)\s*without\s+rowid\s*$/i.test(String(t.sql)))
      .map((t) => String(t.name)),
  );
  const sqlite = (sql: string) => fillAddedColumns(keepWithoutRowid(sql.trim(), tables));
  return { up: sqlite(diff.up), down: sqlite(diff.down) };
}

/**
 * MikroORM's SQLite rebuild copies the old rows with `null as <column>` for a column the table
 * gains, so adding a `not null default X` column to a table holding rows fails the migration
 * (a NOT NULL constraint). Where the rebuilt table declares a default, the copy takes it instead,
 * as PostgreSQL's `alter table … add … default X` does.
 */
export function fillAddedColumns(sql: string): string {
  const defaults = new Map<string, Map<string, string>>();
  for (const [, table, body] of sql.matchAll(/^create table `([^`]+)__temp_alter` \((.*)\)[^)]*;$/gm)) {
    const columns = new Map<string, string>();
    for (const [, column, value] of body!.matchAll(
      /`([^`]+)` [^,]*? not null default ('(?:[^']|'')*'|[^\s,)]+)/g,
    ))
      columns.set(column!, value!);
    defaults.set(table!, columns);
  }
  return sql.replace(
    /^insert into `([^`]+)__temp_alter` select (.*) from `[^`]+`;$/gm,
    (line, table: string) => {
      const columns = defaults.get(table);
      if (!columns) return line;
      return line.replace(/null as `([^`]+)`/g, (copy, column: string) =>
        columns.has(column) ? `${columns.get(column)} as \`${column}\`` : copy,
      );
    },
  );
}

/**
 * MikroORM knows nothing of WITHOUT ROWID (candles is one, see its migration): the rebuild it
 * generates for a SQLite table it must alter (`create table `x__temp_alter` (…)`, copy, drop,
 * rename) would silently turn such a table back into a rowid table. The rebuilt table of one of
 * `tables` keeps the layout.
 */
export function keepWithoutRowid(sql: string, tables: readonly string[]): string {
  return sql.replace(
    /^(create table `([^`]+)__temp_alter` \(.*\));$/gm,
    (line, statement: string, table: string) =>
      tables.includes(table) ? `${statement} without rowid;` : line,
  );
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
