/**
 * `tradestore import backtest <file>`: imports a freqtrade backtest result JSON (one run per
 * strategy, every trade a `trades` row) and prints what happened. Exit 0 when imported or already
 * imported, 1 when the file is invalid or the import fails, 2 on usage errors.
 */
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError, withStore } from './context.ts';
import { info, printJson, printTable } from './output.ts';

interface ImportBacktestOptions {
  json?: boolean;
  venue?: string;
  name?: string;
  strategy?: string[];
  testMode?: boolean;
  botVersion?: string;
}

export function registerImportBacktest(group: Command): void {
  group
    .command('backtest')
    .description('import a freqtrade backtest result JSON: a run per strategy, its trades and metrics')
    .argument('<file>', 'freqtrade backtest result (backtest-result-*.json)')
    .option('--venue <venue>', "venue of the pairs' assets (default: the file's exchange, else freqtrade)")
    .option('--name <name>', 'name of the runs (default: "<strategy> <timeframe> <start>..<end>")')
    .option('--strategy <name...>', 'import only these strategies of the file')
    .option('--test-mode', 'store the trades as test data (hidden from production queries)')
    .option('--bot-version <version>', 'bot_version recorded on the run and its trades')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, opts: ImportBacktestOptions, cmd: Command) => {
      if (!existsSync(file)) throw new UsageError(`import backtest: no such file: ${file}`);
      if (!statSync(file).isFile()) throw new UsageError(`import backtest: not a file: ${file}`);
      await withStore(cmd, async (store) => {
        const started = performance.now();
        const { importFreqtradeBacktest } = await import('../backtests/freqtrade.ts');
        const result = await importFreqtradeBacktest(store, file, {
          ...(opts.venue ? { venue: opts.venue } : {}),
          ...(opts.name ? { name: opts.name } : {}),
          ...(opts.strategy ? { strategies: opts.strategy } : {}),
          ...(opts.botVersion ? { botVersion: opts.botVersion } : {}),
          testMode: opts.testMode === true,
        });
        const seconds = Number(((performance.now() - started) / 1000).toFixed(3));
        const imported = result.runs.filter((r) => r.status === 'imported').length;
        if (opts.json) {
          printJson({ ...result, imported, alreadyImported: result.runs.length - imported, seconds });
          return;
        }
        info(
          `${file}: ${imported} run(s) imported, ${result.runs.length - imported} already imported, ` +
            `${result.tradesImported} trade(s) written in ${seconds} s (venue ${result.venue})`,
        );
        printTable(
          result.runs.map((r) => ({
            strategy: r.strategy,
            run: r.runId,
            status: r.status,
            trades: r.trades,
            pnl: r.pnl,
            'freqtrade profit_total_abs': r.fileProfitTotalAbs,
          })),
        );
      });
    });
}
