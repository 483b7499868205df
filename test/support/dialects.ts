/**
 * Runs a suite once per database: SQLite on a temp file, PostgreSQL on a fresh scratch database
 * (dropped afterwards). The PostgreSQL half is skipped, visibly, when `scripts/test.ts` found no
 * server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { createPgDatabase, dropPgDatabase, pgServerUrl } from '../../src/db/scratch.ts';
import { openStore, type Store } from '../../src/db/store.ts';
import type { Dialect } from '../../src/db/url.ts';
import { migrateUp } from '../../src/migrate/runner.ts';

export const PG_ENABLED = process.env.TRADESTORE_TEST_PG !== '0';

export interface DialectContext {
  dialect: Dialect;
  /** URL of this suite's database (file or scratch database). */
  url: string;
  /** The migrated store, open for the whole suite. */
  store: Store;
  /** Opens another store on the same database (the caller closes it). */
  reopen(): Promise<Store>;
}

/** A throw-away database URL for the dialect, and its disposal. */
export async function scratchUrl(dialect: Dialect): Promise<{ url: string; dispose: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tradestore-test-'));
    return {
      url: `sqlite:${join(dir, 'test.db')}`,
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const server = pgServerUrl();
  const url = await createPgDatabase(server, 'tradestore_test');
  return { url, dispose: () => dropPgDatabase(server, url) };
}

export function eachDialect(
  name: string,
  suite: (ctx: DialectContext) => void,
  options: { migrate?: boolean } = {},
): void {
  for (const dialect of ['sqlite', 'postgresql'] as const) {
    const skip = dialect === 'postgresql' && !PG_ENABLED ? 'PostgreSQL not available' : false;
    describe(`${name} [${dialect}]`, { skip }, () => {
      const ctx = { dialect } as DialectContext;
      let dispose: () => Promise<void> = async () => {};
      before(async () => {
        const scratch = await scratchUrl(dialect);
        dispose = scratch.dispose;
        ctx.url = scratch.url;
        ctx.store = await openStore(scratch.url);
        ctx.reopen = () => openStore(scratch.url);
        if (options.migrate !== false) await migrateUp(ctx.store);
      });
      after(async () => {
        await ctx.store?.close();
        await dispose();
      });
      suite(ctx);
    });
  }
}
