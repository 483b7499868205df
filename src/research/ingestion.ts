/**
 * Ingestion tasks: jobs that turn a source (PDF, video, code, notes) into a strategy.
 *
 *   queued  → running   startIngestionTask     (started_at = now, progress 0)
 *   running (progress)  reportIngestionProgress (progress in [0, 1]; only while running)
 *   running → done      completeIngestionTask  (progress 1, finished_at, optional strategy)
 *   running → failed    failIngestionTask      (error text, finished_at)
 *   failed  → queued    retryIngestionTask     (error, progress and times cleared)
 *
 * `done` is terminal (the table is src/trading/transitions.ts). Any other step throws
 * IllegalTransitionError and changes nothing. Each step is a compare-and-set on the status (`update … where id = ? and status = <expected>`), so two
 * workers racing to start the same task cannot both succeed.
 */
import type { FilterQuery } from '@mikro-orm/core';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { STRATEGY_SOURCE_TYPES } from '../entities/common.ts';
import {
  INGESTION_TASK_STATUSES,
  IngestionTask,
  type IngestionTaskStatus,
} from '../entities/strategy-tables.ts';
import { IllegalTransitionError, NotFoundError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import { confidence, id as idInput, limitInput } from '../input/fields.ts';
import { describeAllowed } from '../trading/refusals.ts';
import { allowedTransitions, canTransition } from '../trading/transitions.ts';
import { entityPage, type Keyset, type Page } from '../db/listing.ts';

/** Progress reported for a task that is not running: refused like a running → running step. */
function progressRefused(id: number, from: IngestionTaskStatus): IllegalTransitionError {
  return new IllegalTransitionError(
    'ingestion_task',
    from,
    'running',
    allowedTransitions('ingestion_task', from),
    `ingestion task ${id} is '${from}': progress is reported only while running`,
  );
}

/** The refusal of step `from → to` of task `id`, naming the task. */
function stepRefused(id: number, from: IngestionTaskStatus, to: IngestionTaskStatus): IllegalTransitionError {
  const allowed = allowedTransitions('ingestion_task', from);
  return new IllegalTransitionError(
    'ingestion_task',
    from,
    to,
    allowed,
    from === 'running' && to === 'running'
      ? `ingestion task ${id} is already running`
      : `ingestion task ${id}: illegal status transition '${from}' -> '${to}' (allowed from '${from}': ${describeAllowed(from, allowed)})`,
  );
}

export interface IngestionTaskView {
  id: number;
  sourceType: (typeof STRATEGY_SOURCE_TYPES)[number];
  sourceRef: string;
  status: IngestionTaskStatus;
  progress: number;
  error: string | null;
  strategyId: number | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

function ingestionTaskFromRow(row: IngestionTask): IngestionTaskView {
  return {
    id: row.id,
    sourceType: row.sourceType,
    sourceRef: row.sourceRef,
    status: row.status as IngestionTaskStatus,
    progress: Number(row.progress),
    error: row.error ?? null,
    strategyId: row.strategy ? row.strategy.id : null,
    startedAt: row.startedAt ?? null,
    finishedAt: row.finishedAt ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const QueueIngestionTaskInput = z
  .object({
    sourceType: z.enum(STRATEGY_SOURCE_TYPES),
    sourceRef: z.string().trim().min(1),
  })
  .strict();

/** A new task in `queued`. */
export async function queueIngestionTask(
  store: Store,
  input: z.input<typeof QueueIngestionTaskInput>,
): Promise<IngestionTaskView> {
  const data = parseInput(QueueIngestionTaskInput, input, 'queueIngestionTask');
  const em = store.em();
  const row = em.create(IngestionTask, { ...data, status: 'queued', progress: 0 });
  await em.persist(row).flush();
  return ingestionTaskFromRow(row);
}

export async function getIngestionTask(store: Store, id: number): Promise<IngestionTaskView | null> {
  const taskId = parseInput(idInput, id, 'getIngestionTask id');
  const row = await store.em().findOne(IngestionTask, { id: taskId });
  return row ? ingestionTaskFromRow(row) : null;
}

/**
 * Moves task `id` from `expected` to `to` with `changes`, atomically; throws (changing nothing)
 * when the task is missing or not in a status that allows the step.
 */
async function transition(
  store: Store,
  id: number,
  to: IngestionTaskStatus,
  changes: Record<string, unknown>,
  progressOnly = false,
): Promise<IngestionTaskView> {
  return store.em().transactional(async (em) => {
    const row = await em.findOne(IngestionTask, { id });
    if (!row) throw new NotFoundError(`ingestion task ${id} does not exist`);
    const from = row.status as IngestionTaskStatus;
    if (progressOnly) {
      if (from !== 'running') throw progressRefused(id, from);
    } else if (!canTransition('ingestion_task', from, to)) {
      throw stepRefused(id, from, to);
    }
    const updated = await em.nativeUpdate(
      IngestionTask,
      { id, status: from },
      { ...changes, status: to, updatedAt: new Date() },
    );
    if (updated !== 1) {
      // Another worker moved the task between our read and our write.
      const now = await em.findOneOrFail(IngestionTask, { id }, { refresh: true });
      if (progressOnly) throw progressRefused(id, now.status as IngestionTaskStatus);
      throw stepRefused(id, now.status as IngestionTaskStatus, to);
    }
    return ingestionTaskFromRow(await em.findOneOrFail(IngestionTask, { id }, { refresh: true }));
  });
}

/** queued → running. */
export async function startIngestionTask(store: Store, id: number): Promise<IngestionTaskView> {
  const taskId = parseInput(idInput, id, 'startIngestionTask id');
  return transition(store, taskId, 'running', { progress: 0, startedAt: new Date(), error: null });
}

/** Progress of a running task, a fraction in [0, 1]. */
export async function reportIngestionProgress(
  store: Store,
  id: number,
  progress: number,
): Promise<IngestionTaskView> {
  const input = parseInput(
    z.object({ id: idInput, progress: confidence }),
    { id, progress },
    'reportIngestionProgress',
  );
  return transition(store, input.id, 'running', { progress: input.progress }, true);
}

/** running → done (progress 1); `strategyId` is the strategy the job produced, if any. */
export async function completeIngestionTask(
  store: Store,
  id: number,
  options: { strategyId?: number | null } = {},
): Promise<IngestionTaskView> {
  const input = parseInput(
    z.object({ id: idInput, strategyId: idInput.nullish() }).strict(),
    { id, ...options },
    'completeIngestionTask',
  );
  const changes: Record<string, unknown> = { progress: 1, finishedAt: new Date(), error: null };
  if (input.strategyId !== undefined) changes.strategy = input.strategyId;
  return transition(store, input.id, 'done', changes);
}

/** running → failed with the error text. */
export async function failIngestionTask(store: Store, id: number, error: string): Promise<IngestionTaskView> {
  const input = parseInput(
    z.object({ id: idInput, error: z.string().trim().min(1) }),
    { id, error },
    'failIngestionTask',
  );
  return transition(store, input.id, 'failed', { error: input.error, finishedAt: new Date() });
}

/** failed → queued, for another attempt. */
export async function retryIngestionTask(store: Store, id: number): Promise<IngestionTaskView> {
  const taskId = parseInput(idInput, id, 'retryIngestionTask id');
  return transition(store, taskId, 'queued', { progress: 0, error: null, startedAt: null, finishedAt: null });
}

const IngestionTaskQuery = z
  .object({
    status: z.enum(INGESTION_TASK_STATUSES).optional(),
    sourceType: z.enum(STRATEGY_SOURCE_TYPES).optional(),
    limit: limitInput(10_000, 100),
  })
  .strict();

/** Tasks oldest first (the queue order), optionally of one status or source type. */
export async function listIngestionTasks(
  store: Store,
  options: z.input<typeof IngestionTaskQuery> = {},
): Promise<IngestionTaskView[]> {
  const q = parseInput(IngestionTaskQuery, options, 'listIngestionTasks');
  const filter: Record<string, unknown> = {};
  if (q.status) filter.status = q.status;
  if (q.sourceType) filter.sourceType = q.sourceType;
  const rows = await store.em().find(IngestionTask, filter as FilterQuery<IngestionTask>, {
    orderBy: { createdAt: 'asc', id: 'asc' },
    limit: q.limit,
  });
  return rows.map(ingestionTaskFromRow);
}

/** Ingestion tasks newest first, a keyset page (the queue order is listIngestionTasks'). */
export async function pageIngestionTasks(store: Store, query: Keyset): Promise<Page<IngestionTaskView>> {
  return entityPage(store.em(), IngestionTask, {}, query, ingestionTaskFromRow);
}
