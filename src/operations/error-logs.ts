/**
 * Structured error logs of bots and services: record one entry (or a batch, in one transaction),
 * query by level, source and time window (newest first), count production and test rows.
 */
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { LOG_LEVELS, type LogLevel } from '../entities/operations-tables.ts';
import { parseInput } from '../input/parse.ts';
import { botVersion, limitInput, when } from '../input/fields.ts';
import {
  defineCount,
  defineSelect,
  type Keyset,
  type Page,
  productionUnless,
  tablePage,
  Where,
} from '../db/listing.ts';
import { col, defineTable, type NewRow } from '../db/table.ts';
import { inTransaction, type Tx } from '../db/transaction.ts';

const logLevel = z.enum(LOG_LEVELS);

const ErrorLogInput = z
  .object({
    level: logLevel,
    source: z.string().trim().min(1).max(128),
    message: z.string().min(1),
    stack: z.string().nullish(),
    context: z.record(z.string(), z.json()).nullish(),
    ts: when.optional(),
    testMode: z.boolean().default(false),
    botVersion: botVersion.nullish(),
  })
  .strict();

export type ErrorLogInput = z.input<typeof ErrorLogInput>;

export interface ErrorLogView {
  id: number;
  ts: Date;
  level: LogLevel;
  source: string;
  message: string;
  stack: string | null;
  context: Record<string, unknown> | null;
  testMode: boolean;
  botVersion: string | null;
}

export const errorLogs = defineTable<ErrorLogView>('error_logs', 'error log', {
  id: col.id(),
  ts: col.time(),
  level: col.text<LogLevel>(),
  source: col.text(),
  message: col.text(),
  stack: col.textOrNull(),
  context: col.json<Record<string, unknown>>(),
  testMode: col.bool(),
  botVersion: col.textOrNull(),
});

function rowData(input: z.output<typeof ErrorLogInput>): NewRow<ErrorLogView> {
  return {
    ts: input.ts ?? new Date(),
    level: input.level,
    source: input.source,
    message: input.message,
    stack: input.stack ?? null,
    context: (input.context as Record<string, unknown> | null | undefined) ?? null,
    testMode: input.testMode,
    botVersion: input.botVersion ?? null,
  };
}

/** Records one log entry; `ts` defaults to now. */
export async function recordErrorLog(store: Store, input: ErrorLogInput): Promise<ErrorLogView> {
  const data = rowData(parseInput(ErrorLogInput, input, 'recordErrorLog'));
  return inTransaction(store, (tx) => errorLogs.insert(tx, data));
}

/** Records several entries in one transaction: all or none. */
export async function recordErrorLogs(store: Store, inputs: ErrorLogInput[]): Promise<number> {
  const rows = parseInput(z.array(ErrorLogInput), inputs, 'recordErrorLogs').map(rowData);
  await inTransaction(store, async (tx) => {
    for (const data of rows) await errorLogs.insert(tx, data);
  });
  return rows.length;
}

const ErrorLogQuery = z
  .object({
    /** Exactly these levels. */
    levels: z.array(logLevel).min(1).optional(),
    /** This level and the more severe ones (debug < info < warning < error < critical). */
    minLevel: logLevel.optional(),
    source: z.string().trim().min(1).optional(),
    from: when.optional(),
    to: when.optional(),
    includeTest: z.boolean().default(false),
    limit: limitInput(10_000, 100),
  })
  .strict();

export type ErrorLogQuery = z.input<typeof ErrorLogQuery>;

function where(tx: Tx, q: Omit<z.output<typeof ErrorLogQuery>, 'limit' | 'includeTest'>): Where {
  const filter = new Where();
  let levels: LogLevel[] | undefined = q.levels;
  if (q.minLevel) {
    const floor = LOG_LEVELS.indexOf(q.minLevel);
    const severe = LOG_LEVELS.filter((_, i) => i >= floor);
    levels = levels ? levels.filter((l) => severe.includes(l)) : severe;
  }
  if (levels)
    filter.add(levels.length === 0 ? '1 = 0' : `level in (${levels.map(() => '?').join(', ')})`, ...levels);
  filter.when(q.source, 'source = ?', q.source);
  filter.when(q.from, 'ts >= ?', q.from && tx.time(q.from));
  filter.when(q.to, 'ts < ?', q.to && tx.time(q.to));
  return filter;
}

/** Entries matching the filters, newest first; production rows only unless `includeTest`. */
export const queryErrorLogs = defineSelect(errorLogs, {
  query: ErrorLogQuery,
  what: 'queryErrorLogs',
  filter: (q, tx) => productionUnless(tx, q.includeTest, where(tx, q)),
  orderBy: 'ts desc, id desc',
});

/** How many entries match the filters, production and test counted apart. */
export const countErrorLogs = defineCount(errorLogs, {
  query: ErrorLogQuery.omit({ includeTest: true, limit: true }),
  what: 'countErrorLogs',
  filter: (q, tx) => where(tx, q),
});

/** Error logs newest first (by arrival), a keyset page; production only unless `includeTest`. */
export async function pageErrorLogs(
  store: Store,
  query: Keyset & { includeTest?: boolean | undefined },
): Promise<Page<ErrorLogView>> {
  return tablePage(store, errorLogs, (tx) => productionUnless(tx, query.includeTest), query);
}
