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
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { STRATEGY_SOURCE_TYPES } from '../entities/common.ts';
import { INGESTION_TASK_STATUSES, type IngestionTaskStatus } from '../entities/strategy-tables.ts';
import { IllegalTransitionError, NotFoundError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import { confidence, id as idInput, limitInput } from '../input/fields.ts';
import { describeAllowed } from '../trading/refusals.ts';
import { allowedTransitions, canTransition } from '../trading/transitions.ts';
import { defineSelect, type Keyset, type Page, tablePage, Where } from '../db/listing.ts';
import { col, defineTable } from '../db/table.ts';
import { inTransaction, reading, type Tx } from '../db/transaction.ts';

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

export const ingestionTasks = defineTable<IngestionTaskView>('ingestion_tasks', 'ingestion task', {
  id: col.id(),
  sourceType: col.text<IngestionTaskView['sourceType']>(),
  sourceRef: col.text(),
  status: col.text<IngestionTaskStatus>(),
  progress: col.float(),
  error: col.textOrNull(),
  strategyId: col.intOrNull(),
  startedAt: col.timeOrNull(),
  finishedAt: col.timeOrNull(),
  createdAt: col.time(),
  updatedAt: col.time(),
});

type TaskChanges = Partial<Omit<IngestionTaskView, 'id' | 'status'>>;

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
  const now = new Date();
  return inTransaction(store, (tx) =>
    ingestionTasks.insert(tx, {
      ...data,
      status: 'queued',
      progress: 0,
      error: null,
      strategyId: null,
      startedAt: null,
      finishedAt: null,
      createdAt: now,
      updatedAt: now,
    }),
  );
}

const readTask = async (tx: Tx, id: number) => {
  const row = await tx.get('select * from ingestion_tasks where id = ?', [id]);
  return row ? ingestionTasks.fromRow(row) : null;
};

export async function getIngestionTask(store: Store, id: number): Promise<IngestionTaskView | null> {
  const taskId = parseInput(idInput, id, 'getIngestionTask id');
  return reading(store, (tx) => readTask(tx, taskId));
}

/**
 * Moves task `id` from `expected` to `to` with `changes`, atomically; throws (changing nothing)
 * when the task is missing or not in a status that allows the step.
 */
async function transition(
  store: Store,
  id: number,
  to: IngestionTaskStatus,
  changes: TaskChanges,
  progressOnly = false,
): Promise<IngestionTaskView> {
  const refused = (from: IngestionTaskStatus) =>
    progressOnly ? progressRefused(id, from) : stepRefused(id, from, to);
  return inTransaction(store, async (tx) => {
    const task = await readTask(tx, id);
    if (!task) throw new NotFoundError(`ingestion task ${id} does not exist`);
    const from = task.status;
    if (progressOnly ? from !== 'running' : !canTransition('ingestion_task', from, to)) throw refused(from);
    const set = { ...changes, status: to, updatedAt: new Date() };
    const updated = await ingestionTasks.update(tx, id, set, ['status = ?', from]);
    // Another worker moved the task between our read and our write.
    if (updated !== 1) throw refused((await readTask(tx, id))!.status);
    return (await readTask(tx, id))!;
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
  const changes: TaskChanges = { progress: 1, finishedAt: new Date(), error: null };
  if (input.strategyId !== undefined) changes.strategyId = input.strategyId;
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

/** Tasks oldest first (the queue order), optionally of one status or source type. */
export const listIngestionTasks = defineSelect(ingestionTasks, {
  query: z
    .object({
      status: z.enum(INGESTION_TASK_STATUSES).optional(),
      sourceType: z.enum(STRATEGY_SOURCE_TYPES).optional(),
      limit: limitInput(10_000, 100),
    })
    .strict(),
  what: 'listIngestionTasks',
  filter: (q) =>
    new Where().when(q.status, 'status = ?', q.status).when(q.sourceType, 'source_type = ?', q.sourceType),
  orderBy: 'created_at asc, id asc',
});

/** Ingestion tasks newest first, a keyset page (the queue order is listIngestionTasks'). */
export async function pageIngestionTasks(store: Store, query: Keyset): Promise<Page<IngestionTaskView>> {
  return tablePage(store, ingestionTasks, new Where(), query);
}
