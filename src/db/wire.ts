/**
 * The one view → wire converter, below the services so that the HTTP API (src/api/) and the
 * outbox's event payloads (src/events/) share it. How values cross the wire: JSON is snake_case;
 * exact decimals travel as strings (never JSON numbers), times as ISO-8601 UTC. `toWire` turns a
 * service view (camelCase, Decimal, Date) into that; `wireJson` / `wireJsonAfter` write the same
 * as JSON text directly (the outbox, on every write path); `fromWire` turns a validated body or
 * query back into the services' camelCase input. Fields that hold a client's own JSON (signal
 * components, strategy parameters, contexts) are passed through untouched: their keys are the
 * client's, not ours.
 */
import { Decimal } from 'decimal.js';

/** Keys whose values are opaque client JSON, left exactly as stored. */
const OPAQUE = new Set([
  'components',
  'riskCheckResult',
  'risk_check_result',
  'strategyConfig',
  'strategy_config',
  'parameters',
  'context',
  'metadata',
  'value',
  'config',
  'sessionWindows',
  'session_windows',
  'entryConditions',
  'entry_conditions',
  'exitRules',
  'exit_rules',
  'forbiddenConditions',
  'forbidden_conditions',
  'riskCaps',
  'risk_caps',
  'confluenceRequired',
  'confluence_required',
  'raw',
  'payload',
  'metrics',
  'outcomes',
  'data',
  'result',
  'marketConditions',
  'market_conditions',
]);

const snakeCache = new Map<string, string>();
export function snake(key: string): string {
  let s = snakeCache.get(key);
  if (s === undefined) {
    s = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    snakeCache.set(key, s);
  }
  return s;
}

export function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * `date.toISOString()`, remembered: it costs ~1 µs in V8, and the views of one operation repeat
 * the same few instants (a trading chain's 8 event payloads hold 19 times, 3 distinct).
 */
const isoTimes = new Map<number, string>();
export function isoTime(date: Date): string {
  const ms = date.getTime();
  let iso = isoTimes.get(ms);
  if (iso === undefined) {
    iso = date.toISOString();
    if (isoTimes.size >= 256) isoTimes.clear();
    isoTimes.set(ms, iso);
  }
  return iso;
}

/** What `wrap(entity).toObject()` reads, without loading MikroORM here (event payloads are on every write path). */
interface OrmEntity {
  __helper: { toObject(): object };
  __baseEntity?: boolean;
  toObject?(): object;
}

function plainEntity(entity: OrmEntity): object {
  return entity.__baseEntity && entity.toObject ? entity.toObject() : entity.__helper.toObject();
}

export function toWire(value: unknown): unknown {
  // Most fields are strings, numbers and booleans: answered before any instanceof check.
  const type = typeof value;
  if (type !== 'object') return type === 'bigint' ? (value as bigint).toString() : (value ?? null);
  if (value === null) return null;
  if (value instanceof Date) return isoTime(value);
  if (Decimal.isDecimal(value)) return (value as Decimal).toFixed();
  if (Array.isArray(value)) return value.map(toWire);
  // A MikroORM entity (the long-tail services return them): its plain form, relations as ids.
  if ((value as Partial<OrmEntity>).__helper !== undefined) value = plainEntity(value as OrmEntity);
  const out: Record<string, unknown> = {};
  const fields = value as Record<string, unknown>;
  for (const k in fields) {
    if (!Object.hasOwn(fields, k)) continue;
    const v = fields[k];
    out[snake(k)] = OPAQUE.has(k) ? plainJson(v) : toWire(v);
  }
  return out;
}

/** `"snake_key":` per view key, JSON-escaped once. */
const keyPrefix = new Map<string, string>();
function prefixOf(key: string): string {
  let s = keyPrefix.get(key);
  if (s === undefined) {
    s = `${JSON.stringify(snake(key))}:`;
    keyPrefix.set(key, s);
  }
  return s;
}

/**
 * `JSON.stringify(toWire(value))`, written straight to the string: no wire object is built and
 * walked again. The outbox serialises 8 views per trading chain (bench/outbox.ts), where building
 * them was most of what it cost; test/db/wire-json.test.ts holds the two equal.
 */
export function wireJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value}"`;
    case 'object':
      return value === null ? 'null' : objectJson(value);
    default:
      // undefined (toWire's null), functions and symbols (a JSON array's null).
      return 'null';
  }
}

function objectJson(value: object): string {
  if (value instanceof Date) return `"${isoTime(value)}"`;
  if (Decimal.isDecimal(value)) return `"${(value as Decimal).toFixed()}"`;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + wireJson(value[i]);
    return `${out}]`;
  }
  return fieldsJson(value, '{', true);
}

/**
 * `wireJson(view)` with `head` (the text of an opening `{` and some fields of the caller's) in
 * front of the view's fields: the outbox puts its `change` first without copying the view.
 *
 * The views of one head come in a few shapes (the same service builds them), so each shape gets
 * a writer compiled for its keys (`compileWriter`): property reads the engine can inline instead
 * of a keyed lookup per field, and each field's usual kind checked first: a trading chain's 8
 * payloads in ~26 µs instead of ~37 µs through the loop (measured alone; bench/outbox.ts measures
 * the chain). A view of another shape past MAX_SHAPES per head takes the loop.
 */
export function wireJsonAfter(head: string, view: object): string {
  if ((view as Partial<OrmEntity>).__helper !== undefined) return fieldsJson(view, head, false);
  let shapes = writers.get(head);
  if (shapes === undefined) writers.set(head, (shapes = []));
  for (const shape of shapes) if (sameKeys(shape.keys, view)) return shape.write(view);
  if (shapes.length >= MAX_SHAPES) return fieldsJson(view, head, false);
  const shape = compileWriter(head, view as Record<string, unknown>);
  shapes.push(shape);
  return shape.write(view);
}

interface ShapeWriter {
  keys: readonly string[];
  write(view: object): string;
}

const MAX_SHAPES = 8;
const writers = new Map<string, ShapeWriter[]>();

/** The view's own enumerable keys are exactly `keys`, in order (inherited ones fail the count). */
function sameKeys(keys: readonly string[], view: object): boolean {
  let i = 0;
  for (const k in view) if (keys[i++] !== k) return false;
  return i === keys.length;
}

/**
 * A writer for views with `sample`'s keys. Each field's kind in the sample (string, number,
 * boolean, null, Decimal, Date) is tried first and anything else goes to `wireJson`, so a later
 * view whose field holds another kind is still written right; opaque client JSON goes through
 * `plainJson` as in `toWire`. Keys enter the code only as JSON string literals. A sample with a
 * function or symbol field (which JSON.stringify leaves out) keeps the loop.
 */
function compileWriter(head: string, sample: Record<string, unknown>): ShapeWriter {
  const keys = Object.keys(sample);
  const parts: string[] = [];
  for (const k of keys) {
    const x = sample[k];
    if (typeof x === 'function' || typeof x === 'symbol')
      return { keys, write: (view) => fieldsJson(view, head, false) };
    const v = `v[${JSON.stringify(k)}]`;
    const fast = OPAQUE.has(k)
      ? `JSON.stringify(plain(${v}))`
      : typeof x === 'string'
        ? `typeof ${v} === 'string' ? JSON.stringify(${v}) : w(${v})`
        : typeof x === 'number'
          ? `typeof ${v} === 'number' && Number.isFinite(${v}) ? '' + ${v} : w(${v})`
          : typeof x === 'boolean'
            ? `typeof ${v} === 'boolean' ? (${v} ? 'true' : 'false') : w(${v})`
            : x === null
              ? `${v} === null ? 'null' : w(${v})`
              : x instanceof Date
                ? `${v} instanceof Date ? '"' + iso(${v}) + '"' : w(${v})`
                : Decimal.isDecimal(x)
                  ? `D.isDecimal(${v}) ? '"' + ${v}.toFixed() + '"' : w(${v})`
                  : `w(${v})`;
    parts.push(`${JSON.stringify(`,${prefixOf(k)}`)} + (${fast})`);
  }
  const make = new Function(
    'w',
    'plain',
    'head',
    'D',
    'iso',
    `return (v) => ${['head', ...parts, "'}'"].join(' + ')}`,
  ) as (...deps: unknown[]) => (view: object) => string;
  return { keys, write: make(wireJson, plainJson, head, Decimal, isoTime) };
}

function fieldsJson(value: object, head: string, first: boolean): string {
  if ((value as Partial<OrmEntity>).__helper !== undefined) value = plainEntity(value as OrmEntity);
  let out = head;
  const fields = value as Record<string, unknown>;
  for (const k in fields) {
    if (!Object.hasOwn(fields, k)) continue;
    const v = fields[k];
    // JSON.stringify leaves out a key whose value it cannot write (a function, a symbol).
    if (typeof v === 'function' || typeof v === 'symbol') continue;
    out += (first ? '' : ',') + prefixOf(k) + (OPAQUE.has(k) ? JSON.stringify(plainJson(v)) : wireJson(v));
    first = false;
  }
  return `${out}}`;
}

/** Opaque JSON with any Decimal/Date inside it (a risk check's numbers) made JSON-safe, keys kept. */
function plainJson(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return isoTime(value);
  if (Decimal.isDecimal(value)) return (value as Decimal).toFixed();
  if (Array.isArray(value)) return value.map(plainJson);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plainJson(v);
    return out;
  }
  return value;
}

/** snake_case keys → camelCase, one level deep unless `nested` names keys to convert recursively. */
export function fromWire<T = Record<string, unknown>>(body: object, nested: readonly string[] = []): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined) continue;
    out[camel(k)] = nested.includes(k) && v !== null && typeof v === 'object' ? fromWire(v) : v;
  }
  return out as T;
}
