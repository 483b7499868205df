import { jsonText } from './json-rows.ts';
import type { FileTimeRules } from './time-rules.ts';
import type { BatchProgress, Reject } from './types.ts';

/** Longest `raw` text kept on a reject: enough to see the row, bounded for a file of garbage. */
const RAW_LIMIT = 300;

export type PositionUnit = 'line' | 'row';

/**
 * Accumulates validated rows and rejects for one file and cuts them into batches. Format readers feed
 * it per chunk and then drain `batches()`, so at most about one chunk of rows is held at a time.
 */
export class RowCollector<Row> {
  readonly fileName: string;
  readonly unit: PositionUnit;
  rows: Row[] = [];
  rejects: Reject[] = [];
  private yielded = false;

  constructor(fileName: string, unit: PositionUnit) {
    this.fileName = fileName;
    this.unit = unit;
  }

  /** `source` is the parsed element (JSON) or field list (CSV); it is only rendered when rejected. */
  reject(line: number, reason: string, source: unknown): void {
    const reject: Reject = {
      file: this.fileName,
      line,
      position: `${this.fileName}:${this.unit} ${line}`,
      reason,
    };
    const raw = renderRaw(source, this.unit);
    if (raw !== undefined) reject.raw = raw.length > RAW_LIMIT ? `${raw.slice(0, RAW_LIMIT)}…` : raw;
    this.rejects.push(reject);
  }

  /**
   * Yields full batches; with `final`, also the remainder — and always at least one batch per file, so
   * a consumer sees the counters even for an empty or all-rejected file. Rejects ride along with the
   * next batch, and force one out when they alone reach the batch size (bounded memory on bad files).
   */
  *batches(
    batchSize: number,
    final: boolean,
    progress: () => BatchProgress,
  ): Generator<BatchProgress & { rows: Row[]; rejects: Reject[] }> {
    const rows = this.rows;
    let start = 0;
    while (rows.length - start >= batchSize || this.rejects.length >= batchSize) {
      const end = Math.min(start + batchSize, rows.length);
      yield this.emit(rows.slice(start, end), progress);
      start = end;
    }
    this.rows = start === 0 ? rows : rows.slice(start);
    if (final && (this.rows.length > 0 || this.rejects.length > 0 || !this.yielded)) {
      const last = this.rows;
      this.rows = [];
      yield this.emit(last, progress);
    }
  }

  private emit(
    rows: Row[],
    progress: () => BatchProgress,
  ): BatchProgress & { rows: Row[]; rejects: Reject[] } {
    const rejects = this.rejects;
    this.rejects = [];
    this.yielded = true;
    return { ...progress(), rows, rejects };
  }
}

/** A collector whose rows carry epoch times read under one file's time rules (candles, ticks). */
export class TimedRowCollector<Row> extends RowCollector<Row> {
  readonly time: FileTimeRules;

  constructor(fileName: string, unit: PositionUnit, time: FileTimeRules) {
    super(fileName, unit);
    this.time = time;
  }

  /** An epoch number in the file's unit → ms, or NaN after rejecting the row (mixed units). */
  epoch(n: number, line: number, source: unknown): number {
    this.time.at(line);
    const ms = this.time.epoch(n);
    if (Number.isNaN(ms)) this.reject(line, this.time.problem ?? `unparseable time ${n}`, source);
    return ms;
  }
}

function renderRaw(source: unknown, unit: PositionUnit): string | undefined {
  if (source === undefined) return undefined;
  if (unit === 'line' && Array.isArray(source)) return source.join(',');
  try {
    return jsonText(source);
  } catch {
    return String(source);
  }
}
