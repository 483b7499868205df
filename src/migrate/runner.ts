/**
 * Applying, reverting and adopting migrations. Each migration is one transaction together with its
 * row in the version table; an applied migration whose file changed since is refused before
 * anything runs.
 */
import type { Store } from '../db/store.ts';
import { type MigrationFile, readMigrations } from './files.ts';
import {
  type AppliedMigration,
  type DroppedData,
  type MigrationSession,
  openMigrationSession,
  readApplied,
} from './history.ts';

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface MigrationState {
  files: MigrationFile[];
  applied: AppliedMigration[];
  pending: MigrationFile[];
  /** Applied migrations whose file no longer matches its checksum. */
  edited: Array<{ name: string; applied: string; file: string }>;
  /** Applied migrations with no file (deleted or from a newer tradestore). */
  unknown: string[];
  current: string | null;
}

export function compareState(files: MigrationFile[], applied: AppliedMigration[]): MigrationState {
  const byName = new Map(files.map((f) => [f.name, f]));
  const appliedNames = new Set(applied.map((a) => a.name));
  const edited = applied
    .filter((a) => byName.has(a.name) && byName.get(a.name)!.checksum !== a.checksum)
    .map((a) => ({ name: a.name, applied: a.checksum, file: byName.get(a.name)!.checksum }));
  return {
    files,
    applied,
    pending: files.filter((f) => !appliedNames.has(f.name)),
    edited,
    unknown: applied.filter((a) => !byName.has(a.name)).map((a) => a.name),
    current: applied.at(-1)?.name ?? null,
  };
}

export async function migrationState(store: Store): Promise<MigrationState> {
  return compareState(readMigrations(store.dialect), await readApplied(store));
}

/** The one wording of the checksum rule, for `up`/`down`/`stamp` (refused) and `status`/`check` (reported). */
export function editedMessage(e: MigrationState['edited'][number]): string {
  return `migration ${e.name} was edited after it was applied (checksum ${e.applied.slice(0, 12)} applied, ${e.file.slice(0, 12)} on disk); restore the file and put the change in a new migration`;
}

function assertIntact(state: MigrationState): void {
  if (state.edited.length > 0) throw new MigrationError(editedMessage(state.edited[0]!));
}

function resolveName(files: MigrationFile[], name: string): MigrationFile {
  const found = files.filter(
    (f) => f.name === name || f.name.startsWith(name) || f.name.endsWith(`_${name}`),
  );
  if (found.length === 1) return found[0]!;
  throw new MigrationError(
    found.length === 0
      ? `no migration named "${name}"`
      : `"${name}" matches ${found.length} migrations; give more of the name`,
  );
}

export interface ProgressEvent {
  name: string;
  direction: 'up' | 'down' | 'stamp';
  ms: number;
  /** Tables and columns that held data and are gone after the step. */
  dropped: DroppedData[];
}

/** Takes the backup before the first migration runs; returns its path, or null when there was nothing to keep. */
export type BackupStep = (store: Store) => Promise<string | null>;

export interface UpOptions {
  to?: string;
  backup?: BackupStep;
  /** Called with the backup's path as soon as it is written, before any migration runs. */
  onBackup?: (path: string) => void;
  onStep?: (event: ProgressEvent) => void;
}

/** "trade_ideas.quantity (56 values)", "decision_history_archive (3 rows)". */
export function describeDropped(dropped: DroppedData[]): string {
  return dropped
    .map((d) => (d.column ? `${d.table}.${d.column} (${d.values} values)` : `${d.table} (${d.values} rows)`))
    .join(', ');
}

async function withSession<T>(
  store: Store,
  fn: (session: MigrationSession, state: MigrationState) => Promise<T>,
) {
  const session = await openMigrationSession(store);
  try {
    // Read inside the lock: a concurrent run may have applied everything meanwhile.
    const state = compareState(readMigrations(store.dialect), await session.applied());
    return await fn(session, state);
  } finally {
    await session.release();
  }
}

export async function migrateUp(store: Store, options: UpOptions = {}) {
  return withSession(store, async (session, state) => {
    assertIntact(state);
    let pending = state.pending;
    if (options.to) {
      const target = resolveName(state.files, options.to);
      pending = pending.filter((f) => f.name <= target.name);
    }
    const backupPath = pending.length > 0 ? await takeBackup(store, options) : null;
    const applied: string[] = [];
    const dropped: DroppedData[] = [];
    for (const file of pending) {
      const step = await session.run({
        name: file.name,
        checksum: file.checksum,
        sql: file.up,
        direction: 'up',
      });
      applied.push(file.name);
      dropped.push(...step.dropped);
      options.onStep?.({ name: file.name, direction: 'up', ...step });
    }
    return { applied, backupPath, dropped };
  });
}

async function takeBackup(store: Store, options: Pick<UpOptions, 'backup' | 'onBackup'>) {
  const path = options.backup ? await options.backup(store) : null;
  if (path) options.onBackup?.(path);
  return path;
}

export interface DownOptions {
  to?: string;
  step?: number;
  all?: boolean;
  /** As for `up`: taken before the first revert; a revert drops whatever the up added. */
  backup?: BackupStep;
  onBackup?: (path: string) => void;
  onStep?: (event: ProgressEvent) => void;
}

export async function migrateDown(store: Store, options: DownOptions = {}) {
  return withSession(store, async (session, state) => {
    assertIntact(state);
    if (state.unknown.length > 0) {
      throw new MigrationError(`cannot revert: applied migration ${state.unknown.at(-1)} has no file here`);
    }
    const applied = [...state.applied].reverse();
    let revert: AppliedMigration[];
    if (options.all) revert = applied;
    else if (options.to) {
      const target = resolveName(state.files, options.to);
      revert = applied.filter((a) => a.name > target.name);
    } else revert = applied.slice(0, options.step ?? 1);
    const files = new Map(state.files.map((f) => [f.name, f]));
    const backupPath = revert.length > 0 ? await takeBackup(store, options) : null;
    const reverted: string[] = [];
    const dropped: DroppedData[] = [];
    for (const a of revert) {
      const file = files.get(a.name)!;
      const step = await session.run({
        name: a.name,
        checksum: a.checksum,
        sql: file.down,
        direction: 'down',
      });
      reverted.push(a.name);
      dropped.push(...step.dropped);
      options.onStep?.({ name: a.name, direction: 'down', ...step });
    }
    return { reverted, backupPath, dropped };
  });
}

/** Records migrations as applied without running them: adopting a database that already has the schema. */
export async function stampMigrations(store: Store, target: { name?: string; initial?: boolean }) {
  return withSession(store, async (session, state) => {
    assertIntact(state);
    if (state.files.length === 0) throw new MigrationError('there are no migrations to stamp');
    const last = target.initial ? state.files[0]! : resolveName(state.files, target.name ?? '');
    const stamped: string[] = [];
    for (const file of state.pending.filter((f) => f.name <= last.name)) {
      await session.run({ name: file.name, checksum: file.checksum, sql: '', direction: 'stamp' });
      stamped.push(file.name);
    }
    return { stamped };
  });
}

/** Up SQL of the migrations after `from` (exclusive) through `to` (inclusive), read from the files only. */
export function migrationSql(files: MigrationFile[], options: { from?: string; to?: string }) {
  const from = options.from ? resolveName(files, options.from).name : '';
  const to = options.to ? resolveName(files, options.to).name : null;
  return files
    .filter((f) => f.name > from && (to === null || f.name <= to))
    .map((f) => ({ name: f.name, sql: f.up }));
}
