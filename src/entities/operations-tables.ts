import { defineEntity, p } from '@mikro-orm/core';
import { BigIdType } from './types/big-id.ts';
import { provenance } from './common.ts';
import { EVENT_TOPICS } from './value-lists.ts';

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Structured errors from bots and services. Refinement: `stack` keeps the trace out of `context`.
 * Queried by time, by level and by source, each newest first.
 */
export const ErrorLogSchema = defineEntity({
  name: 'ErrorLog',
  tableName: 'error_logs',
  properties: {
    id: p.integer().primary().autoincrement(),
    ts: p.datetime(),
    level: p.enum(LOG_LEVELS),
    source: p.string().length(128),
    message: p.text(),
    stack: p.text().nullable(),
    context: p.json<Record<string, unknown>>().nullable(),
    ...provenance(),
  },
  indexes: [
    { name: 'error_logs_ts_index', properties: ['ts'] },
    { name: 'error_logs_level_ts_index', properties: ['level', 'ts'] },
    { name: 'error_logs_source_ts_index', properties: ['source', 'ts'] },
    { name: 'error_logs_test_mode_ts_index', properties: ['testMode', 'ts'] },
  ],
});

export class ErrorLog extends ErrorLogSchema.class {}
ErrorLogSchema.setClass(ErrorLog);

/** Runtime key/value state of the bots (heartbeat, halted flag, cursors). Natural key: `key`. */
export const BotStatusSchema = defineEntity({
  name: 'BotStatus',
  tableName: 'bot_status',
  properties: {
    key: p.string().length(128).primary(),
    value: p.json<unknown>().nullable(),
    botVersion: p.string().length(64).nullable(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export class BotStatus extends BotStatusSchema.class {}
BotStatusSchema.setClass(BotStatus);

/**
 * Decision history older than the retention window (`db prune`), moved out of the hot table in
 * the same transaction that deletes it there. References are kept as plain ids without foreign
 * keys: an archived decision must neither block nor vanish with the portfolio or idea it names.
 */
export const DecisionHistoryArchiveSchema = defineEntity({
  name: 'DecisionHistoryArchive',
  tableName: 'decision_history_archive',
  properties: {
    id: p.integer().primary(),
    occurredAt: p.datetime(),
    portfolioId: p.integer().nullable(),
    assetId: p.integer().nullable(),
    action: p.string().length(32),
    actor: p.string().length(320),
    rationale: p.text().nullable(),
    confidence: p.double().nullable(),
    riskCheckResult: p.json<Record<string, unknown>>().nullable(),
    strategyId: p.integer().nullable(),
    tradeIdeaId: p.integer().nullable(),
    snapshotRef: p.string().length(255).nullable(),
    humanOverride: p.boolean().default(false),
    ...provenance(),
    archivedAt: p.datetime(),
  },
  indexes: [
    { name: 'decision_history_archive_occurred_at_index', properties: ['occurredAt'] },
    {
      name: 'decision_history_archive_portfolio_id_occurred_at_index',
      properties: ['portfolioId', 'occurredAt'],
    },
  ],
});

export class DecisionHistoryArchive extends DecisionHistoryArchiveSchema.class {}
DecisionHistoryArchiveSchema.setClass(DecisionHistoryArchive);

/**
 * The outbox (src/events/): one row per change a client wants to hear about, written in the
 * transaction of the change. `seq` is not auto-increment: it is taken from event_counter right
 * before commit, so it is gap-free and commit-ordered (a PostgreSQL sequence is neither).
 * `portfolio_id` has no foreign key: an event is history and must neither block nor vanish with
 * the portfolio it names. Read by `seq` ranges only (the primary key); pruned as a seq prefix.
 */
export const EventSchema = defineEntity({
  name: 'Event',
  tableName: 'events',
  properties: {
    seq: p.type(BigIdType).primary().autoincrement(false),
    occurredAt: p.datetime(),
    topic: p.enum(EVENT_TOPICS),
    portfolioId: p.integer().nullable(),
    payload: p.json<Record<string, unknown>>(),
  },
});

export class Event extends EventSchema.class {}
EventSchema.setClass(Event);

/**
 * The outbox's one-row counter (id 1): the last seq handed out. Updated in the writing
 * transaction, so its row lock orders the writers on PostgreSQL and a rollback gives the seqs back.
 */
export const EventCounterSchema = defineEntity({
  name: 'EventCounter',
  tableName: 'event_counter',
  properties: {
    id: p.integer().primary().autoincrement(false),
    seq: p.type(BigIdType),
  },
});

export class EventCounter extends EventCounterSchema.class {}
EventCounterSchema.setClass(EventCounter);
