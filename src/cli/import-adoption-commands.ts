/**
 * `tradestore import legacy <dir>` and `tradestore import freqtrade-db <file>`: adopting data a bot
 * already has (src/adopt/). Thin: options in, the importer's per-file report out.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError, withStore } from './context.ts';
import { printJson, progress } from './output.ts';

/** Adopting existing data (src/adopt/): a legacy bot's files, a freqtrade bot's database. */
export function registerImportAdoption(group: Command): void {
  group
    .command('legacy')
    .description("a bot's JSON/CSV files (signals, trades, holdings, strategies, …) through the services")
    .argument('<dir>', 'directory holding signals.json|csv, trades.json|csv, …')
    .option('--portfolio <name>', 'portfolio the trades go to (created when missing)', 'legacy')
    .option('--owner <email>', "the portfolio's owner (default: the first admin, else the only user)")
    .option(
      '--rules <file>',
      'test-data rules JSON replacing the built-in ones (src/adopt/test-data-rules.json)',
    )
    .option('--venue <venue>', 'venue of the symbols (default: DEFAULT_VENUE)')
    .option('--initial-balance <amount>', 'initial balance of a portfolio this import creates', '0')
    .option('--dry-run', 'report what would be imported; write nothing')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, opts: LegacyCliOptions, cmd: Command) => {
      if (!existsSync(dir)) throw new UsageError(`import legacy: no such directory: ${dir}`);
      const { loadTestDataRules } = await import('../adopt/test-data-rules.ts');
      const rules = opts.rules ? await loadTestDataRules(opts.rules) : undefined;
      await withStore(cmd, async (store, config) => {
        const bar = progress('signals and trades');
        const { importLegacy } = await import('../adopt/legacy.ts');
        const result = await importLegacy(store, dir, {
          onProgress: (done, total) => bar.update(done, total),
          portfolio: opts.portfolio,
          ...(opts.owner ? { owner: opts.owner } : {}),
          venue: opts.venue ?? config.DEFAULT_VENUE,
          initialBalance: opts.initialBalance,
          dryRun: opts.dryRun === true,
          ...(rules ? { rules } : {}),
        }).finally(() => bar.stop());
        if (opts.json) return printJson(result);
        const notes = [
          ...(result.ignored.length > 0
            ? [`not legacy files, left alone: ${result.ignored.join(', ')}`]
            : []),
          ...(result.dryRun ? ['dry run: nothing was written'] : []),
        ];
        const { formatReport } = await import('../adopt/report.ts');
        process.stdout.write(formatReport(result.files, notes));
      });
    });

  group
    .command('freqtrade-db')
    .description(
      "a freqtrade bot's tradesv3.sqlite: trades, orders and fills through the accounting (read only)",
    )
    .argument('<file>', 'freqtrade database (tradesv3.sqlite, tradesv3.dryrun.sqlite)')
    .option('--portfolio <name>', 'portfolio the trades go to (created when missing)', 'freqtrade')
    .option('--owner <email>', "the portfolio's owner (default: the first admin, else the only user)")
    .option('--initial-balance <amount>', 'initial balance of a portfolio this import creates', '0')
    .option('--json', 'print the report as JSON')
    .action(
      async (
        file: string,
        opts: { portfolio: string; owner?: string; initialBalance: string; json?: boolean },
        cmd: Command,
      ) => {
        if (!existsSync(file)) throw new UsageError(`import freqtrade-db: no such file: ${file}`);
        await withStore(cmd, async (store) => {
          const { importFreqtradeDb } = await import('../adopt/freqtrade-db.ts');
          const result = await importFreqtradeDb(store, file, {
            portfolio: opts.portfolio,
            ...(opts.owner ? { owner: opts.owner } : {}),
            initialBalance: opts.initialBalance,
          });
          if (opts.json) return printJson(result);
          const { formatReport } = await import('../adopt/report.ts');
          process.stdout.write(formatReport(result.files, result.notes));
        });
      },
    );
}

interface LegacyCliOptions {
  portfolio: string;
  owner?: string;
  rules?: string;
  venue?: string;
  initialBalance: string;
  dryRun?: boolean;
  json?: boolean;
}
