/**
 * The `tradestore` command line. Exit codes: 0 ok, 1 failure, 2 usage or configuration error.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/env.ts';
import { UsageError } from './context.ts';
import { registerDb } from './db-commands.ts';
import { registerImport } from './import-commands.ts';
import { registerMarketData } from './marketdata-commands.ts';
import { registerMigrate } from './migrate-commands.ts';
import { printError } from './output.ts';
import { registerServe } from './serve-command.ts';
import { registerTrading } from './trading-commands.ts';
import { registerUsers } from './users-command.ts';

export function buildProgram(): Command {
  const program = new Command('tradestore')
    .description('The persistence platform for AI trading bots')
    .option('--db <url>', 'database URL (overrides DATABASE_URL): sqlite:<path> or postgres://…')
    .showHelpAfterError()
    .exitOverride();
  registerServe(program);
  registerDb(program);
  registerMigrate(program);
  registerImport(program);
  registerMarketData(program);
  registerTrading(program);
  registerUsers(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // `tradestore … | head` closes the pipe early; that is the reader's choice, not a failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help') return 0;
      return 2;
    }
    if (error instanceof ConfigError || error instanceof UsageError) {
      printError(error);
      return 2;
    }
    printError(error as Error, process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace');
    return 1;
  }
}
