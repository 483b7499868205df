import type { RowCollector } from './collector.ts';
import { EXCERPT_LIMIT, excerpt, shortenQuoted } from './excerpt.ts';
import type { ByteSource } from './source.ts';
import type { BatchProgress, Reject } from './types.ts';

/**
 * Incremental reader for the one JSON shape market-data tools write: a top-level array of small arrays
 * (`[[ts, o, h, l, c, v], ...]`). It never holds the whole document: each chunk is cut after the last
 * complete element and only that slice goes through V8's native JSON.parse. Letting the native parser
 * do the number conversion is what keeps this at or below the cost of one `JSON.parse(wholeFile)` — a
 * character-by-character scanner in JS is several times slower — while memory stays one chunk wide.
 *
 * Fast path: the last `]` in the buffer ends an element (or, when preceded by another `]`, the outer
 * array). A `]` inside a string can fool that, but then the slice ends inside an unterminated string and
 * JSON.parse fails, so every failure is retried with an exact scan that tracks strings and nesting.
 */

const MAX_PENDING = 64 * 1024 * 1024;

/**
 * Python's json.dump (and pandas) write bare `NaN`, `Infinity` and `-Infinity`, which are not JSON.
 * Outside strings they are turned into these marker strings before parsing, so the one row that holds
 * one is rejected with its reason and the rest of the file is read (a quoted "NaN" stays a string).
 * The marker is a NUL character before the token (no market-data string holds one), escaped in JSON.
 */
const BARE_MARK_JSON = '\\u0000';
const BARE_TOKENS = ['NaN', 'Infinity', '-Infinity'] as const;

/** The bare token a parsed value stands for (`NaN`, `Infinity`, `-Infinity`), or null. */
export function bareToken(value: unknown): string | null {
  return typeof value === 'string' && value.charCodeAt(0) === 0 && value.length > 1 ? value.slice(1) : null;
}

/** JSON text of a parsed value, with the marker strings shown as the bare tokens the file held. */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.includes(BARE_MARK_JSON) ? text.replace(/"\\u0000(NaN|-?Infinity)"/g, '$1') : text;
}

/** A parsed value as a message quotes it: strings quoted, bare tokens bare, at most 80 characters. */
export function valueExcerpt(value: unknown): string {
  if (typeof value === 'string' && bareToken(value) === null) return excerpt(value);
  const text = jsonText(value);
  return text.length <= EXCERPT_LIMIT ? text : `${text.slice(0, EXCERPT_LIMIT - 1)}…`;
}

/** `text` with every bare NaN / Infinity outside strings replaced by its marker string. */
function markBareTokens(text: string): string {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      continue;
    }
    if (c !== 78 /* N */ && c !== 73 /* I */ && c !== 45 /* - */) continue;
    for (const token of BARE_TOKENS) {
      if (text.startsWith(token, i)) {
        out += `${text.slice(from, i)}"${BARE_MARK_JSON}${token}"`;
        i += token.length - 1;
        from = i + 1;
        break;
      }
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

/** JSON.parse that also reads bare NaN / Infinity (as marker strings); throws like JSON.parse otherwise. */
export function parseRows(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error;
    return JSON.parse(markBareTokens(text));
  }
}

/**
 * The first element of a JSON array of rows at the start of `text` (format detection), or undefined
 * when the text does not start with one complete, parseable element.
 */
export function firstJsonElement(text: string): unknown {
  const open = text.indexOf('[');
  if (open < 0) return undefined;
  let start = open + 1;
  while (start < text.length && (isSpace(text.charCodeAt(start)) || text.charCodeAt(start) === 0xfeff))
    start++;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 91 || c === 123) depth++;
    else if (c === 93 || c === 125 || (c === 44 && depth === 0)) {
      if (c !== 44) depth--;
      if (depth > 0) continue;
      const end = c === 44 || depth < 0 ? i : i + 1;
      try {
        return parseRows(text.slice(start, end));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

const BEFORE_ARRAY = 0;
const INSIDE_ARRAY = 1;
const AFTER_ARRAY = 2;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

export class JsonRowScanner {
  private readonly fileName: string;
  private pending = '';
  private state = BEFORE_ARRAY;
  /** Elements handed out so far; the next element is row `elements + 1`. */
  elements = 0;

  constructor(fileName: string) {
    this.fileName = fileName;
  }

  /** Feeds decoded text; returns the elements completed by it (possibly none). */
  feed(text: string): unknown[] {
    let s = this.pending.length > 0 ? this.pending + text : text;
    this.pending = '';
    if (this.state === BEFORE_ARRAY) {
      let i = 0;
      while (i < s.length && (isSpace(s.charCodeAt(i)) || s.charCodeAt(i) === 0xfeff)) i++;
      if (i === s.length) return [];
      if (s.charCodeAt(i) !== 91 /* [ */) {
        throw new Error(
          `${this.fileName}: not JSON rows: expected '[' at the start, found ${excerpt(s.slice(i, i + 40), 40)}`,
        );
      }
      s = s.slice(i + 1);
      this.state = INSIDE_ARRAY;
    }
    if (this.state === AFTER_ARRAY) {
      this.checkTrailing(s);
      return [];
    }
    return this.cutAndParse(s);
  }

  /** Call at end of input: throws when the array was never closed. */
  finish(): void {
    if (this.state === BEFORE_ARRAY)
      throw new Error(`${this.fileName}: empty input, expected a JSON array of rows`);
    if (this.state === INSIDE_ARRAY) {
      throw new Error(
        `${this.fileName}: truncated JSON: input ends inside the array after row ${this.elements} ` +
          `(no closing ']')`,
      );
    }
  }

  private checkTrailing(s: string): void {
    for (let i = 0; i < s.length; i++) {
      if (!isSpace(s.charCodeAt(i))) {
        throw new Error(
          `${this.fileName}: unexpected data after the closing ']' of the JSON array: ` +
            excerpt(s.slice(i, i + 40), 40),
        );
      }
    }
  }

  private cutAndParse(s: string): unknown[] {
    const cut = s.lastIndexOf(']');
    if (cut < 0) return this.keep(s);
    let j = cut - 1;
    while (j >= 0 && isSpace(s.charCodeAt(j))) j--;
    let bodyEnd: number;
    let closes: boolean;
    if (j < 0 || s.charCodeAt(j) === 93 /* ] */) {
      bodyEnd = j + 1;
      closes = true;
    } else {
      bodyEnd = cut + 1;
      closes = false;
    }
    const parsed = this.tryParse(s, bodyEnd);
    if (parsed !== null) return this.commit(s, parsed, closes ? cut + 1 : bodyEnd, closes);
    return this.exactCut(s);
  }

  /** Slow path: scan with string and depth tracking for the last complete element. */
  private exactCut(s: string): unknown[] {
    let depth = 0;
    let inString = false;
    let lastComma = -1;
    let close = -1;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (inString) {
        if (c === 92 /* \ */) i++;
        else if (c === 34 /* " */) inString = false;
        continue;
      }
      if (c === 34) inString = true;
      else if (c === 91 || c === 123) depth++;
      else if (c === 93 || c === 125) {
        if (depth === 0) {
          close = i;
          break;
        }
        depth--;
      } else if (c === 44 && depth === 0) lastComma = i;
    }
    if (close >= 0) {
      const parsed = this.tryParse(s, close);
      if (parsed === null) this.syntaxError(s, close);
      return this.commit(s, parsed, close + 1, true);
    }
    if (lastComma < 0) return this.keep(s);
    const parsed = this.tryParse(s, lastComma);
    if (parsed === null) this.syntaxError(s, lastComma);
    return this.commit(s, parsed, lastComma, false);
  }

  private keep(s: string): unknown[] {
    if (s.length > MAX_PENDING) {
      throw new Error(
        `${this.fileName}: no complete row within ${MAX_PENDING / 1024 / 1024} MB after row ${this.elements}; ` +
          'expected a JSON array of small arrays',
      );
    }
    this.pending = s;
    return [];
  }

  /** Parses `s[0, end)` as a run of elements (with the separating comma before them when not first). */
  private tryParse(s: string, end: number): unknown[] | null {
    const body = this.bodyOf(s, end);
    if (body === null) return null;
    if (body.length === 0) return [];
    try {
      return parseRows(`[${body}]`) as unknown[];
    } catch {
      return null;
    }
  }

  private bodyOf(s: string, end: number): string | null {
    let i = 0;
    while (i < end && isSpace(s.charCodeAt(i))) i++;
    if (i === end) return '';
    if (this.elements > 0) {
      if (s.charCodeAt(i) !== 44 /* , */) return null;
      i++;
      const body = s.slice(i, end);
      // A comma must be followed by an element: `[[1],]` is not JSON.
      return body.trim().length === 0 ? null : body;
    }
    return s.slice(i, end);
  }

  private commit(s: string, parsed: unknown[], restStart: number, closes: boolean): unknown[] {
    this.elements += parsed.length;
    const rest = s.slice(restStart);
    if (closes) {
      this.state = AFTER_ARRAY;
      this.checkTrailing(rest);
    } else {
      this.pending = rest;
    }
    return parsed;
  }

  /** Finds the first element in `s[0, end)` that JSON.parse refuses, to name its row. */
  private syntaxError(s: string, end: number): never {
    let row = this.elements;
    let detail = 'missing or extra separator';
    let depth = 0;
    let inString = false;
    let start = 0;
    if (this.elements > 0) {
      while (start < end && isSpace(s.charCodeAt(start))) start++;
      if (s.charCodeAt(start) === 44) start++;
    }
    for (let i = start; i <= end; i++) {
      const c = i < end ? s.charCodeAt(i) : 44;
      if (inString) {
        if (c === 92) i++;
        else if (c === 34) inString = false;
        continue;
      }
      if (c === 34) inString = true;
      else if (c === 91 || c === 123) depth++;
      else if (c === 93 || c === 125) depth--;
      else if (c === 44 && depth === 0) {
        row++;
        try {
          parseRows(s.slice(start, i));
        } catch (err) {
          detail = shortenQuoted((err as Error).message).slice(0, 200);
          break;
        }
        start = i + 1;
      }
    }
    throw new Error(`${this.fileName}: invalid JSON in row ${row}: ${detail}`);
  }
}

/**
 * Reads a JSON array of rows through the scanner chunk by chunk, hands each element with its 1-based
 * row number to `add`, and yields the collector's batches as they fill: the loop the candle and
 * the trade readers share.
 */
export async function* jsonRowBatches<Row>(
  source: ByteSource,
  fileName: string,
  batchSize: number,
  collector: RowCollector<Row>,
  add: (element: unknown, row: number) => void,
  unsortedRows: () => number,
): AsyncGenerator<BatchProgress & { rows: Row[]; rejects: Reject[] }> {
  const scanner = new JsonRowScanner(fileName);
  const decoder = new TextDecoder('utf-8');
  const progress = (): BatchProgress => ({
    linesRead: scanner.elements,
    bytesRead: source.bytesRead(),
    unsortedRows: unsortedRows(),
  });
  const take = (elements: unknown[]): void => {
    let row = scanner.elements - elements.length;
    for (let i = 0; i < elements.length; i++) add(elements[i], ++row);
  };
  for await (const chunk of source.chunks) {
    take(scanner.feed(decoder.decode(chunk, { stream: true })));
    yield* collector.batches(batchSize, false, progress);
  }
  const tail = decoder.decode();
  if (tail.length > 0) take(scanner.feed(tail));
  scanner.finish();
  yield* collector.batches(batchSize, true, progress);
}
