/**
 * What a column holds, independent of how a dialect spells it, and the one decoding both sides of a
 * copy (and the hybrid mirror) use: a raw value from either database becomes a *canonical* value
 * (exact decimals as their shortest string, datetimes as epoch ms, booleans as booleans, JSON as
 * text), and a canonical value is written back in the target dialect's own representation.
 *
 * The kind comes from the entity metadata where the column is known (SQLite alone cannot tell a
 * decimal from text, or a boolean from an integer), else from the PostgreSQL type, else from the
 * SQLite declared type. Checksums are computed over canonical values, so the same rows hash the same
 * on SQLite and PostgreSQL.
 */
import type { MetadataStorage } from '@mikro-orm/core';
import { Decimal } from 'decimal.js';
import { DecimalType } from '../entities/types/decimal.ts';

export type ColumnKind = 'decimal' | 'timestamp' | 'boolean' | 'integer' | 'float' | 'json' | 'text';

export interface Column {
  name: string;
  kind: ColumnKind;
  /** Declared precision and scale of a decimal column, where the entities declare them. */
  decimal?: { precision: number; scale: number };
}

/** A canonical value: what a row is compared and checksummed as. */
export type Canonical = string | number | boolean | null;

/** `table → column → declared precision and scale` for the entities' decimal columns. */
export function entityDecimalShapes(
  metadata: MetadataStorage,
): Map<string, Map<string, { precision: number; scale: number }>> {
  const out = new Map<string, Map<string, { precision: number; scale: number }>>();
  for (const meta of metadata.getAll().values()) {
    if (!meta.tableName) continue;
    const columns = new Map<string, { precision: number; scale: number }>();
    for (const prop of meta.props) {
      if (
        prop.customType instanceof DecimalType &&
        prop.fieldNames?.length &&
        prop.precision &&
        prop.scale !== undefined
      ) {
        columns.set(prop.fieldNames[0]!, { precision: prop.precision, scale: prop.scale });
      }
    }
    out.set(meta.tableName, columns);
  }
  return out;
}

/** `table → column → kind` for every column the entities declare. */
export function entityColumnKinds(metadata: MetadataStorage): Map<string, Map<string, ColumnKind>> {
  const out = new Map<string, Map<string, ColumnKind>>();
  const all = [...metadata.getAll().values()];
  const byClass = new Map(all.map((m) => [m.className, m]));
  const scalarKind = (prop: (typeof all)[number]['props'][number]): ColumnKind => {
    if (prop.customType instanceof DecimalType) return 'decimal';
    const runtime = String(prop.runtimeType).toLowerCase();
    if (runtime === 'date') return 'timestamp';
    if (runtime === 'boolean') return 'boolean';
    if (/json/i.test(String(prop.type)) || runtime === 'any') return 'json';
    if (runtime === 'number' || runtime === 'bigint') {
      return /double|float|real/i.test(`${prop.type} ${prop.columnTypes?.join(' ')}`) ? 'float' : 'integer';
    }
    return 'text';
  };
  for (const meta of all) {
    if (!meta.tableName || meta.embeddable || meta.virtual) continue;
    const columns = new Map<string, ColumnKind>();
    for (const prop of meta.props) {
      if (!prop.fieldNames?.length) continue;
      if (prop.kind === 'scalar') {
        columns.set(prop.fieldNames[0]!, scalarKind(prop));
      } else if (prop.kind === 'm:1' || (prop.kind === '1:1' && prop.owner)) {
        // A foreign key holds the referenced primary key: same kind as that column.
        const target = byClass.get(String(prop.type));
        prop.fieldNames.forEach((field, i) => {
          const pk = target?.props.find((p) => p.name === target.primaryKeys[i]);
          columns.set(field, pk && pk.kind === 'scalar' ? scalarKind(pk) : 'integer');
        });
      }
    }
    out.set(meta.tableName, columns);
  }
  return out;
}

export function kindOfPgType(dataType: string): ColumnKind {
  const t = dataType.toLowerCase();
  if (t === 'numeric' || t === 'decimal') return 'decimal';
  if (t.startsWith('timestamp') || t === 'date') return 'timestamp';
  if (t === 'boolean') return 'boolean';
  if (t === 'smallint' || t === 'integer' || t === 'bigint') return 'integer';
  if (t === 'double precision' || t === 'real') return 'float';
  if (t === 'json' || t === 'jsonb') return 'json';
  return 'text';
}

export function kindOfSqliteType(declared: string): ColumnKind {
  const t = declared.toLowerCase();
  if (t.startsWith('datetime')) return 'timestamp';
  if (t.includes('int')) return 'integer';
  if (/real|double|float/.test(t)) return 'float';
  if (t === 'json') return 'json';
  return 'text';
}

/** `1.500` → `1.5`, `-0` → `0`: the form SQLite stores and PostgreSQL's numeric text reduces to. */
export function canonicalDecimal(value: unknown): string {
  return new Decimal(String(value)).toFixed();
}

/** A value read from SQLite (node:sqlite types) as its canonical value. */
export function fromSqlite(kind: ColumnKind, value: unknown): Canonical {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'decimal':
      return canonicalDecimal(value);
    case 'timestamp':
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      if (/^-?\d+$/.test(String(value))) return Number(value);
      return Date.parse(String(value));
    case 'boolean':
      return value === 1 || value === 1n || value === true || value === 'true' || value === '1';
    case 'integer':
    case 'float':
      return Number(value);
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/**
 * A value as a driver returns it in a query result (node:sqlite, or pg with its default parsers:
 * numeric as a string, timestamptz as a Date, jsonb parsed) as its canonical value.
 */
export function fromDriver(dialect: 'sqlite' | 'postgresql', kind: ColumnKind, value: unknown): Canonical {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  // pg parses jsonb, a JSON string included; SQLite hands back the stored text.
  if (kind === 'json' && dialect === 'postgresql') return JSON.stringify(value);
  return fromSqlite(kind, value);
}

/**
 * A value of a row read on the services' Tx as its canonical value: like fromDriver, except that
 * the Tx reads json/jsonb as text on PostgreSQL too (src/db/transaction.ts), as SQLite stores it.
 */
export function fromTx(dialect: 'sqlite' | 'postgresql', kind: ColumnKind, value: unknown): Canonical {
  return fromDriver(kind === 'json' ? 'sqlite' : dialect, kind, value);
}

/** A field of PostgreSQL's COPY text output (already unescaped) as its canonical value. */
export function fromPgText(kind: ColumnKind, text: string | null): Canonical {
  if (text === null) return null;
  switch (kind) {
    case 'decimal':
      return canonicalDecimal(text);
    case 'boolean':
      return text === 't' || text === 'true';
    case 'timestamp': // selected as epoch ms (see pgSelectList)
    case 'integer':
    case 'float':
      return Number(text);
    default:
      return text;
  }
}

/** The parameter node:sqlite binds for a canonical value. */
export function toSqlite(kind: ColumnKind, value: Canonical): string | number | null {
  if (value === null) return null;
  if (kind === 'boolean') return value ? 1 : 0;
  return value as string | number;
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A canonical value as a field of PostgreSQL's COPY text format. */
export function toPgText(kind: ColumnKind, value: Canonical): string {
  if (value === null) return '\\N';
  switch (kind) {
    case 'boolean':
      return value ? 't' : 'f';
    case 'timestamp':
      return new Date(value as number).toISOString();
    case 'integer':
    case 'float':
    case 'decimal':
      return String(value);
    default:
      return String(value).replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c]!);
  }
}

/** JSON text with object keys sorted: jsonb reorders keys and spacing, so content is compared, not text. */
export function canonicalJson(text: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)));
  } catch {
    return text;
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
