/** `tradestore db …`: health, counts, stats, backup, restore, prune, reset, seed. */
import type { Command } from 'commander';
import { registerDbCopy } from './db-copy-command.ts';
import { UsageError, withStore } from './context.ts';
import { info, printJson, printTable, progress } from './output.ts';

export function registerDb(program: Command): void {
  const db = program.command('db').description('database operations');
  registerDbCopy(db);
  dbHealthCommand(db);
  dbCountsCommand(db);
  dbStatsCommand(db);
  dbBackupCommand(db);
  dbRestoreCommand(db);
  dbPruneCommand(db);
  dbResetCommand(db);
  dbSeedCommand(db);
}

/** `tradestore db health`. */
function dbHealthCommand(db: Command): void {
  db.command('health')
    .description('connectivity, size, schema version and pending migrations')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      withStore(cmd, async (store) => {
        const { health } = await import('../operations/inspect.ts');
        const h = await health(store);
        if (opts.json) printJson(h);
        else printTable(Object.entries(h).map(([key, value]) => ({ key, value })));
        if (h.status !== 'healthy') process.exitCode = 1;
      }),
    );
}

/** `tradestore db counts`. */
function dbCountsCommand(db: Command): void {
  db.command('counts')
    .description('rows per table, production and test data apart')
    .option('--json', 'print JSON (only deterministic counts)')
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      withStore(cmd, async (store) => {
        const { tableCounts } = await import('../operations/inspect.ts');
        const counts = await tableCounts(store);
        if (opts.json)
          printJson(
            Object.fromEntries(
              counts.map((c) => [c.table, { rows: c.rows, production: c.production, test: c.test }]),
            ),
          );
        else printTable(counts.map((c) => ({ ...c })));
      }),
    );
}

/** `tradestore db stats`. */
function dbStatsCommand(db: Command): void {
  db.command('stats')
    .description('table and index sizes (and index usage on PostgreSQL)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      withStore(cmd, async (store) => {
        const { tableStats } = await import('../operations/inspect.ts');
        const stats = await tableStats(store);
        if (opts.json) printJson(stats);
        else
          printTable(
            stats.map((s) => ({
              table: s.table,
              rows: s.rows,
              table_bytes: s.table_bytes,
              index_bytes: s.index_bytes,
              indexes: s.indexes.length,
              index_scans: s.indexes.some((i) => i.scans !== null)
                ? s.indexes.reduce((a, i) => a + (i.scans ?? 0), 0)
                : null,
            })),
          );
      }),
    );
}

/** `tradestore db backup`. */
function dbBackupCommand(db: Command): void {
  db.command('backup <file>')
    .description(
      'online backup (SQLite backup API; PostgreSQL pg_dump), written beside the target and renamed into place',
    )
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { json?: boolean }, cmd: Command) => {
      if (file.trim() === '')
        throw new UsageError('db backup needs a file name, e.g. db backup backups/today.db');
      await withStore(cmd, async (store) => {
        const bar = progress('backup');
        const { backupDatabase } = await import('../db/backup.ts');
        const result = await backupDatabase(store, file, (done, total) => bar.update(done, total)).finally(
          () => bar.stop(),
        );
        if (opts.json) printJson(result);
        else info(`backed up to ${result.path} (${result.bytes} bytes, ${result.ms} ms)`);
      });
    });
}

/** `tradestore db restore`. */
function dbRestoreCommand(db: Command): void {
  db.command('restore <file>')
    .description(
      'replace the database content with a tradestore backup of the same dialect (the current content is backed up first)',
    )
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { json?: boolean }, cmd: Command) => {
      if (file.trim() === '') throw new UsageError('db restore needs the backup file to restore');
      await withStore(
        cmd,
        async (store) => {
          const { restoreDatabase } = await import('../migrate/restore.ts');
          const result = await restoreDatabase(store, file, {
            onSafetyBackup: (path) => info(`backup of the database before restoring: ${path}`),
          });
          if (opts.json) printJson(result);
          else
            info(
              `restored ${result.restored}: ${result.migrations} migrations, at ${result.version} (${result.ms} ms)`,
            );
        },
        { creates: true },
      );
    });
}

/** `tradestore db prune`. */
function dbPruneCommand(db: Command): void {
  db.command('prune')
    .description(
      'retention: old candles per timeframe, old snapshots, decision history to its archive, old live events',
    )
    .option('--candles <list>', 'days of candles to keep per timeframe, e.g. 1m=90,5m=365 (others are kept)')
    .option(
      '--snapshot-days <n>',
      'keep portfolio/account/market snapshots this many days (RETENTION_SNAPSHOT_DAYS)',
    )
    .option('--decision-days <n>', 'archive decision history older than this (RETENTION_DECISION_DAYS)')
    .option('--event-days <n>', 'keep live events (the outbox) this many days (RETENTION_EVENT_DAYS)')
    .option('--dry-run', 'count what would go, change nothing')
    .option('--json', 'print JSON')
    .action(
      async (
        opts: {
          candles?: string;
          snapshotDays?: string;
          decisionDays?: string;
          eventDays?: string;
          dryRun?: boolean;
          json?: boolean;
        },
        cmd: Command,
      ) =>
        withStore(cmd, async (store, config) => {
          const candles: Record<string, number> = {};
          for (const part of (opts.candles ?? '').split(',').filter(Boolean)) {
            const [tf, days] = part.split('=');
            if (!tf || !days || !/^\d+$/.test(days)) {
              throw new UsageError(
                `--candles ${opts.candles}: accepted: timeframe=days pairs, e.g. 1m=90,5m=365`,
              );
            }
            candles[tf.trim()] = Number(days);
          }
          const days = (flag: string, v: string | undefined, fallback: number) => {
            if (v === undefined) return fallback;
            if (!/^\d+$/.test(v) || Number(v) < 1)
              throw new UsageError(`${flag} ${v}: accepted: a whole number of days, 1 or more`);
            return Number(v);
          };
          const { prune } = await import('../operations/retention.ts');
          const results = await prune(store, {
            candles,
            snapshotDays: days('--snapshot-days', opts.snapshotDays, config.RETENTION_SNAPSHOT_DAYS),
            decisionDays: days('--decision-days', opts.decisionDays, config.RETENTION_DECISION_DAYS),
            eventDays: days('--event-days', opts.eventDays, config.RETENTION_EVENT_DAYS),
            dryRun: Boolean(opts.dryRun),
          }).catch((error: Error) => {
            if (/invalid option|Invalid key/i.test(error.message))
              throw new UsageError(`--candles: ${error.message}`);
            throw error;
          });
          if (opts.json) printJson({ dryRun: Boolean(opts.dryRun), results });
          else
            for (const r of results)
              info(`${opts.dryRun ? 'would remove' : 'removed'} ${r.rows} from ${r.table} (${r.detail})`);
        }),
    );
}

/** `tradestore db reset`. */
function dbResetCommand(db: Command): void {
  db.command('reset')
    .description('drop every table and migrate again (a database holding data is backed up first)')
    .option('--yes', 'confirm')
    .option('--no-backup', 'skip the safety backup')
    .option('--json', 'print JSON')
    .action(async (opts: { yes?: boolean; backup: boolean; json?: boolean }, cmd: Command) => {
      if (!opts.yes) throw new UsageError('db reset deletes every row; pass --yes to confirm');
      await withStore(cmd, async (store) => {
        const { safetyBackup } = await import('../migrate/safety-backup.ts');
        const backupPath = opts.backup ? await safetyBackup(store, 'reset') : null;
        if (backupPath && !opts.json) info(`backup of the database before resetting: ${backupPath}`);
        const { dropAllTables } = await import('../db/reset.ts');
        const dropped = await dropAllTables(store);
        const { migrateUp } = await import('../migrate/runner.ts');
        const { applied } = await migrateUp(store);
        if (opts.json) printJson({ dropped, applied, backupPath });
        else info(`dropped ${dropped} tables, applied ${applied.length} migrations`);
      });
    });
}

/** `tradestore db seed`. */
function dbSeedCommand(db: Command): void {
  db.command('seed')
    .description(
      'load the demo data set (--demo) into an empty, migrated database; a second run changes nothing',
    )
    .option('--demo', 'the demo data set: two paper portfolios, market data, trades, research (required)')
    .option('--json', 'print JSON')
    .action(async (opts: { demo?: boolean; json?: boolean }, cmd: Command) => {
      if (!opts.demo) throw new UsageError('db seed needs --demo (the only data set there is)');
      await withStore(cmd, async (store) => {
        const started = performance.now();
        const { DEMO_USER_EMAIL, seedDemo } = await import('../seed/demo.ts');
        const result = await seedDemo(store);
        if (opts.json) {
          printJson(result);
          return;
        }
        const rows = Object.values(result.counts).reduce((a, n) => a + n, 0);
        if (!result.seeded) {
          info(`demo data already present (${rows} rows): nothing changed`);
          return;
        }
        info(
          `seeded demo data: ${rows} rows in ${Object.keys(result.counts).length} tables (${Math.round(performance.now() - started)} ms)`,
        );
        info(`demo user ${DEMO_USER_EMAIL}: demo login is not enabled (its random password was never kept)`);
      });
    });
}
