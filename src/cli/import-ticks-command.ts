/**
 * `tradestore import ticks <file | ->`: public trades (freqtrade `*-trades.json.gz`, Kraken CSV) for
 * one asset, through importTickFile. Same reporting and exit codes as `import candles`.
 */
import { type Command, Option } from 'commander';
import { IMPORT_BATCH_SIZE, TICK_FORMATS } from '../marketdata/formats/format-lists.ts';
import { configFor, withStore } from './context.ts';
import {
  addTimeOptions,
  countsLine,
  finishImport,
  type ImportCommandOptions,
  ImportReporting,
  importInput,
  importTarget,
  parseBatchSize,
} from './import-candles-command.ts';

export function registerImportTicks(group: Command): void {
  const command = group
    .command('ticks')
    .description('import public trades (ticks) for one asset from a file or stdin')
    .argument('<file>', 'trades file (gzip is detected from the content), or - for stdin')
    .requiredOption('--asset <symbol>', 'asset symbol, e.g. XRP/ETH (created on first use)')
    .option('--venue <venue>', 'venue of the asset (default: DEFAULT_VENUE from the config)')
    .addOption(
      new Option('--format <format>', 'file format; auto detects it from the content')
        .choices(['auto', ...TICK_FORMATS])
        .default('auto'),
    )
    .option('--strict', 'one bad row fails the whole import and nothing is written (one transaction)')
    .option(
      '--rejects <file>',
      'write every rejected row here: CSV, or JSON lines when the name ends in .jsonl',
    );
  addTimeOptions(command)
    .option('--batch-size <rows>', 'trades per transaction', parseBatchSize, IMPORT_BATCH_SIZE)
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
freqtrade-trades: JSON [[ts_ms, id, type, side, price, amount, cost], ...] (.json or .json.gz).
kraken: CSV unix_seconds,price,volume without header, id or side.
Times are in the format's unit (--time-unit overrides it); a time of another size, or outside
--min-time/--max-time (IMPORT_MIN_TIME/IMPORT_MAX_TIME, else 1970-01-01 .. 2200-01-01), is rejected.
A trade is stored once per (asset, trade id), so re-importing a file changes nothing. Trades without
an id (Kraken) get one derived from the content: k:<ts_ms>:<price>:<amount>:<n>, n counting identical
trades before it in the same millisecond. Written ${IMPORT_BATCH_SIZE.toLocaleString('en-US')} per transaction (--batch-size).`,
    )
    .action(async (file: string, opts: ImportCommandOptions, cmd: Command) => {
      const { asset, time } = await importTarget(opts, configFor(cmd));
      const { input, name, size } = importInput(file, 'import ticks');
      await withStore(cmd, async (store) => {
        const reporting = await ImportReporting.open(size, opts.rejects);
        const { importTickFile } = await import('../marketdata/import-ticks.ts');
        await finishImport(
          () =>
            importTickFile(store, input, {
              ...asset,
              ...time,
              fileName: name,
              format: opts.format as (typeof TICK_FORMATS)[number] | 'auto',
              strict: opts.strict === true,
              batchSize: opts.batchSize,
              onRejects: reporting.onRejects,
              onProgress: reporting.onProgress,
            }),
          reporting,
          opts.json === true,
          (s) =>
            `${s.asset.symbol} (${s.asset.venue}) ticks from ${s.file} (${s.format ?? 'no rows'}): ${countsLine(s)}`,
        );
      });
    });
}
