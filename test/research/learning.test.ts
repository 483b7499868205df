import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Strategy } from '../../src/entities/all-tables.ts';
import {
  countLearningEntries,
  getLearningEntry,
  listLearningEntries,
  recordLearningEntry,
  validateLearningEntry,
} from '../../src/research/learning.ts';
import { eachDialect } from '../support/dialects.ts';

eachDialect('learning entries', (ctx) => {
  test('record, validate (count + 1, trade added once), list by validations then confidence', async () => {
    const em = ctx.store.em();
    const strategy = em.create(Strategy, { name: 'london-breakout' });
    await em.flush();
    const a = await recordLearningEntry(ctx.store, {
      strategyId: strategy.id,
      insight: 'Breakouts fail on FOMC days',
      supportingTrades: [11, 12, 11],
      confidence: 0.6,
      impactType: 'avoid',
      marketConditions: { regime: 'event', vix: 21.5 },
      botVersion: '3.1.0',
    });
    assert.deepEqual(a.supportingTrades, [11, 12]);
    assert.equal(a.validationCount, 0);
    assert.equal(a.strategyId, strategy.id);
    const b = await recordLearningEntry(ctx.store, {
      insight: 'Asian range predicts London',
      confidence: 0.9,
    });
    await recordLearningEntry(ctx.store, { insight: 'no confidence yet' });
    await recordLearningEntry(ctx.store, { insight: 'rehearsal insight', testMode: true });

    const v1 = await validateLearningEntry(ctx.store, a.id, { tradeId: 13 });
    assert.equal(v1.validationCount, 1);
    assert.deepEqual(v1.supportingTrades, [11, 12, 13]);
    const v2 = await validateLearningEntry(ctx.store, a.id, { tradeId: 13, confidence: 0.7 });
    assert.equal(v2.validationCount, 2);
    assert.deepEqual(v2.supportingTrades, [11, 12, 13]);
    assert.equal(v2.confidence, 0.7);
    await Promise.all([1, 2, 3].map(() => validateLearningEntry(ctx.store, b.id)));
    assert.equal((await getLearningEntry(ctx.store, b.id))?.validationCount, 3);

    assert.deepEqual(
      (await listLearningEntries(ctx.store)).map((e) => e.insight),
      ['Asian range predicts London', 'Breakouts fail on FOMC days', 'no confidence yet'],
    );
    assert.deepEqual(
      (await listLearningEntries(ctx.store, { strategyId: strategy.id })).map((e) => e.id),
      [a.id],
    );
    assert.deepEqual(
      (await listLearningEntries(ctx.store, { minConfidence: 0.8 })).map((e) => e.id),
      [b.id],
    );
  });

  test('test-mode entries are hidden unless asked for; counts report both', async () => {
    const all = await listLearningEntries(ctx.store, { includeTest: true });
    assert.equal(all.length, 4);
    assert.ok(all.some((e) => e.testMode && e.insight === 'rehearsal insight'));
    assert.deepEqual(await countLearningEntries(ctx.store), { production: 3, test: 1 });
  });

  test('invalid input names the field', async () => {
    await assert.rejects(
      recordLearningEntry(ctx.store, { insight: 'x', confidence: 1.5 }),
      /recordLearningEntry: confidence:/,
    );
    await assert.rejects(recordLearningEntry(ctx.store, { insight: '  ' }), /recordLearningEntry: insight:/);
    await assert.rejects(validateLearningEntry(ctx.store, 999_999), /learning entry 999999 does not exist/);
    await assert.rejects(
      validateLearningEntry(ctx.store, 1, { tradeId: -1 }),
      /validateLearningEntry: tradeId:/,
    );
  });
});
