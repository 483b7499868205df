/**
 * The one view → wire converter, below the services so that the HTTP API (src/api/) and the
 * outbox's event payloads (src/events/) share it. How values cross the wire: JSON is snake_case; exact decimals travel as strings (never JSON
 * numbers), times as ISO-8601 UTC. `toWire` turns a service view (camelCase, Decimal, Date) into
 * that; `fromWire` turns a validated body or query back into the services' camelCase input.
 * Fields that hold a client's own JSON (signal components, strategy parameters, contexts) are
 * passed through untouched: their keys are the client's, not ours.
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
  if (value instanceof Date) return value.toISOString();
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

/** Opaque JSON with any Decimal/Date inside it (a risk check's numbers) made JSON-safe, keys kept. */
function plainJson(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
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
