/**
 * Candle commands beyond import: `tradestore export candles …` (CSV or JSON to stdout or a file; the
 * trading records' exports are registered beside it from export-records.ts) and
 * `tradestore candles build --from-ticks …` (aggregate stored trades into candles).
 */
import { type Command, Option } from 'commander';
import type { Store } from '../db/store.ts';
import { TIMEFRAMES } from '../entities/value-lists.ts';
import { instantText } from '../config/env.ts';
import { withOutput } from '../exports/output.ts';
import { NotFoundError } from '../input/errors.ts';
import type { ExportFormat } from '../marketdata/export.ts';
import { parseTimeframe } from '../marketdata/timeframes.ts';
import { UsageError, withStore } from './context.ts';
import { registerRecordExports } from './export-records-command.ts';
import { assetUsageError, checkTimeframe } from './import-candles-command.ts';
import { info, printJson } from './output.ts';

/**
 * `--from` / `--to`: epoch milliseconds, or an ISO-8601 date or date-time. A date-time without a zone
 * is read as UTC (JavaScript would read it as local time), like every time in tradestore.
 */
export function parseTimeOption(text: string, name: string): number {
  const ms = instantText(text);
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `${name} "${text}" is invalid: accepted: epoch ms or an ISO date, e.g. 2024-01-31 or 2024-01-31T12:00Z`,
    );
  }
  return ms;
}

interface RangeOptions {
  asset: string;
  venue?: string;
  timeframe: string;
  from?: string;
  to?: string;
}

export function rangeOf(opts: Pick<RangeOptions, 'from' | 'to'>): { from?: number; to?: number } {
  const from = opts.from !== undefined ? parseTimeOption(opts.from, '--from') : undefined;
  const to = opts.to !== undefined ? parseTimeOption(opts.to, '--to') : undefined;
  if (from !== undefined && to !== undefined && to <= from) {
    throw new UsageError(`--to (${opts.to}) must be after --from (${opts.from})`);
  }
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/** The stored asset's id; unlike import, these commands never create one. */
async function assetIdOf(store: Store, symbol: string, venue: string | undefined): Promise<number> {
  const { findAsset } = await import('../marketdata/assets.ts');
  let asset: Awaited<ReturnType<typeof findAsset>>;
  try {
    asset = await findAsset(store, { symbol, ...(venue !== undefined ? { venue } : {}) });
  } catch (error) {
    throw assetUsageError(error);
  }
  if (!asset) {
    const where = venue !== undefined ? ` on venue ${venue.trim()}` : '';
    throw new NotFoundError(`no asset ${symbol.trim()}${where} in this database`);
  }
  return Number(asset.id);
}

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

interface ExportOptions extends RangeOptions {
  resample?: string;
  format: ExportFormat;
  out?: string;
}

interface BuildOptions extends RangeOptions {
  fromTicks?: boolean;
  onConflict: 'ignore' | 'update';
  json?: boolean;
}

export function registerMarketData(program: Command): void {
  const exporter = program.command('export').description('write stored market data to files');
  exportCandlesCommand(exporter);
  registerRecordExports(exporter);
  const candles = program.command('candles').description('candle maintenance');
  candlesBuildCommand(candles);
}

/** `tradestore export candles`. */
function exportCandlesCommand(exporter: Command): void {
  exporter
    .command('candles')
    .description('export the candles of one asset and timeframe as CSV or JSON')
    .requiredOption('--asset <symbol>', 'asset symbol')
    .option('--venue <venue>', 'venue, when the symbol exists on several')
    .requiredOption('--timeframe <tf>', `stored timeframe: ${TIMEFRAMES.join(', ')}`)
    .option(
      '--from <time>',
      'first candle (inclusive): epoch ms or ISO date/time, UTC unless a zone is given',
    )
    .option('--to <time>', 'end (exclusive): epoch ms or ISO date/time')
    .option('--resample <tf>', 'fold into a longer timeframe on the way out, e.g. 1h or 1d')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option('--out <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      `
CSV: header ts,open,high,low,close,volume. JSON: an array of {"ts": <epoch ms>, "open", "high", "low",
"close", "volume"}. Both import back with \`tradestore import candles\`. Streamed page by page.`,
    )
    .action(async (opts: ExportOptions, cmd: Command) => {
      const timeframe = checkTimeframe(opts.timeframe);
      const range = rangeOf(opts);
      if (opts.resample !== undefined) {
        try {
          parseTimeframe(opts.resample);
        } catch (error) {
          throw new UsageError(`--resample: ${(error as Error).message}`);
        }
      }
      await withStore(cmd, async (store) => {
        const assetId = await assetIdOf(store, opts.asset, opts.venue);
        const options = {
          timeframe,
          ...range,
          ...(opts.resample ? { resample: opts.resample } : {}),
          format: opts.format,
        };
        const { exportCandles } = await import('../marketdata/export.ts');
        const summary = await withOutput(opts.out, (out) => exportCandles(store, assetId, options, out));
        if (opts.out !== undefined) {
          info(
            `exported ${summary.candles} candle(s) ${iso(summary.first)} .. ${iso(summary.last)} to ${opts.out}`,
          );
        }
      });
    });
}

/** `tradestore candles build`. */
function candlesBuildCommand(candles: Command): void {
  candles
    .command('build')
    .description('build candles from stored data: --from-ticks aggregates public trades')
    .option('--from-ticks', 'aggregate the asset’s stored ticks (the only source for now)')
    .requiredOption('--asset <symbol>', 'asset symbol')
    .option('--venue <venue>', 'venue, when the symbol exists on several')
    .requiredOption('--timeframe <tf>', `timeframe to build: ${TIMEFRAMES.join(', ')}`)
    .option('--from <time>', 'first tick time (rounded down to its candle): epoch ms or ISO date/time')
    .option('--to <time>', 'end (rounded up to a candle boundary): epoch ms or ISO date/time')
    .addOption(
      new Option('--on-conflict <mode>', 'a candle already stored: keep it, or update it (recompute)')
        .choices(['ignore', 'update'])
        .default('ignore'),
    )
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
open = first trade by (ts, id), close = last, high/low = max/min price, volume = sum of amounts.
Buckets are UTC, epoch-aligned up to days; weeks start on Monday; months are calendar months.`,
    )
    .action(async (opts: BuildOptions, cmd: Command) => {
      if (!opts.fromTicks) throw new UsageError('candles build needs a source: --from-ticks');
      const timeframe = checkTimeframe(opts.timeframe);
      const range = rangeOf(opts);
      await withStore(cmd, async (store) => {
        const assetId = await assetIdOf(store, opts.asset, opts.venue);
        const { buildCandlesFromTicks } = await import('../marketdata/from-ticks.ts');
        const summary = await buildCandlesFromTicks(store, assetId, {
          timeframe,
          ...range,
          onConflict: opts.onConflict,
        });
        if (opts.json) {
          printJson({ asset: opts.asset, ...summary });
          return;
        }
        const updated = summary.updated > 0 ? `, updated ${summary.updated}` : '';
        process.stdout.write(
          `${opts.asset} ${timeframe} from ${summary.ticks} tick(s): ${summary.candles} candle(s) ` +
            `${iso(summary.first)} .. ${iso(summary.last)}, inserted ${summary.inserted}${updated}, ` +
            `skipped ${summary.skipped} in ${summary.seconds} s\n`,
        );
      });
    });
}
