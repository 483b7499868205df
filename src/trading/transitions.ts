/**
 * Allowed status transitions of trade ideas and orders, and the decision_history action each
 * trade-idea transition records.
 *
 * Trade ideas are created in `waiting` (proposed, risk gate not yet run):
 *   waiting        → needs_approval (gate: human must decide)   records ai_proposed
 *   waiting        → auto_executed  (gate passed)               records ai_auto_executed
 *   waiting        → halted_by_risk (gate blocked it)           records risk_rejected
 *   waiting        → rejected       (human vetoed before gate)  records human_rejected
 *   needs_approval → approved                                   records human_approved
 *   needs_approval → rejected                                   records human_rejected
 *   needs_approval → halted_by_risk (re-check at approval time) records risk_rejected
 *   waiting | needs_approval → expired                          records nothing (no one decided)
 * approved, auto_executed, rejected, halted_by_risk and expired are terminal: what happens after a
 * decision is tracked by its orders, and a blocked idea is re-proposed rather than revived.
 * ai_proposed is recorded when the proposal reaches its first verdict that needs a human, so
 * every idea contributes exactly one row per decision. ai_halted / ai_resumed are portfolio-level
 * events (the gate halting AI trading, a human resuming it), not idea transitions.
 *
 * Orders follow the exchange lifecycle: new → open → partially_filled → filled; a market order
 * can fill (fully or partly) straight from new; canceled and expired keep a partial fill's filled
 * quantity. partially_filled → partially_filled is allowed (each further partial fill); every
 * other same-status "transition" is rejected, so callers skip no-op updates explicitly.
 *
 * Ingestion tasks (a source being turned into a strategy): queued → running → done | failed, and
 * failed → queued for a retry; done is terminal.
 */
import { IllegalTransitionError } from './refusals.ts';

export { IllegalTransitionError } from './refusals.ts';

export const TRADE_IDEA_STATUSES = [
  'waiting',
  'needs_approval',
  'approved',
  'auto_executed',
  'rejected',
  'halted_by_risk',
  'expired',
] as const;
export type TradeIdeaStatus = (typeof TRADE_IDEA_STATUSES)[number];

export const ORDER_STATUSES = [
  'new',
  'open',
  'partially_filled',
  'filled',
  'canceled',
  'rejected',
  'expired',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const INGESTION_TASK_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type IngestionTaskStatus = (typeof INGESTION_TASK_STATUSES)[number];

export const DECISION_ACTIONS = [
  'ai_proposed',
  'ai_auto_executed',
  'human_approved',
  'human_rejected',
  'risk_rejected',
  'ai_halted',
  'ai_resumed',
] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

export const TRADE_IDEA_INITIAL_STATUS: TradeIdeaStatus = 'waiting';
export const ORDER_INITIAL_STATUS: OrderStatus = 'new';

export interface StatusOf {
  trade_idea: TradeIdeaStatus;
  order: OrderStatus;
  ingestion_task: IngestionTaskStatus;
}
export type TransitionEntity = keyof StatusOf;

const IDEA_TRANSITIONS: Record<TradeIdeaStatus, Partial<Record<TradeIdeaStatus, DecisionAction | null>>> = {
  waiting: {
    needs_approval: 'ai_proposed',
    auto_executed: 'ai_auto_executed',
    halted_by_risk: 'risk_rejected',
    rejected: 'human_rejected',
    expired: null,
  },
  needs_approval: {
    approved: 'human_approved',
    rejected: 'human_rejected',
    halted_by_risk: 'risk_rejected',
    expired: null,
  },
  approved: {},
  auto_executed: {},
  rejected: {},
  halted_by_risk: {},
  expired: {},
};

const ORDER_TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  new: ['open', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired'],
  open: ['partially_filled', 'filled', 'canceled', 'expired'],
  partially_filled: ['partially_filled', 'filled', 'canceled', 'expired'],
  filled: [],
  canceled: [],
  rejected: [],
  expired: [],
};

export const INGESTION_TASK_TRANSITIONS: Readonly<
  Record<IngestionTaskStatus, readonly IngestionTaskStatus[]>
> = {
  queued: ['running'],
  running: ['done', 'failed'],
  done: [],
  failed: ['queued'],
};

const LISTS: { order: typeof ORDER_TRANSITIONS; ingestion_task: typeof INGESTION_TASK_TRANSITIONS } = {
  order: ORDER_TRANSITIONS,
  ingestion_task: INGESTION_TASK_TRANSITIONS,
};

/** Statuses reachable in one step from `from` ([] for a terminal or unknown status). */
export function allowedTransitions<E extends TransitionEntity>(entity: E, from: StatusOf[E]): StatusOf[E][] {
  if (entity === 'trade_idea') {
    const targets = Object.hasOwn(IDEA_TRANSITIONS, from) ? IDEA_TRANSITIONS[from as TradeIdeaStatus] : {};
    return Object.keys(targets) as StatusOf[E][];
  }
  const list: Readonly<Record<string, readonly string[]>> = LISTS[entity as 'order' | 'ingestion_task'];
  return Object.hasOwn(list, from) ? ([...list[from]!] as StatusOf[E][]) : [];
}

export function canTransition<E extends TransitionEntity>(
  entity: E,
  from: StatusOf[E],
  to: StatusOf[E],
): boolean {
  return allowedTransitions(entity, from).includes(to);
}

/**
 * Throws IllegalTransitionError unless `from → to` is an allowed transition of `entity`; `message`
 * replaces the default text (a service naming the row it refused).
 */
export function assertTransition<E extends TransitionEntity>(
  entity: E,
  from: StatusOf[E],
  to: StatusOf[E],
  message?: (allowed: readonly string[]) => string,
): void {
  if (!canTransition(entity, from, to)) {
    const allowed = allowedTransitions(entity, from);
    throw new IllegalTransitionError(entity, from, to, allowed, message?.(allowed));
  }
}

/**
 * The decision_history action a trade-idea transition records (null: expiry records none).
 * Throws IllegalTransitionError for a transition that is not allowed.
 */
export function decisionActionFor(from: TradeIdeaStatus, to: TradeIdeaStatus): DecisionAction | null {
  assertTransition('trade_idea', from, to);
  return IDEA_TRANSITIONS[from][to] ?? null;
}
