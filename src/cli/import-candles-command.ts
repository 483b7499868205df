/**
 * `tradestore import candles <file | ->`: a thin shell over importCandleFile. Prints the first 20
 * rejects, keeps all of them in `--rejects`, and a summary line (or `--json`). Exit 0 when any row
 * landed, 1 when nothing landed and rows were rejected, on a whole-file error or a strict reject,
 * 2 on usage errors. The reporting helpers here are shared with `import ticks`.
 */
import { existsSync, statSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { Config } from '../config/env.ts';
import { TIMEFRAMES } from '../entities/value-lists.ts';
import { InvalidInputError } from '../input/errors.ts';
import type { ParsedAssetRef } from '../marketdata/assets.ts';
import type { ImportCounts, ImportProgress, ImportTimeOptions } from '../marketdata/file-import.ts';
import { CANDLE_FORMATS, CSV_FIELDS, IMPORT_BATCH_SIZE } from '../marketdata/formats/format-lists.ts';
import {
  DEFAULT_MAX_TIME,
  DEFAULT_MIN_TIME,
  showInstant,
  TIME_UNITS,
} from '../marketdata/formats/time-rules.ts';
import type { CsvField, MarketDataInput, Reject, TimeUnit } from '../marketdata/formats/types.ts';
import type { RejectsFile } from '../marketdata/rejects-file.ts';
import { configFor, UsageError, withStore } from './context.ts';
import { parseTimeOption } from './marketdata-commands.ts';
import { info, printJson, progress } from './output.ts';

/** Rejects printed to stderr; the rest go to --rejects only. */
const SHOWN_REJECTS = 20;

export interface ImportCommandOptions {
  asset: string;
  venue?: string;
  format: string;
  strict?: boolean;
  rejects?: string;
  batchSize: number;
  json?: boolean;
  timeUnit?: TimeUnit;
  minTime?: string;
  maxTime?: string;
}

/** The options every file import has for its times: the unit, and the window of accepted instants. */
export function addTimeOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--time-unit <unit>',
        "unit of epoch times in the file (default: the format's, else decided by the first time)",
      ).choices(TIME_UNITS),
    )
    .option(
      '--min-time <time>',
      'reject rows before this instant: epoch ms or ISO date (default IMPORT_MIN_TIME, else 1970-01-01)',
    )
    .option(
      '--max-time <time>',
      'reject rows at or after this instant (default IMPORT_MAX_TIME, else 2200-01-01)',
    );
}

/**
 * An asset name refused by its schema, as a usage error naming the flag (`--asset`, `--venue`), or
 * DEFAULT_VENUE when the venue came from the configuration. Any other error is returned as it is.
 */
export function assetUsageError(error: unknown, venueFromConfig = false): unknown {
  if (!(error instanceof InvalidInputError)) return error;
  const flag = (path: string) =>
    path === 'symbol' ? '--asset' : path === 'venue' && venueFromConfig ? 'DEFAULT_VENUE' : `--${path}`;
  return new UsageError(error.issues.map((i) => `${flag(i.path)}: ${i.message}`).join('; '));
}

/**
 * What an import writes to, checked before the database is opened: the asset (the same trimmed,
 * length-limited symbol and venue every command uses) and the time window. Errors are usage errors
 * naming the flag (or DEFAULT_VENUE, when the venue came from the configuration).
 */
export async function importTarget(
  opts: ImportCommandOptions,
  config: Config,
): Promise<{ asset: ParsedAssetRef; time: ImportTimeOptions }> {
  let asset: ParsedAssetRef;
  // The asset rules read the column lengths from the entities: loaded here, not for `--help`.
  const { parseAssetRef } = await import('../marketdata/assets.ts');
  try {
    asset = parseAssetRef({ symbol: opts.asset, venue: opts.venue ?? config.DEFAULT_VENUE });
  } catch (error) {
    throw assetUsageError(error, opts.venue === undefined);
  }
  const minTime =
    opts.minTime !== undefined
      ? parseTimeOption(opts.minTime, '--min-time')
      : (config.IMPORT_MIN_TIME ?? DEFAULT_MIN_TIME);
  const maxTime =
    opts.maxTime !== undefined
      ? parseTimeOption(opts.maxTime, '--max-time')
      : (config.IMPORT_MAX_TIME ?? DEFAULT_MAX_TIME);
  if (maxTime <= minTime) {
    throw new UsageError(
      `the accepted time range is empty: max ${showInstant(maxTime)} is not after min ${showInstant(minTime)} (--min-time/--max-time, IMPORT_MIN_TIME/IMPORT_MAX_TIME)`,
    );
  }
  return { asset, time: { ...(opts.timeUnit ? { timeUnit: opts.timeUnit } : {}), minTime, maxTime } };
}

/** The input (path or stdin), its display name and its size (for the progress bar), checked up front. */
export function importInput(
  file: string,
  command: string,
): { input: MarketDataInput; name: string; size: number } {
  if (file === '-') return { input: process.stdin, name: 'stdin', size: 0 };
  if (!existsSync(file)) throw new UsageError(`${command}: no such file: ${file}`);
  const stat = statSync(file);
  if (!stat.isFile()) throw new UsageError(`${command}: not a file: ${file}`);
  return { input: file, name: file, size: stat.size };
}

export function parseBatchSize(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) {
    throw new UsageError(`--batch-size "${text}" is invalid: accepted: a whole number from 1 to 1000000`);
  }
  return n;
}

/**
 * What the CLI does around an import: a progress bar (terminal only, by bytes of the file), the first
 * rejects kept for printing after the bar is gone, and every reject streamed to the --rejects file.
 */
export class ImportReporting {
  private readonly bar: ReturnType<typeof progress> | null;
  private readonly shown: Reject[] = [];
  private file: RejectsFile | null = null;

  private constructor(size: number) {
    this.bar = size > 0 ? progress('import', size) : null;
  }

  static async open(size: number, rejectsPath: string | undefined): Promise<ImportReporting> {
    const reporting = new ImportReporting(size);
    if (rejectsPath !== undefined) {
      try {
        const { openRejectsFile } = await import('../marketdata/rejects-file.ts');
        reporting.file = await openRejectsFile(rejectsPath);
      } catch (error) {
        reporting.bar?.stop();
        throw new UsageError(`--rejects: cannot write ${rejectsPath}: ${(error as Error).message}`);
      }
    }
    return reporting;
  }

  readonly onRejects = async (rejects: Reject[]): Promise<void> => {
    for (const r of rejects) if (this.shown.length < SHOWN_REJECTS) this.shown.push(r);
    await this.file?.write(rejects);
  };

  readonly onProgress = (p: ImportProgress): void => {
    this.bar?.update(p.bytesRead);
  };

  /** Stops the bar, closes the rejects file and prints the first rejects. */
  async finish(rejected: number): Promise<void> {
    this.bar?.stop();
    await this.file?.close();
    for (const r of this.shown) info(`  ${r.position}: ${r.reason}`);
    if (rejected > this.shown.length) {
      info(
        `  … ${rejected - this.shown.length} more reject(s)${this.file ? ` in ${this.file.path}` : '; write them all with --rejects <file>'}`,
      );
    } else if (rejected > 0 && this.file) {
      info(`  all rejects are in ${this.file.path}`);
    }
  }
}

export function countsLine(c: ImportCounts): string {
  const updated = c.updated > 0 ? `, updated ${c.updated}` : '';
  return (
    `read ${c.read}, inserted ${c.inserted}${updated}, skipped ${c.skipped}, rejected ${c.rejected}, ` +
    `unsorted ${c.unsorted} in ${c.seconds} s (${c.rowsPerSecond.toLocaleString('en-US')} rows/s)`
  );
}

/**
 * Common ending: on success print the summary and set exit 1 when no row landed (every row rejected,
 * or a file without data rows), saying why; on an ImportError print what happened and fail with its
 * one-line message.
 */
export async function finishImport<S extends ImportCounts>(
  run: () => Promise<S>,
  reporting: ImportReporting,
  json: boolean,
  describe: (summary: S) => string,
): Promise<void> {
  let summary: S;
  try {
    summary = await run();
  } catch (error) {
    // Loaded by the import that threw (file-import.ts), so this costs nothing.
    const { ImportError } = await import('../marketdata/file-import.ts');
    const counts = error instanceof ImportError ? error.counts : null;
    await reporting.finish(counts?.rejected ?? 0);
    if (json && error instanceof ImportError) {
      printJson({ ok: false, error: error.message, committed: error.committed, ...error.counts });
    }
    // Main prints it as one line and exits 1; the stack trace adds nothing for a bad file.
    throw new Error((error as Error).message, { cause: error });
  }
  await reporting.finish(summary.rejected);
  const landed = summary.inserted + summary.updated + summary.skipped;
  if (json) printJson({ ok: landed > 0, ...summary });
  else process.stdout.write(`${describe(summary)}\n`);
  if (landed === 0) {
    info(
      summary.rejected > 0
        ? `tradestore: no row imported: all ${summary.rejected} row(s) were rejected`
        : 'tradestore: no row imported: the file holds no data rows (only a header, or an empty array)',
    );
    process.exitCode = 1;
  }
}

function parseMap(text: string): Partial<Record<CsvField, string>> {
  const map: Partial<Record<CsvField, string>> = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    const key = pair.slice(0, at).trim();
    const column = pair.slice(at + 1).trim();
    if (at < 1 || column === '' || !(CSV_FIELDS as readonly string[]).includes(key)) {
      throw new UsageError(
        `--map "${pair}" is invalid: expected field=column with field one of ${CSV_FIELDS.join(', ')} (e.g. ts=Date,open=Open)`,
      );
    }
    map[key as CsvField] = column;
  }
  return map;
}

function checkZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    throw new UsageError(`--tz "${zone}" is not an IANA time zone (e.g. UTC, America/New_York)`);
  }
}

export function checkTimeframe(text: string): (typeof TIMEFRAMES)[number] {
  if (!(TIMEFRAMES as readonly string[]).includes(text)) {
    throw new UsageError(`--timeframe "${text}" is invalid: accepted: ${TIMEFRAMES.join(', ')}`);
  }
  return text as (typeof TIMEFRAMES)[number];
}

interface ImportCandlesOptions extends ImportCommandOptions {
  timeframe: string;
  align: 'reject' | 'floor';
  onConflict: 'ignore' | 'update';
  adjusted?: boolean;
  map?: string;
  tz?: string;
}

const IMPORT_CANDLES_HELP = `
Rows are written ${IMPORT_BATCH_SIZE.toLocaleString('en-US')} per transaction (--batch-size): a killed import keeps
every committed batch, and re-running it completes the data (already stored rows are skipped).
Bad rows (empty or NaN fields, high < low, open/close outside [low, high], negative volume,
unparseable time, a time repeated in the file, a time outside --min-time/--max-time, an epoch time
of another unit than the file's, a ts off its timeframe's boundary) are rejected with file:line and
reason; the first ${SHOWN_REJECTS} are printed, all go to --rejects. Epoch times have one unit per file:
--time-unit, else the format's (freqtrade/ccxt JSON: ms), else the size of the first time.
Exit 0 when any row landed, 1 when none did (all rejected, or no data rows) or the file could not
be read, 2 on usage errors.`;

export function registerImportCandles(group: Command): void {
  const command = group
    .command('candles')
    .description('import OHLCV candles for one asset and timeframe from a file or stdin')
    .argument('<file>', 'candle file (gzip is detected from the content), or - for stdin')
    .requiredOption('--asset <symbol>', 'asset symbol, e.g. BTC/USDT or NVDA (created on first use)')
    .option('--venue <venue>', 'venue of the asset (default: DEFAULT_VENUE from the config)')
    .requiredOption('--timeframe <tf>', `candle timeframe: ${TIMEFRAMES.join(', ')}`)
    .addOption(
      new Option('--format <format>', 'file format; auto detects it from the content')
        .choices(['auto', ...CANDLE_FORMATS])
        .default('auto'),
    )
    .addOption(
      new Option('--on-conflict <mode>', 'a candle already stored: keep it, or update it where values differ')
        .choices(['ignore', 'update'])
        .default('ignore'),
    )
    .option('--strict', 'one bad row fails the whole import and nothing is written (one transaction)')
    .option(
      '--rejects <file>',
      'write every rejected row here: CSV, or JSON lines when the name ends in .jsonl',
    )
    .option('--adjusted', 'yahoo: scale open/high/low/close by Adj Close / Close')
    .option('--map <pairs>', 'generic CSV: our field=column, e.g. ts=Date,open=Open or date=Day,time=Time')
    .option('--tz <zone>', 'IANA zone of naive dates and times in CSV files (default UTC)')
    .addOption(
      new Option(
        '--align <mode>',
        "a ts off its timeframe's boundary (12:00:30 in 1m): reject the row, or floor it to its candle's start",
      )
        .choices(['reject', 'floor'])
        .default('reject'),
    );
  addTimeOptions(command)
    .option('--batch-size <rows>', 'rows per transaction', parseBatchSize, IMPORT_BATCH_SIZE)
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', IMPORT_CANDLES_HELP)
    .action(importCandles);
}

/** `tradestore import candles <file>`: the file checked and written in batches, the summary printed. */
async function importCandles(file: string, opts: ImportCandlesOptions, cmd: Command): Promise<void> {
  const timeframe = checkTimeframe(opts.timeframe);
  const map = opts.map !== undefined ? parseMap(opts.map) : undefined;
  const tz = opts.tz !== undefined ? checkZone(opts.tz) : undefined;
  const { asset, time } = await importTarget(opts, configFor(cmd));
  const { input, name, size } = importInput(file, 'import candles');
  await withStore(cmd, async (store) => {
    const reporting = await ImportReporting.open(size, opts.rejects);
    const { importCandleFile } = await import('../marketdata/import-candles.ts');
    await finishImport(
      () =>
        importCandleFile(store, input, {
          ...asset,
          ...time,
          timeframe,
          align: opts.align,
          fileName: name,
          format: opts.format as (typeof CANDLE_FORMATS)[number] | 'auto',
          onConflict: opts.onConflict,
          strict: opts.strict === true,
          adjusted: opts.adjusted === true,
          ...(map ? { map } : {}),
          ...(tz ? { tz } : {}),
          batchSize: opts.batchSize,
          onRejects: reporting.onRejects,
          onProgress: reporting.onProgress,
        }),
      reporting,
      opts.json === true,
      (s) =>
        `${s.asset.symbol} (${s.asset.venue}) ${s.timeframe} from ${s.file} (${s.format ?? 'no rows'}): ${countsLine(s)}`,
    );
  });
}
