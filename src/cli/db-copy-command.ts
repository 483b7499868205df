/** `tradestore db copy --from <url> --to <url>`: a thin layer over transfer/copy.ts. */
import type { Command } from 'commander';
import { UsageError } from './context.ts';
import { info, printJson, printTable, progress } from './output.ts';

interface CopyFlags {
  from: string;
  to: string;
  replace?: boolean;
  backup: boolean;
  batchSize?: string;
  json?: boolean;
}

export function registerDbCopy(db: Command): void {
  db.command('copy')
    .description('copy every table into another database (SQLite ↔ PostgreSQL), verified per table')
    .requiredOption('--from <url>', 'source: sqlite:<path> or postgres://…')
    .requiredOption('--to <url>', 'target: sqlite:<path> or postgres://… (migrated to the source’s version)')
    .option('--replace', 'replace a target that already holds data (a SQLite file is kept beside it)')
    .option('--no-backup', 'with --replace on PostgreSQL: skip the pg_dump of the old content')
    .option('--batch-size <n>', 'rows per batch', '10000')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Each table's row count and content checksum (computed from decoded values, so the same on SQLite and
PostgreSQL) are compared after the copy; any difference fails it. A failed or killed copy leaves the
target as it was: one transaction on PostgreSQL, a temporary file renamed into place on SQLite.`,
    )
    .action(async (opts: CopyFlags) => {
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1) {
        throw new UsageError(`--batch-size ${opts.batchSize}: accepted: a whole number, 1 or more`);
      }
      let bar: ReturnType<typeof progress> | null = null;
      let phase = '';
      const { copyDatabase } = await import('../transfer/copy.ts');
      const result = await copyDatabase(opts.from, opts.to, {
        replace: Boolean(opts.replace),
        backup: opts.backup,
        batchSize,
        onProgress: (p) => {
          if (p.phase !== phase) {
            bar?.stop();
            phase = p.phase;
            bar = progress(p.phase === 'copy' ? 'copy  ' : 'verify', p.total);
          }
          bar!.update(p.done, p.total);
        },
      }).finally(() => bar?.stop());
      if (opts.json) {
        printJson(result);
        return;
      }
      printTable(
        result.tables.map((t) => ({ table: t.table, rows: t.rows, checksum: t.checksum.slice(0, 16) })),
      );
      if (result.migrated.length > 0)
        info(`target migrated to ${result.schemaVersion} (${result.migrated.length} migrations)`);
      if (result.backupPath) info(`the target's previous content: ${result.backupPath}`);
      info(
        `copied ${result.rows} rows in ${result.tables.length} tables from ${result.from} to ${result.to}, every count and checksum equal (${result.copySeconds} s copy + ${result.verifySeconds} s verify, ${result.rowsPerSecond} rows/s)`,
      );
    });
}
