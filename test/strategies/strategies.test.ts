/**
 * Strategies on both databases: versions only when the canonical config's hash changes, activation,
 * listing, and performance recomputed from trades into strategy_performance.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Decimal } from 'decimal.js';
import { actOnSignal } from '../../src/execution/chain.ts';
import { proposeTradeIdea } from '../../src/execution/ideas.ts';
import { recordSignal } from '../../src/execution/signals.ts';
import { listTrades } from '../../src/execution/trades.ts';
import { InvalidInputError } from '../../src/input/errors.ts';
import { canonicalJson, configHash } from '../../src/strategies/canonical.ts';
import {
  computePortfolioPerformance,
  listPerformance,
  recomputePerformance,
} from '../../src/strategies/strategy-performance.ts';
import {
  activateStrategy,
  deactivateStrategy,
  getStrategy,
  listStrategies,
  listStrategyVersions,
  registerStrategy,
  updateStrategy,
} from '../../src/strategies/strategies.ts';
import { computePerformance } from '../../src/trading/performance-metrics.ts';
import { createAssets, createTestPortfolio, createUser, openGate, unique } from '../execution/fixtures.ts';
import { eachDialect } from '../support/dialects.ts';

describe('canonical config JSON', () => {
  test('key order and undefined members do not change the hash; values and array order do', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 'x' } }),
      '{"a":{"c":"x","d":[1,{"y":2,"z":1}]},"b":1}',
    );
    assert.equal(configHash({ a: 1, b: 2 }), configHash({ b: 2, a: 1, c: undefined }));
    assert.notEqual(configHash({ a: [1, 2] }), configHash({ a: [2, 1] }));
    assert.notEqual(configHash({ a: 1 }), configHash({ a: '1' }));
    assert.match(configHash({}), /^[0-9a-f]{64}$/);
    assert.throws(() => canonicalJson({ a: Number.NaN }), /no JSON form/);
  });
});

eachDialect('strategies', (ctx) => {
  test('a version row is written only when the config hash changes', async () => {
    const name = unique('mean-reversion');
    const config = {
      allowedSymbols: ['BTC/USDT'],
      entryConditions: { rsi: { below: 30, period: 14 } },
      rrExpectation: 2,
    };
    const first = await registerStrategy(ctx.store, { name, description: 'v1', ...config });
    assert.deepEqual([first.created, first.versionCreated, first.versionChanged], [true, true, true]);
    const hash1 = first.strategy.currentVersionHash!;
    assert.equal(hash1, configHash(config));

    // Same config, keys in another order, new metadata: no new version.
    const same = await registerStrategy(ctx.store, {
      name,
      rrExpectation: 2,
      entryConditions: { rsi: { period: 14, below: 30 } },
      allowedSymbols: ['BTC/USDT'],
      description: 'same config, new words',
    });
    assert.deepEqual([same.created, same.versionCreated, same.versionChanged], [false, false, false]);
    assert.equal(same.strategy.description, 'same config, new words');
    assert.equal((await listStrategyVersions(ctx.store, name)).length, 1);

    // Changed config: new version and pointer.
    const changed = await updateStrategy(ctx.store, {
      strategy: name,
      entryConditions: { rsi: { below: 25, period: 14 } },
    });
    assert.deepEqual([changed.versionCreated, changed.versionChanged], [true, true]);
    assert.notEqual(changed.strategy.currentVersionHash, hash1);
    assert.deepEqual(
      changed.strategy.config.allowedSymbols,
      ['BTC/USDT'],
      'update keeps the fields it was not given',
    );

    // A metadata-only update: no version.
    const meta = await updateStrategy(ctx.store, { strategy: first.strategy.id, confidence: 0.6 });
    assert.deepEqual([meta.versionCreated, meta.versionChanged], [false, false]);

    // Back to the first config: the pointer returns to the existing row, nothing new is written.
    const back = await updateStrategy(ctx.store, {
      strategy: name,
      entryConditions: { rsi: { below: 30, period: 14 } },
    });
    assert.deepEqual([back.versionCreated, back.versionChanged], [false, true]);
    assert.equal(back.strategy.currentVersionHash, hash1);
    const versions = await listStrategyVersions(ctx.store, name);
    assert.equal(versions.length, 2);
    assert.deepEqual(versions[0]!.config, config);

    // Parameters are part of the config.
    const params = await updateStrategy(ctx.store, { strategy: name, parameters: { lookback: 20 } });
    assert.equal(params.versionCreated, true);
    assert.deepEqual((await getStrategy(ctx.store, name)).config.parameters, { lookback: 20 });
    assert.equal((await listStrategyVersions(ctx.store, name)).length, 3);

    // Signals carry the current version by default.
    const [asset] = await createAssets(ctx.store, ['BTC/USDT'], `strat-${ctx.dialect}`);
    const signal = await recordSignal(ctx.store, {
      strategyId: first.strategy.id,
      assetId: asset!,
      price: '1',
      action: 'hold',
      confidence: 0.5,
    });
    assert.equal(signal.strategyVersion, params.strategy.currentVersionHash);
  });

  test('registration: R:R above 0, no negative risk cap, the whole config or an explicit merge', async () => {
    const name = unique('whole');
    await assert.rejects(
      registerStrategy(ctx.store, { name, rrExpectation: 0, riskCaps: [{ maxNotional: -1 }] }),
      (e: unknown) =>
        e instanceof InvalidInputError &&
        e.issues.some((i) => i.path === 'rrExpectation') &&
        e.issues.some((i) => i.path === 'riskCaps[0].maxNotional'),
    );
    await assert.rejects(getStrategy(ctx.store, name), /strategy named ".*" does not exist/);

    const first = await registerStrategy(ctx.store, { name, exitRules: { stopPct: 2 }, rrExpectation: 2 });
    assert.equal(first.configUpdate, 'new');
    await assert.rejects(
      registerStrategy(ctx.store, { name, rrExpectation: 3 }),
      (e: unknown) =>
        e instanceof InvalidInputError && e.issues.length === 1 && e.issues[0]!.path === 'exitRules',
    );
    const merged = await registerStrategy(ctx.store, { name, rrExpectation: 3 }, { merge: true });
    assert.equal(merged.configUpdate, 'merged');
    assert.deepEqual(merged.kept, ['exitRules']);
    assert.deepEqual(merged.strategy.config, { exitRules: { stopPct: 2 }, rrExpectation: 3 });
    const replaced = await registerStrategy(ctx.store, { name, exitRules: null, rrExpectation: 3 });
    assert.equal(replaced.configUpdate, 'replaced');
    assert.deepEqual(replaced.strategy.config, { rrExpectation: 3 });
  });

  test('activate, deactivate and list; inactive strategies propose nothing', async () => {
    const owner = await createUser(ctx.store);
    const p = await createTestPortfolio(ctx.store, owner.id);
    const [asset] = await createAssets(ctx.store, ['ETH/USDT'], `strat-${ctx.dialect}`);
    const { strategy } = await registerStrategy(ctx.store, {
      name: unique('breakout'),
      sourceType: 'youtube',
      sourceRef: 'https://example.com/v',
    });
    const off = await deactivateStrategy(ctx.store, strategy.name);
    assert.equal(off.isActive, false);
    assert.ok((await listStrategies(ctx.store, { active: false })).some((s) => s.id === strategy.id));
    assert.ok(!(await listStrategies(ctx.store, { active: true })).some((s) => s.id === strategy.id));
    await assert.rejects(
      proposeTradeIdea(ctx.store, {
        portfolioId: p.id,
        strategyId: strategy.id,
        assetId: asset!,
        direction: 'long',
        quantity: '1',
        confidence: 0.9,
      }),
      /is inactive/,
    );
    assert.equal((await activateStrategy(ctx.store, strategy.id)).isActive, true);
    const listed = (await listStrategies(ctx.store)).find((s) => s.id === strategy.id)!;
    assert.equal(listed.sourceType, 'youtube');
    assert.equal(listed.currentVersionHash, configHash({}));
  });

  describe('performance', () => {
    let portfolioA = 0;
    let portfolioB = 0;
    let strategyId = 0;
    let otherId = 0;
    let asset = 0;

    before(async () => {
      const owner = await createUser(ctx.store);
      portfolioA = (await createTestPortfolio(ctx.store, owner.id, '10000')).id;
      portfolioB = (await createTestPortfolio(ctx.store, owner.id, '5000')).id;
      strategyId = (await registerStrategy(ctx.store, { name: unique('perf') })).strategy.id;
      otherId = (await registerStrategy(ctx.store, { name: unique('other') })).strategy.id;
      [asset] = (await createAssets(ctx.store, ['SOL/USDT'], `perf-${ctx.dialect}`)) as [number];
      await openGate(ctx.store);
      // Round trips: entry at 100 with a stop at 90 (1R = 10 per unit), exits at these prices.
      const roundTrip = async (portfolioId: number, sId: number, exit: string, fee = '0') => {
        const base = { portfolioId, strategyId: sId, assetId: asset, confidence: 0.9, quantity: '1' };
        await actOnSignal(ctx.store, {
          signal: { ...base, price: '100', action: 'buy' },
          idea: { stopLoss: '90' },
          fill: { fee },
        });
        await actOnSignal(ctx.store, { signal: { ...base, price: exit, action: 'sell' }, fill: { fee } });
      };
      await roundTrip(portfolioA, strategyId, '120');
      await roundTrip(portfolioA, strategyId, '95');
      await roundTrip(portfolioA, strategyId, '110', '0.5');
      await roundTrip(portfolioB, strategyId, '80');
      await roundTrip(portfolioA, otherId, '130');
    });

    test('per strategy, per (strategy, portfolio) and per portfolio, from the trades', async () => {
      const [all] = await recomputePerformance(ctx.store, { strategy: strategyId });
      assert.equal(all!.tradeCount, 4);
      assert.equal(all!.winCount, 2);
      assert.equal(all!.lossCount, 2);
      assert.equal(all!.winRate, 0.5);
      // pnl: 20, -5, 9, -20 → total 4; gross profit 29 / gross loss 25.
      assert.ok(all!.totalPnl!.eq(4));
      assert.ok(all!.profitFactor!.eq(new Decimal(29).div(25)));
      assert.ok(all!.expectancy!.eq(1));
      assert.ok(all!.avgRMultiple!.eq(new Decimal('0.1')), String(all!.avgRMultiple));
      assert.ok(all!.maxDrawdown!.eq(20));
      assert.equal(all!.portfolioId, null);

      const [inA] = await recomputePerformance(ctx.store, { strategy: strategyId, portfolioId: portfolioA });
      assert.equal(inA!.tradeCount, 3);
      assert.ok(inA!.totalPnl!.eq(24));

      // The same numbers the core computes from the stored trades.
      const trades = (await listTrades(ctx.store, { portfolioId: portfolioA, strategyId })).items;
      const expected = computePerformance(
        trades.map((t) => ({ pnl: t.pnl!, pnlR: t.pnlR, closedAt: t.exitTime! })),
        { startingEquity: new Decimal(10000) },
      );
      assert.ok(inA!.maxDrawdown!.eq(expected.maxDrawdown));
      assert.equal(inA!.sharpe, expected.sharpe);

      const perPortfolio = await recomputePerformance(ctx.store, { portfolioId: portfolioA });
      assert.deepEqual(
        perPortfolio.map((r) => [r.strategyId, r.tradeCount]),
        [
          [strategyId, 3],
          [otherId, 1],
        ].sort((a, b) => a[0]! - b[0]!),
      );
      const whole = await computePortfolioPerformance(ctx.store, { portfolioId: portfolioA });
      assert.equal(whole.tradeCount, 4);
      assert.ok(whole.totalPnl.eq(54));
    });

    test('recomputing replaces the row; windows select by exit time', async () => {
      await recomputePerformance(ctx.store, { strategy: strategyId });
      await recomputePerformance(ctx.store, { strategy: strategyId });
      const rows = await listPerformance(ctx.store, {
        strategy: strategyId,
        portfolioId: null,
        window: 'all',
      });
      assert.equal(rows.length, 1);
      const [recent] = await recomputePerformance(ctx.store, { strategy: strategyId, window: '7d' });
      assert.equal(recent!.tradeCount, 4);
      const [future] = await recomputePerformance(ctx.store, {
        strategy: strategyId,
        window: '1d',
        now: new Date(Date.now() + 3 * 86_400_000),
      });
      assert.equal(future!.tradeCount, 0);
      assert.equal(future!.totalPnl!.toString(), '0');
      assert.equal((await listPerformance(ctx.store, { strategy: strategyId })).length, 4);
      await assert.rejects(
        recomputePerformance(ctx.store, { strategy: strategyId, window: '30x' }),
        /window is/,
      );
      await assert.rejects(recomputePerformance(ctx.store, {}), /give a strategy, a portfolio or both/);
    });
  });
});
