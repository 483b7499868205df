/**
 * Record formats for exports: CSV, JSON and Parquet over canonical values (src/transfer/columns.ts).
 * Each is a streaming sink: a header once, rows page by page, a footer at the end.
 *
 * - Decimals stay exact: CSV and JSON carry them as strings; Parquet as the DECIMAL logical type at
 *   the column's declared precision and scale (FIXED_LEN_BYTE_ARRAY holding the unscaled integer),
 *   or as a UTF8 string for a decimal column whose scale is not declared.
 * - Datetimes: ISO-8601 UTC strings in CSV and JSON; Parquet TIMESTAMP(MILLIS, UTC).
 * - JSON columns: JSON text in CSV and Parquet (JSON logical type), embedded values in JSON.
 * - CSV: NULL is an unquoted empty field, an empty string is `""`.
 */
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import type { Canonical, Column } from '../transfer/columns.ts';
import { writeText } from './output.ts';

import type { RecordFormat } from './record-lists.ts';

export { RECORD_FORMATS, type RecordFormat } from './record-lists.ts';

export interface RecordSink {
  rows(rows: Canonical[][]): Promise<void>;
  end(): Promise<void>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Quoted when needed; an empty string is always quoted, so an unquoted empty field means NULL. */
function csvField(text: string): string {
  return text === '' || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvValue(column: Column, value: Canonical): string {
  if (value === null) return '';
  if (column.kind === 'timestamp') return iso(value as number);
  return csvField(String(value));
}

function jsonValue(column: Column, value: Canonical): unknown {
  if (value === null) return null;
  switch (column.kind) {
    case 'timestamp':
      return iso(value as number);
    case 'json':
      return JSON.parse(value as string);
    case 'integer':
    case 'float':
      // JSON has no NaN or Infinity; a string keeps them readable instead of turning them into null.
      return Number.isFinite(value) ? value : String(value);
    default:
      return value;
  }
}

function csvSink(columns: Column[], out: NodeJS.WritableStream): RecordSink {
  let started = false;
  return {
    async rows(rows) {
      let text = started ? '' : `${columns.map((c) => csvField(c.name)).join(',')}\n`;
      started = true;
      for (const row of rows) text += `${row.map((v, i) => csvValue(columns[i]!, v)).join(',')}\n`;
      await writeText(out, text);
    },
    async end() {
      if (!started) await writeText(out, `${columns.map((c) => csvField(c.name)).join(',')}\n`);
    },
  };
}

function jsonSink(columns: Column[], out: NodeJS.WritableStream): RecordSink {
  let count = 0;
  return {
    async rows(rows) {
      let text = '';
      for (const row of rows) {
        const record: Record<string, unknown> = {};
        for (let i = 0; i < columns.length; i++) record[columns[i]!.name] = jsonValue(columns[i]!, row[i]!);
        text += `${count++ === 0 ? '[\n' : ',\n'}${JSON.stringify(record)}`;
      }
      await writeText(out, text);
    },
    async end() {
      await writeText(out, count === 0 ? '[]\n' : '\n]\n');
    },
  };
}

/** Bytes needed for a two's-complement integer of `precision` decimal digits. */
export function decimalBytes(precision: number): number {
  let bytes = 1;
  while (2n ** BigInt(8 * bytes - 1) <= 10n ** BigInt(precision)) bytes++;
  return bytes;
}

/** A canonical decimal string as its unscaled integer at `scale` (exact: the column holds at most that scale). */
export function unscaled(text: string, scale: number): bigint {
  const negative = text.startsWith('-');
  const [int = '0', frac = ''] = (negative ? text.slice(1) : text).split('.');
  if (frac.length > scale) throw new RangeError(`${text} has more than ${scale} fractional digits`);
  const value = BigInt(int + frac.padEnd(scale, '0'));
  return negative ? -value : value;
}

export function parquetSchema(columns: Column[]): SchemaElement[] {
  const leaf = (c: Column): SchemaElement => {
    const base = { name: c.name, repetition_type: 'OPTIONAL' as const };
    switch (c.kind) {
      case 'decimal':
        if (!c.decimal) return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
        return {
          ...base,
          type: 'FIXED_LEN_BYTE_ARRAY',
          type_length: decimalBytes(c.decimal.precision),
          converted_type: 'DECIMAL',
          precision: c.decimal.precision,
          scale: c.decimal.scale,
          logical_type: { type: 'DECIMAL', precision: c.decimal.precision, scale: c.decimal.scale },
        };
      case 'timestamp':
        return {
          ...base,
          type: 'INT64',
          converted_type: 'TIMESTAMP_MILLIS',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
        };
      case 'boolean':
        return { ...base, type: 'BOOLEAN' };
      case 'integer':
        return { ...base, type: 'INT64' };
      case 'float':
        return { ...base, type: 'DOUBLE' };
      case 'json':
        return { ...base, type: 'BYTE_ARRAY', converted_type: 'JSON' };
      default:
        return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
    }
  };
  return [{ name: 'root', num_children: columns.length }, ...columns.map(leaf)];
}

/** hyparquet-writer's ByteWriter, emptied into `out` after each row group instead of growing. */
class StreamWriter extends ByteWriter {
  private readonly out: NodeJS.WritableStream;

  constructor(out: NodeJS.WritableStream) {
    super(1 << 20);
    this.out = out;
  }

  flush(): Promise<void> {
    const chunk = new Uint8Array(this.buffer.slice(0, this.index));
    this.index = 0;
    return writeText(this.out, chunk);
  }

  override finish(): void {
    // The footer is written synchronously by ParquetWriter.finish; parquetSink awaits the flush.
  }
}

function parquetSink(columns: Column[], out: NodeJS.WritableStream): RecordSink {
  const writer = new StreamWriter(out);
  const parquet = new ParquetWriter({ writer, schema: parquetSchema(columns), createdBy: 'tradestore' });
  const convert = columns.map((c): ((v: Canonical) => unknown) => {
    if (c.kind === 'decimal' && c.decimal) {
      const scale = c.decimal.scale;
      return (v) => (v === null ? null : unscaled(v as string, scale));
    }
    if (c.kind === 'timestamp' || c.kind === 'integer')
      return (v) => (v === null ? null : BigInt(v as number));
    // hyparquet-writer serialises JSON columns itself; handing it the text would encode it twice.
    if (c.kind === 'json') return (v) => (v === null ? null : JSON.parse(v as string));
    return (v) => v;
  });
  return {
    async rows(rows) {
      if (rows.length === 0) return;
      const columnData = columns.map((c, i) => ({
        name: c.name,
        data: rows.map((r) => convert[i]!(r[i]!)),
      }));
      await parquet.write({ columnData: columnData as never, rowGroupSize: rows.length });
    },
    async end() {
      await parquet.finish();
      await writer.flush();
    },
  };
}

export function recordSink(format: RecordFormat, columns: Column[], out: NodeJS.WritableStream): RecordSink {
  if (format === 'csv') return csvSink(columns, out);
  if (format === 'json') return jsonSink(columns, out);
  return parquetSink(columns, out);
}
