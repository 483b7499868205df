/**
 * The loop shared by the candle and tick file importers: drain the reader's batches, write each one,
 * count, report rejects and progress. Two modes:
 * - per batch (default): one transaction per batch, so a crash or kill loses at most the batch in
 *   flight and a re-run (idempotent writes) completes the data; bad rows are reported and skipped.
 * - strict: every batch in one transaction; the first bad row or whole-file error rolls it all back.
 */
import type { Store } from '../db/store.ts';
import { type RefusalCode, RefusedError } from '../input/errors.ts';
import { type AssetRef, ensureAsset, ensureAssetInSession, parseAssetRef } from './assets.ts';
import type { Reject, TimeUnit } from './formats/types.ts';
import { inWriteSession, type WriteSession } from './write-session.ts';

/** The time options both file imports take (see TimeReadOptions in formats/types.ts). */
export interface ImportTimeOptions {
  /** Unit of epoch numbers in the file; default: the format's own, else the first time's size. */
  timeUnit?: TimeUnit;
  /** Accepted instants [minTime, maxTime), epoch ms; default 1970-01-01 .. 2200-01-01. */
  minTime?: number;
  maxTime?: number;
}

/** Only the time options that were given (the readers apply their defaults to the rest). */
export function timeReadOptions(o: ImportTimeOptions): ImportTimeOptions {
  return {
    ...(o.timeUnit !== undefined ? { timeUnit: o.timeUnit } : {}),
    ...(o.minTime !== undefined ? { minTime: o.minTime } : {}),
    ...(o.maxTime !== undefined ? { maxTime: o.maxTime } : {}),
  };
}

/**
 * The asset a file import writes to: validated before the file is opened (a bad symbol or venue is
 * refused by name, reading nothing), created only when the first row is written, inside the strict
 * transaction when there is one.
 */
export function importAsset(store: Store, input: AssetRef) {
  const ref = parseAssetRef({
    symbol: input.symbol,
    venue: input.venue,
    ...(input.kind !== undefined ? { kind: input.kind } : {}),
  });
  let id: number | null = null;
  return {
    ref,
    id: () => id,
    /**
     * Touches the assets table before the file is read: a database that is not migrated fails here,
     * with what to do, instead of after a file whose rows were all rejected (nothing to write).
     */
    probe: async (): Promise<void> => {
      await store.kysely.selectFrom('assets').select('id').limit(1).execute();
    },
    prepare: async (session: WriteSession | null): Promise<void> => {
      id = session === null ? await ensureAsset(store, ref) : await ensureAssetInSession(store, session, ref);
    },
  };
}

/** What every file import reports. */
export interface ImportCounts {
  /** Data rows read from the file: accepted plus rejected. */
  read: number;
  inserted: number;
  /** Existing rows whose values changed (`onConflict: 'update'`); always 0 for ticks. */
  updated: number;
  /** Accepted rows that were already stored unchanged (a re-import skips everything). */
  skipped: number;
  rejected: number;
  /** Accepted rows whose time was lower than the row before: a quality note, they are stored. */
  unsorted: number;
  /** Transactions committed (1 for a strict import). */
  batches: number;
  seconds: number;
  rowsPerSecond: number;
}

export interface ImportProgress {
  /** Raw (compressed, for gzip) bytes consumed: compare with the file size for a progress bar. */
  bytesRead: number;
  read: number;
  written: number;
}

/** The subset of a reader batch this loop needs (CandleBatch and TickBatch both fit). */
export interface ReaderBatch<Row> {
  format: string;
  rows: Row[];
  rejects: Reject[];
  bytesRead: number;
  unsortedRows: number;
}

export interface WriteCountsLike {
  inserted: number;
  updated?: number;
  skipped: number;
}

/** Callbacks the CLI (or any caller) uses to show and keep rejects and progress. */
export interface ImportHooks {
  /** Every reject, in file order, as batches arrive (write them to a file, print the first few). */
  onRejects?: (rejects: Reject[]) => void | Promise<void>;
  onProgress?: (progress: ImportProgress) => void;
}

/**
 * A failed import. `committed` rows (in `counts.batches` transactions) stayed in the database:
 * 0 for strict imports, whatever batches committed before the failure otherwise.
 */
export class ImportError extends RefusedError {
  override name = 'ImportError';
  /** The cause's code when it is a refusal; otherwise the file itself was unreadable or malformed. */
  readonly code: RefusalCode;
  readonly counts: ImportCounts;
  readonly committed: number;
  readonly firstReject: Reject | null;

  constructor(
    message: string,
    counts: ImportCounts,
    committed: number,
    firstReject: Reject | null,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.code = cause instanceof RefusedError ? cause.code : 'invalid_input';
    this.counts = counts;
    this.committed = committed;
    this.firstReject = firstReject;
  }
}

/** Thrown inside a strict session to roll it back on the first bad row. */
class StrictReject extends Error {
  readonly reject: Reject;
  constructor(reject: Reject) {
    super(`${reject.position}: ${reject.reason}`);
    this.reject = reject;
  }
}

export interface RunImportOptions<Row, Stored> {
  store: Store;
  fileName: string;
  strict: boolean;
  batches: AsyncIterable<ReaderBatch<Row>>;
  /**
   * Called once, before the first row is written: creates what the rows need (the asset). A file that
   * is unreadable, empty or wholly rejected never gets here, so it creates nothing. Under `strict` it
   * runs inside the import's transaction and rolls back with it.
   */
  prepare: (session: WriteSession | null) => Promise<void>;
  /** Reader rows → rows to store (e.g. derived trade ids); runs in file order. */
  convert: (rows: Row[]) => Stored[];
  /** One batch in its own transaction (default mode). */
  writeBatch: (rows: Stored[]) => Promise<WriteCountsLike>;
  /** One batch inside the strict session's transaction. */
  writeInSession: (session: WriteSession, rows: Stored[]) => Promise<WriteCountsLike>;
  hooks: ImportHooks;
}

export interface RunImportResult extends ImportCounts {
  format: string | null;
}

/**
 * Pulls batches one ahead of the write: while the database commits batch n (PostgreSQL COPY, or the
 * I/O of SQLite's WAL), the reader is already reading and parsing batch n + 1.
 */
async function eachBatch<B>(source: AsyncIterable<B>, handle: (batch: B) => Promise<void>): Promise<void> {
  const it = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<B>> | null = it.next();
  let finished = false;
  try {
    while (true) {
      const r: IteratorResult<B> = await pending!;
      pending = null;
      if (r.done) {
        finished = true;
        return;
      }
      pending = it.next();
      // Handled when awaited on the next turn; this keeps a read error during a slow write from being
      // reported as an unhandled rejection before we get there.
      pending.catch(() => {});
      await handle(r.value);
    }
  } finally {
    if (!finished) {
      if (pending !== null) await pending.catch(() => {});
      // Closes the file (the reader's finally) when we stop early: strict reject, write error.
      await it.return?.(undefined);
    }
  }
}

const noWrite = async (): Promise<WriteCountsLike> => ({ inserted: 0, skipped: 0 });

/** What one import has seen so far: its counts, the file's format and the first bad row. */
interface ImportState<Row, Stored> {
  options: RunImportOptions<Row, Stored>;
  started: number;
  counts: ImportCounts;
  format: string | null;
  /** Whether `prepare` (creating the asset) ran: once, before the first row is written. */
  prepared: boolean;
  firstReject: Reject | null;
}

function startImport<Row, Stored>(options: RunImportOptions<Row, Stored>): ImportState<Row, Stored> {
  return {
    options,
    started: performance.now(),
    counts: {
      read: 0,
      inserted: 0,
      updated: 0,
      skipped: 0,
      rejected: 0,
      unsorted: 0,
      batches: 0,
      seconds: 0,
      rowsPerSecond: 0,
    },
    format: null,
    prepared: false,
    firstReject: null,
  };
}

/** The counts so far with the elapsed time and rate filled in. */
function importResult<Row, Stored>(state: ImportState<Row, Stored>): RunImportResult {
  const { counts } = state;
  counts.seconds = Number(((performance.now() - state.started) / 1000).toFixed(3));
  counts.rowsPerSecond = counts.seconds > 0 ? Math.round(counts.read / counts.seconds) : counts.read;
  return { ...counts, format: state.format };
}

/** Counts the batch's rows and reports its rejects; under strict the first bad row stops the import. */
async function noteBatchRead<Row, Stored>(
  state: ImportState<Row, Stored>,
  batch: ReaderBatch<Row>,
): Promise<void> {
  const { counts, options } = state;
  state.format = batch.format;
  counts.read += batch.rows.length + batch.rejects.length;
  counts.rejected += batch.rejects.length;
  counts.unsorted = batch.unsortedRows;
  if (batch.rejects.length > 0) {
    state.firstReject ??= batch.rejects[0]!;
    await options.hooks.onRejects?.(batch.rejects);
    if (options.strict) throw new StrictReject(batch.rejects[0]!);
  }
}

/** Writes the batch's accepted rows, creating the asset first when they are the import's first. */
async function writeAcceptedRows<Row, Stored>(
  state: ImportState<Row, Stored>,
  rows: Row[],
  write: (rows: Stored[]) => Promise<WriteCountsLike>,
  session: WriteSession | null,
): Promise<void> {
  const { counts, options } = state;
  if (!state.prepared) {
    state.prepared = true;
    await options.prepare(session);
  }
  const c = await write(options.convert(rows));
  counts.inserted += c.inserted;
  counts.updated += c.updated ?? 0;
  counts.skipped += c.skipped;
  if (!options.strict) counts.batches++;
}

/** One reader batch: count and report it, write its accepted rows, report progress. */
async function takeBatch<Row, Stored>(
  state: ImportState<Row, Stored>,
  batch: ReaderBatch<Row>,
  write: (rows: Stored[]) => Promise<WriteCountsLike>,
  session: WriteSession | null,
): Promise<void> {
  await noteBatchRead(state, batch);
  if (batch.rows.length > 0) await writeAcceptedRows(state, batch.rows, write, session);
  const { counts } = state;
  state.options.hooks.onProgress?.({
    bytesRead: batch.bytesRead,
    read: counts.read,
    written: counts.inserted + counts.updated + counts.skipped,
  });
}

/** Default mode: each batch commits in its own transaction. */
async function importBatchByBatch<Row, Stored>(state: ImportState<Row, Stored>): Promise<void> {
  const { options } = state;
  await eachBatch(options.batches, (batch) => takeBatch(state, batch, options.writeBatch, null));
}

/**
 * Strict: read the first batch before opening the transaction, so an unreadable file never takes
 * the write lock. The asset is created inside the transaction: a bad row anywhere later rolls it
 * back with the rows, so "nothing was written" stays true.
 */
async function importInOneTransaction<Row, Stored>(state: ImportState<Row, Stored>): Promise<void> {
  const { options } = state;
  const it = options.batches[Symbol.asyncIterator]();
  try {
    const first = await it.next();
    // A bad row in the first batch stops the import here (takeBatch throws) before anything is opened.
    if (!first.done && first.value.rejects.length > 0) await takeBatch(state, first.value, noWrite, null);
    const rest: AsyncIterable<ReaderBatch<Row>> = { [Symbol.asyncIterator]: () => it };
    await inWriteSession(options.store, async (session) => {
      const write = (rows: Stored[]) => options.writeInSession(session, rows);
      if (!first.done) await takeBatch(state, first.value, write, session);
      await eachBatch(rest, (batch) => takeBatch(state, batch, write, session));
    });
  } finally {
    await it.return?.(undefined);
  }
  state.counts.batches = 1;
}

/** The error a failed import throws: the cause, named by file, and what stayed in the database. */
function importFailure<Row, Stored>(state: ImportState<Row, Stored>, error: unknown): ImportError {
  const { fileName, strict } = state.options;
  const done = importResult(state);
  const committed = strict ? 0 : done.inserted + done.updated;
  if (error instanceof StrictReject) {
    return new ImportError(
      `${error.message} (--strict: the import stopped at the first bad row and nothing was written)`,
      done,
      0,
      error.reject,
      error,
    );
  }
  const text = (error as Error).message;
  const named = text.startsWith(`${fileName}:`) ? text : `${fileName}: ${text}`;
  const kept = strict
    ? 'nothing was written (--strict)'
    : done.batches > 0
      ? `${done.batches} batch(es) committed before the error stay (${committed} row(s) written); re-run the import after fixing the file to complete it`
      : 'nothing was written';
  return new ImportError(`${named}; ${kept}`, done, committed, state.firstReject, error);
}

export async function runImport<Row, Stored>(
  options: RunImportOptions<Row, Stored>,
): Promise<RunImportResult> {
  const state = startImport(options);
  try {
    if (options.strict) await importInOneTransaction(state);
    else await importBatchByBatch(state);
    return importResult(state);
  } catch (error) {
    throw importFailure(state, error);
  }
}
