/**
 * Structured error logs of bots and services: record one entry (or a batch, in one transaction),
 * query by level, source and time window (newest first), count production and test rows.
 */
import type { FilterQuery } from '@mikro-orm/core';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { ErrorLog, LOG_LEVELS, type LogLevel } from '../entities/operations-tables.ts';
import { parseInput } from '../input/parse.ts';
import { botVersion, limitInput, type ScopeCounts, when } from '../input/fields.ts';
import { entityPage, type Keyset, type Page } from '../db/listing.ts';

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

function errorLogFromRow(row: ErrorLog): ErrorLogView {
  return {
    id: row.id,
    ts: row.ts,
    level: row.level,
    source: row.source,
    message: row.message,
    stack: row.stack ?? null,
    context: row.context ?? null,
    testMode: row.testMode,
    botVersion: row.botVersion ?? null,
  };
}

function rowData(input: z.output<typeof ErrorLogInput>) {
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
  const em = store.em();
  const row = em.create(ErrorLog, data);
  await em.persist(row).flush();
  return errorLogFromRow(row);
}

/** Records several entries in one transaction: all or none. */
export async function recordErrorLogs(store: Store, inputs: ErrorLogInput[]): Promise<number> {
  const rows = parseInput(z.array(ErrorLogInput), inputs, 'recordErrorLogs').map(rowData);
  await store.em().transactional(async (em) => {
    for (const data of rows) em.create(ErrorLog, data);
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

function where(q: Omit<z.output<typeof ErrorLogQuery>, 'limit' | 'includeTest'>): FilterQuery<ErrorLog> {
  const filter: FilterQuery<ErrorLog> & Record<string, unknown> = {};
  let levels: LogLevel[] | undefined = q.levels;
  if (q.minLevel) {
    const floor = LOG_LEVELS.indexOf(q.minLevel);
    const severe = LOG_LEVELS.filter((_, i) => i >= floor);
    levels = levels ? levels.filter((l) => severe.includes(l)) : severe;
  }
  if (levels) filter.level = { $in: levels };
  if (q.source) filter.source = q.source;
  if (q.from || q.to) {
    filter.ts = {
      ...(q.from ? { $gte: q.from } : {}),
      ...(q.to ? { $lt: q.to } : {}),
    };
  }
  return filter;
}

/** Entries matching the filters, newest first; production rows only unless `includeTest`. */
export async function queryErrorLogs(store: Store, query: ErrorLogQuery = {}): Promise<ErrorLogView[]> {
  const q = parseInput(ErrorLogQuery, query, 'queryErrorLogs');
  const filter = where(q) as Record<string, unknown>;
  if (!q.includeTest) filter.testMode = false;
  const rows = await store
    .em()
    .find(ErrorLog, filter as FilterQuery<ErrorLog>, { orderBy: { ts: 'desc', id: 'desc' }, limit: q.limit });
  return rows.map(errorLogFromRow);
}

/** How many entries match the filters, production and test counted apart. */
export async function countErrorLogs(
  store: Store,
  query: Omit<ErrorLogQuery, 'limit' | 'includeTest'> = {},
): Promise<ScopeCounts> {
  const q = parseInput(ErrorLogQuery, query, 'countErrorLogs');
  const filter = where(q) as Record<string, unknown>;
  const em = store.em();
  const production = await em.count(ErrorLog, { ...filter, testMode: false } as FilterQuery<ErrorLog>);
  const test = await em.count(ErrorLog, { ...filter, testMode: true } as FilterQuery<ErrorLog>);
  return { production, test };
}

/** Error logs newest first (by arrival), a keyset page; production only unless `includeTest`. */
export async function pageErrorLogs(
  store: Store,
  query: Keyset & { includeTest?: boolean | undefined },
): Promise<Page<ErrorLogView>> {
  return entityPage(
    store.em(),
    ErrorLog,
    query.includeTest ? {} : { testMode: false },
    query,
    errorLogFromRow,
  );
}
