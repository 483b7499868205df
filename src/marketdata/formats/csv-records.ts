import { Parser } from 'csv-parse';

export type RecordHandler = (record: string[], line: number) => void;

/**
 * Splits CSV bytes into records and hands each, with its 1-based line number, to `onRecord`
 * synchronously; yields once per chunk so the caller can cut batches.
 *
 * Two paths. Market-data CSV almost never quotes anything, and for quote-free text a line/comma split
 * gives exactly what a CSV parser gives, about 10x faster than csv-parse (measured: ~1.5M vs ~150k
 * Binance kline rows/s; csv-parse walks every byte in JS). The first `"` in the input switches the
 * rest of the file to csv-parse, which handles quoting, embedded newlines and escaped quotes. Either
 * way empty lines are skipped (but counted), CRLF and LF both work, and a UTF-8 BOM is dropped.
 */
export async function* feedCsv(
  chunks: AsyncIterable<Buffer>,
  onRecord: RecordHandler,
  onMalformed: (line: number, message: string) => void,
): AsyncGenerator<void> {
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let line = 0;
  let quoted: QuotedCsv | null = null;

  const splitLines = (text: string, final: boolean): void => {
    let start = 0;
    while (true) {
      let end = text.indexOf('\n', start);
      if (end < 0) {
        if (!final) break;
        end = text.length;
        if (start === end) break;
      }
      line++;
      // Strip the CR of a CRLF line break.
      const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      if (stop > start) onRecord(text.slice(start, stop).split(','), line);
      start = end + 1;
      if (start > text.length) break;
    }
    carry = text.slice(start);
  };

  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    if (quoted === null && text.includes('"')) {
      // Hand over everything not yet split (the partial last line plus this chunk) to the full parser.
      quoted = new QuotedCsv(line, onRecord, onMalformed);
      quoted.write(carry + text);
      carry = '';
    } else if (quoted !== null) {
      quoted.write(text);
    } else {
      splitLines(carry.length > 0 ? carry + text : text, false);
    }
    quoted?.check();
    yield;
  }
  const tail = decoder.decode();
  if (quoted !== null) {
    if (tail.length > 0) quoted.write(tail);
    await quoted.end();
  } else {
    splitLines(carry + tail, true);
  }
  yield;
}

/** csv-parse for files that use quotes; records go straight to the handler (never queued). */
class QuotedCsv {
  private readonly parser: Parser;
  private failure: Error | null = null;

  constructor(
    lineOffset: number,
    onRecord: RecordHandler,
    onMalformed: (line: number, message: string) => void,
  ) {
    this.parser = new Parser({
      cast: false,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        const e = err as (Error & { lines?: number }) | undefined;
        onMalformed(lineOffset + (e?.lines ?? 0), e?.message ?? 'malformed CSV record');
      },
      on_record: (record, info) => {
        if (this.failure === null) onRecord(record, lineOffset + info.lines);
        return null;
      },
    });
    this.parser.on('error', (err) => {
      this.failure ??= err;
    });
    this.parser.resume();
  }

  /** Parses synchronously: nothing is queued on the readable side, so backpressure never builds. */
  write(text: string): void {
    this.parser.write(text);
  }

  /** Rethrows an error raised inside a record handler (a whole-file problem such as a missing column). */
  check(): void {
    if (this.failure !== null) throw this.failure;
  }

  async end(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.parser.once('error', () => resolve());
      this.parser.end(() => resolve());
    });
    this.check();
  }
}
