/** `tradestore export trades|orders|fills|positions|decisions|signals|equity`: a thin layer over exports/records.ts. */
import { type Command, Option } from 'commander';
import { withOutput } from '../exports/output.ts';
import { RECORD_FORMATS, RECORD_KINDS, type RecordFormat, type RecordKind } from '../exports/record-lists.ts';
import { withStore } from './context.ts';
import { rangeOf } from './marketdata-commands.ts';
import { info } from './output.ts';

const WHAT: Record<RecordKind, string> = {
  trades: 'round trips (entry_time)',
  orders: 'orders (created_at)',
  fills: 'fills with their order’s portfolio and side (ts)',
  positions: 'positions (opened_at)',
  decisions: 'the decision history (occurred_at)',
  signals: 'signals (ts)',
  equity: 'the portfolios’ equity curve, portfolio_snapshots (taken_at)',
};

interface Flags {
  portfolio?: string;
  from?: string;
  to?: string;
  includeTest?: boolean;
  format: RecordFormat;
  out?: string;
}

export function registerRecordExports(exporter: Command): void {
  for (const kind of RECORD_KINDS) {
    exporter
      .command(kind)
      .description(`export ${WHAT[kind]} as CSV, JSON or Parquet`)
      .option('--portfolio <name|id>', 'only this portfolio')
      .option(
        '--from <time>',
        'first record time (inclusive): epoch ms or ISO date/time, UTC unless a zone is given',
      )
      .option('--to <time>', 'end (exclusive): epoch ms or ISO date/time')
      .option('--include-test', 'include test_mode rows (production only by default)')
      .addOption(new Option('--format <format>', 'output format').choices([...RECORD_FORMATS]).default('csv'))
      .option('--out <file>', 'write to this file (complete or not at all) instead of stdout')
      .addHelpText(
        'after',
        `
Every column of the table, plus asset_symbol and asset_venue. Decimals are exact: strings in CSV and JSON, the
DECIMAL(precision, scale) logical type in Parquet. Times are ISO-8601 UTC (Parquet: TIMESTAMP millis).`,
      )
      .action(async (opts: Flags, cmd: Command) => {
        const range = rangeOf(opts);
        await withStore(cmd, async (store) => {
          const options = {
            format: opts.format,
            includeTest: Boolean(opts.includeTest),
            ...range,
            ...(opts.portfolio !== undefined ? { portfolio: opts.portfolio } : {}),
          };
          const { exportRecords } = await import('../exports/records.ts');
          const { records } = await withOutput(opts.out, (out) => exportRecords(store, kind, options, out));
          if (opts.out !== undefined) info(`exported ${records} ${kind} record(s) to ${opts.out}`);
        });
      });
  }
}
