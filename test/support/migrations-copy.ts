/** A writable copy of the migration folders, so a test can add or edit migrations safely. */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrationsRoot } from '../../src/migrate/files.ts';

export function copyMigrations(): { root: string; restore: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'tradestore-migrations-'));
  cpSync(migrationsRoot(), root, { recursive: true });
  const previous = process.env.TRADESTORE_MIGRATIONS_DIR;
  process.env.TRADESTORE_MIGRATIONS_DIR = root;
  return {
    root,
    restore: () => {
      if (previous === undefined) delete process.env.TRADESTORE_MIGRATIONS_DIR;
      else process.env.TRADESTORE_MIGRATIONS_DIR = previous;
      rmSync(root, { recursive: true, force: true });
    },
  };
}
