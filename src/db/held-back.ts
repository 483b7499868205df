/**
 * What a PostgreSQL transaction holds back to send with its next round trip: its BEGIN (until its
 * first statement) and its `Tx.later` writes, and the reads of `Tx.readEach` sent together.
 *
 * They travel as one simple-protocol query of EXECUTEs of statements prepared on the connection
 * (SQL PREPARE, once per connection), so they cost no round trip of their own and the server plans
 * each statement once, as it does the driver's own prepared statements. The values go as literals:
 * pg's `prepareValue` text, quoted untyped, which the server types from the statement as it types
 * an untyped parameter. (Literal SQL, parsed and planned on every call, cost the server more than
 * the round trips saved: 8 bots on 8 portfolios went from 494 to 451 chains/s before the PREPAREs.)
 */
import { createRequire } from 'node:module';
import type { PoolClient } from 'pg';
import { pgStatement } from './statements.ts';
import { isoTime } from './wire.ts';

type Row = Record<string, unknown>;
export type PgResult = { rows: Row[]; rowCount: number | null };

/** `texts`: statements not sent yet; `prepare`: PREPAREs they need first; `begun`: BEGIN was sent. */
export interface HeldBack {
  texts: string[];
  prepare: Array<{ name: string; text: string }>;
  begun: boolean;
}

/** A connection whose transaction (if any) has begun and holds nothing back. */
export const nothingHeld = (): HeldBack => ({ texts: [], prepare: [], begun: true });

/**
 * `value` as a PostgreSQL string literal. The E'' form doubles backslashes and quotes, so it reads
 * the same whatever `standard_conforming_strings` is (pg's `escapeLiteral` rule, without its
 * per-character loop: an event payload is ~500 characters).
 */
export function sqlLiteral(value: string): string {
  if (value.includes('\\')) return `E'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
  return `'${value.replaceAll("'", "''")}'`;
}

const pgUtils = createRequire(import.meta.url)('pg/lib/utils.js') as {
  prepareValue(value: unknown): string | Buffer | null;
};

/**
 * A parameter as the untyped literal of the text the driver would send for it. A Date goes as its
 * ISO instant (remembered: `isoTime`) instead of pg's local-time spelling of the same instant:
 * every datetime column here is timestamptz (test/db/later-writes.test.ts holds them equal).
 */
function pgLiteral(value: unknown): string {
  if (value instanceof Date) return `'${isoTime(value)}'`;
  const text = pgUtils.prepareValue(value);
  if (text === null) return 'null';
  return sqlLiteral(typeof text === 'string' ? text : `\\x${text.toString('hex')}`);
}

// `?` → `$n` for PostgreSQL, cached per SQL text (the SQL here never has `?` inside literals).
const pgText = new Map<string, string>();
export function toPg(sql: string): string {
  let text = pgText.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    pgText.set(sql, text);
  }
  return text;
}

/** What PREPARE takes: SELECT, INSERT, UPDATE, DELETE, VALUES (and WITH … over them). */
const PREPARABLE = /^\s*(select|insert|update|delete|values|with)\b/i;

/** Per SQL text: the name and `$n` text it is prepared under, or null when PREPARE does not take it. */
const heldStatements = new Map<string, { name: string; text: string } | null>();

/** Statements prepared with SQL PREPARE, per connection (they outlive a rollback, not the session). */
const preparedOn = new WeakMap<PoolClient, Set<string>>();

function preparedSet(client: PoolClient): Set<string> {
  let set = preparedOn.get(client);
  if (set === undefined) preparedOn.set(client, (set = new Set()));
  return set;
}

/**
 * `sql` (`?` placeholders) with `params` as the text to hold back: an EXECUTE of its statement,
 * named apart from the driver's own, noting in `h` the PREPARE it needs; a statement PREPARE does
 * not take (DDL, LOCK, SET) goes as it is, its values as literals.
 */
export function heldStatement(
  client: PoolClient,
  h: HeldBack,
  sql: string,
  params: readonly unknown[],
): string {
  let statement = heldStatements.get(sql);
  if (statement === undefined) {
    const { name, text } = pgStatement(toPg(sql));
    statement = PREPARABLE.test(sql) ? { name: `x${name}`, text } : null;
    heldStatements.set(sql, statement);
  }
  if (statement === null) {
    let i = 0;
    return sql.replace(/\?/g, () => pgLiteral(params[i++]));
  }
  const own = statement.name;
  if (!preparedSet(client).has(own) && !h.prepare.some((p) => p.name === own)) h.prepare.push(statement);
  return params.length === 0 ? `execute ${own}` : `execute ${own}(${params.map(pgLiteral).join(', ')})`;
}

/**
 * What `h` holds back, then `texts`, in one round trip (after the PREPAREs it needs, the first
 * time a statement is held back on a connection); the results of `texts`, in order.
 */
export async function flushHeld(
  client: PoolClient,
  h: HeldBack,
  texts: readonly string[],
  types?: { getTypeParser(oid: number, format?: string): unknown },
): Promise<PgResult[]> {
  const prepared = preparedSet(client);
  for (const p of h.prepare.splice(0)) {
    await client.query(`prepare ${p.name} as ${p.text}`);
    prepared.add(p.name);
  }
  const all = [...h.texts, ...texts];
  const before = h.texts.length;
  h.texts = [];
  h.begun = true;
  const results = await client.query({ text: all.join(';\n'), ...(types === undefined ? {} : { types }) });
  // A query of several statements answers with one result each; of one, with that result.
  return (Array.isArray(results) ? (results as PgResult[]) : [results as PgResult]).slice(before);
}
