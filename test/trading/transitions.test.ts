import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  allowedTransitions,
  assertTransition,
  canTransition,
  DECISION_ACTIONS,
  decisionActionFor,
  IllegalTransitionError,
  INGESTION_TASK_STATUSES,
  ORDER_STATUSES,
  TRADE_IDEA_STATUSES,
  type TransitionEntity,
} from '../../src/trading/transitions.ts';

// The allowed pairs, written out independently of the implementation's tables.
const ALLOWED: Record<TransitionEntity, ReadonlySet<string>> = {
  trade_idea: new Set([
    'waiting>needs_approval',
    'waiting>auto_executed',
    'waiting>halted_by_risk',
    'waiting>rejected',
    'waiting>expired',
    'needs_approval>approved',
    'needs_approval>rejected',
    'needs_approval>halted_by_risk',
    'needs_approval>expired',
  ]),
  order: new Set([
    'new>open',
    'new>partially_filled',
    'new>filled',
    'new>canceled',
    'new>rejected',
    'new>expired',
    'open>partially_filled',
    'open>filled',
    'open>canceled',
    'open>expired',
    'partially_filled>partially_filled',
    'partially_filled>filled',
    'partially_filled>canceled',
    'partially_filled>expired',
  ]),
  ingestion_task: new Set(['queued>running', 'running>done', 'running>failed', 'failed>queued']),
};

const STATUSES: Record<TransitionEntity, readonly string[]> = {
  trade_idea: TRADE_IDEA_STATUSES,
  order: ORDER_STATUSES,
  ingestion_task: INGESTION_TASK_STATUSES,
};

describe('transitions: full cross-product', () => {
  for (const entity of ['trade_idea', 'order', 'ingestion_task'] as const) {
    test(`${entity}: every (from, to) pair is allowed iff listed`, () => {
      const statuses = STATUSES[entity];
      assert.equal(statuses.length, entity === 'ingestion_task' ? 4 : 7);
      let allowed = 0;
      for (const from of statuses) {
        for (const to of statuses) {
          const legal = ALLOWED[entity].has(`${from}>${to}`);
          // eslint-disable-next-line @typescript-eslint/no-explicit-any -- iterating the cross-product over both entities
          const args = [entity, from, to] as [any, any, any];
          assert.equal(canTransition(...args), legal, `${entity} ${from} -> ${to}`);
          if (legal) {
            allowed++;
            assert.doesNotThrow(() => assertTransition(...args));
          } else {
            assert.throws(
              () => assertTransition(...args),
              (err: unknown) => {
                assert.ok(err instanceof IllegalTransitionError);
                assert.equal(err.entity, entity);
                assert.equal(err.from, from);
                assert.equal(err.to, to);
                const targets = statuses.filter((s) => ALLOWED[entity].has(`${from}>${s}`));
                assert.deepEqual([...err.allowed].sort(), [...targets].sort());
                assert.ok(err.message.includes(`'${from}' -> '${to}'`), err.message);
                assert.ok(err.message.includes(entity), err.message);
                for (const t of targets) assert.ok(err.message.includes(t), err.message);
                if (targets.length === 0) assert.match(err.message, /terminal/);
                return true;
              },
              `${entity} ${from} -> ${to} must be rejected`,
            );
          }
        }
      }
      assert.equal(allowed, ALLOWED[entity].size);
    });
  }

  test('unknown statuses are rejected, not crashed on', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- deliberately invalid input from an untyped caller
    assert.throws(() => assertTransition('order', 'bogus' as any, 'open'), IllegalTransitionError);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- deliberately invalid input from an untyped caller
    assert.deepEqual(allowedTransitions('trade_idea', 'toString' as any), []);
  });
});

describe('decision_history action per trade-idea transition', () => {
  const expected: Array<[string, string, string | null]> = [
    ['waiting', 'needs_approval', 'ai_proposed'],
    ['waiting', 'auto_executed', 'ai_auto_executed'],
    ['waiting', 'halted_by_risk', 'risk_rejected'],
    ['waiting', 'rejected', 'human_rejected'],
    ['waiting', 'expired', null],
    ['needs_approval', 'approved', 'human_approved'],
    ['needs_approval', 'rejected', 'human_rejected'],
    ['needs_approval', 'halted_by_risk', 'risk_rejected'],
    ['needs_approval', 'expired', null],
  ];
  for (const [from, to, action] of expected) {
    test(`${from} -> ${to} records ${action}`, () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- table of literal statuses
      const got = decisionActionFor(from as any, to as any);
      assert.equal(got, action);
      if (got !== null) assert.ok((DECISION_ACTIONS as readonly string[]).includes(got));
    });
  }

  test('an illegal transition records nothing: it throws', () => {
    assert.throws(() => decisionActionFor('approved', 'rejected'), IllegalTransitionError);
  });
});
