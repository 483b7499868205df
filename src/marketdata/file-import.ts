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

export async function runImport<Row, Stored>(
  options: RunImportOptions<Row, Stored>,
): Promise<RunImportResult> {
  const { store, fileName, strict, hooks } = options;
  const started = performance.now();
  const counts: ImportCounts = {
    read: 0,
    inserted: 0,
    updated: 0,
    skipped: 0,
    rejected: 0,
    unsorted: 0,
    batches: 0,
    seconds: 0,
    rowsPerSecond: 0,
  };
  let format: string | null = null;
  let prepared = false;
  let firstReject: Reject | null = null;
  const finish = (): RunImportResult => {
    counts.seconds = Number(((performance.now() - started) / 1000).toFixed(3));
    counts.rowsPerSecond = counts.seconds > 0 ? Math.round(counts.read / counts.seconds) : counts.read;
    return { ...counts, format };
  };

  const take = async (
    batch: ReaderBatch<Row>,
    write: (rows: Stored[]) => Promise<WriteCountsLike>,
    session: WriteSession | null,
  ): Promise<void> => {
    format = batch.format;
    counts.read += batch.rows.length + batch.rejects.length;
    counts.rejected += batch.rejects.length;
    counts.unsorted = batch.unsortedRows;
    if (batch.rejects.length > 0) {
      firstReject ??= batch.rejects[0]!;
      await hooks.onRejects?.(batch.rejects);
      if (strict) throw new StrictReject(batch.rejects[0]!);
    }
    if (batch.rows.length > 0) {
      if (!prepared) {
        prepared = true;
        await options.prepare(session);
      }
      const c = await write(options.convert(batch.rows));
      counts.inserted += c.inserted;
      counts.updated += c.updated ?? 0;
      counts.skipped += c.skipped;
      if (!strict) counts.batches++;
    }
    hooks.onProgress?.({
      bytesRead: batch.bytesRead,
      read: counts.read,
      written: counts.inserted + counts.updated + counts.skipped,
    });
  };

  try {
    if (!strict) {
      await eachBatch(options.batches, (batch) => take(batch, options.writeBatch, null));
      return finish();
    }
    // Strict: read the first batch before opening the transaction, so an unreadable file never takes
    // the write lock. The asset is created inside the transaction: a bad row anywhere later rolls it
    // back with the rows, so "nothing was written" stays true.
    const it = options.batches[Symbol.asyncIterator]();
    try {
      const first = await it.next();
      // A bad row in the first batch stops the import here (take throws) before anything is opened.
      if (!first.done && first.value.rejects.length > 0) await take(first.value, noWrite, null);
      const rest: AsyncIterable<ReaderBatch<Row>> = { [Symbol.asyncIterator]: () => it };
      await inWriteSession(store, async (session) => {
        const write = (rows: Stored[]) => options.writeInSession(session, rows);
        if (!first.done) await take(first.value, write, session);
        await eachBatch(rest, (batch) => take(batch, write, session));
      });
    } finally {
      await it.return?.(undefined);
    }
    counts.batches = 1;
    return finish();
  } catch (error) {
    const done = finish();
    const committed = strict ? 0 : done.inserted + done.updated;
    if (error instanceof StrictReject) {
      throw new ImportError(
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
    throw new ImportError(`${named}; ${kept}`, done, committed, firstReject, error);
  }
}
