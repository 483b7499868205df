/** `tradestore import …`: the command group; each kind of import registers itself from its own file. */
import type { Command } from 'commander';
import { registerImportAdoption } from './import-adoption-commands.ts';
import { registerImportBacktest } from './import-backtest-command.ts';
import { registerImportCandles } from './import-candles-command.ts';
import { registerImportTicks } from './import-ticks-command.ts';

export function registerImport(program: Command): void {
  const group = program
    .command('import')
    .description('load market data, backtest results and legacy bot data from files');
  registerImportCandles(group);
  registerImportTicks(group);
  registerImportBacktest(group);
  registerImportAdoption(group);
}
