/**
 * The risk gate through proposeTradeIdea, one table per rule, on both databases: each row sets the
 * global row (and a portfolio override where the row says so), builds the context in the database
 * (open positions, round trips closed today, a drawdown, a strategy watchlist) and checks the idea's
 * status, the rule's outcome in the audit row, the audit action, and the halt reason.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { listDecisions } from '../../src/audit/decision-history.ts';
import { recordFill } from '../../src/execution/fills.ts';
import { proposeTradeIdea } from '../../src/execution/ideas.ts';
import { placeOrder } from '../../src/execution/orders.ts';
import { insertCandles } from '../../src/marketdata/candles.ts';
import { updatePortfolio } from '../../src/portfolios/portfolios.ts';
import {
  getRiskConfig,
  type RiskConfigPatch,
  removePortfolioRiskConfig,
  setPortfolioRiskConfig,
} from '../../src/portfolios/risk-configs.ts';
import { registerStrategy } from '../../src/strategies/strategies.ts';
import { RISK_RULES, type RiskRule } from '../../src/trading/risk-gate.ts';
import { eachDialect } from '../support/dialects.ts';
import { createAssets, createTestPortfolio, createUser, openGate, unique } from './fixtures.ts';

type Verdict = 'auto_executed' | 'needs_approval' | 'halted_by_risk';

interface Row {
  name: string;
  global?: RiskConfigPatch;
  override?: RiskConfigPatch;
  idea?: { confidence?: number; quantity?: string; symbol?: 'BTC' | 'ETH' };
  /** Open positions to create first. */
  openPositions?: number;
  /** Net pnl of round trips closed today, created first. */
  closedToday?: string[];
  /** An open long of 10 on a fresh asset, bought at 100 and marked by a candle closing at `mark`. */
  openAt?: { mark: number };
  /** A long position already held in the idea's asset (BTC): this quantity bought at 100. */
  held?: string;
  /** The portfolio's own limits, set after the positions above were opened. */
  limits?: { maxPositions?: number; maxPositionSize?: string; maxTotalExposure?: string };
  expect: Verdict;
  passed: boolean;
}

const ACTION: Record<Verdict, string> = {
  auto_executed: 'ai_auto_executed',
  needs_approval: 'ai_proposed',
  halted_by_risk: 'risk_rejected',
};

const TABLES: Record<RiskRule, Row[]> = {
  ai_trading_enabled: [
    { name: 'enabled', global: { aiTradingEnabled: true }, expect: 'auto_executed', passed: true },
    { name: 'disabled', global: { aiTradingEnabled: false }, expect: 'needs_approval', passed: false },
    {
      name: 'disabled globally, enabled for the portfolio',
      global: { aiTradingEnabled: false },
      override: { aiTradingEnabled: true },
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'enabled globally, disabled for the portfolio',
      global: { aiTradingEnabled: true },
      override: { aiTradingEnabled: false },
      expect: 'needs_approval',
      passed: false,
    },
  ],
  min_confidence_threshold: [
    {
      name: 'above',
      global: { minConfidenceThreshold: 0.7 },
      idea: { confidence: 0.9 },
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'equal passes',
      global: { minConfidenceThreshold: 0.7 },
      idea: { confidence: 0.7 },
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'below',
      global: { minConfidenceThreshold: 0.7 },
      idea: { confidence: 0.69 },
      expect: 'needs_approval',
      passed: false,
    },
    {
      name: 'portfolio lowers the threshold',
      global: { minConfidenceThreshold: 0.9 },
      override: { minConfidenceThreshold: 0.5 },
      idea: { confidence: 0.6 },
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'portfolio raises the threshold',
      global: { minConfidenceThreshold: 0.5 },
      override: { minConfidenceThreshold: 0.95 },
      idea: { confidence: 0.9 },
      expect: 'needs_approval',
      passed: false,
    },
  ],
  max_lot_size: [
    {
      name: 'no cap',
      global: { maxLotSize: null },
      idea: { quantity: '1000000' },
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'equal passes',
      global: { maxLotSize: '1.5' },
      idea: { quantity: '1.5' },
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'one unit of 1e-18 over',
      global: { maxLotSize: '1.5' },
      idea: { quantity: '1.500000000000000001' },
      expect: 'halted_by_risk',
      passed: false,
    },
    {
      name: 'portfolio tightens',
      global: { maxLotSize: '10' },
      override: { maxLotSize: '1' },
      idea: { quantity: '2' },
      expect: 'halted_by_risk',
      passed: false,
    },
    {
      name: 'portfolio loosens',
      global: { maxLotSize: '1' },
      override: { maxLotSize: '10' },
      idea: { quantity: '2' },
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'null override inherits the global cap',
      global: { maxLotSize: '1' },
      override: { maxLotSize: null },
      idea: { quantity: '2' },
      expect: 'halted_by_risk',
      passed: false,
    },
  ],
  max_concurrent_trades: [
    {
      name: 'below the limit',
      global: { maxConcurrentTrades: 2 },
      openPositions: 1,
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'limit reached',
      global: { maxConcurrentTrades: 2 },
      openPositions: 2,
      expect: 'halted_by_risk',
      passed: false,
    },
    { name: 'zero allowed', global: { maxConcurrentTrades: 0 }, expect: 'halted_by_risk', passed: false },
    {
      name: 'portfolio allows more',
      global: { maxConcurrentTrades: 1 },
      override: { maxConcurrentTrades: 3 },
      openPositions: 1,
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'portfolio allows fewer',
      global: { maxConcurrentTrades: 5 },
      override: { maxConcurrentTrades: 1 },
      openPositions: 1,
      expect: 'halted_by_risk',
      passed: false,
    },
  ],
  daily_profit_target: [
    {
      name: 'below target',
      global: { dailyProfitTarget: '100', stopAfterTarget: true },
      closedToday: ['60', '39.99'],
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'target reached, stop after target',
      global: { dailyProfitTarget: '100', stopAfterTarget: true },
      closedToday: ['60', '40'],
      expect: 'halted_by_risk',
      passed: false,
    },
    {
      name: 'target reached, trading continues',
      global: { dailyProfitTarget: '100', stopAfterTarget: false },
      closedToday: ['150'],
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'portfolio sets its own target',
      global: { dailyProfitTarget: '1000', stopAfterTarget: true },
      override: { dailyProfitTarget: '50', stopAfterTarget: true },
      closedToday: ['50'],
      expect: 'halted_by_risk',
      passed: false,
    },
  ],
  max_drawdown_amount: [
    {
      name: 'within the limit',
      global: { maxDrawdownAmount: '100', haltOnDrawdown: true },
      closedToday: ['50', '-99.99'],
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'limit reached, halt',
      global: { maxDrawdownAmount: '100', haltOnDrawdown: true },
      closedToday: ['50', '-100'],
      expect: 'halted_by_risk',
      passed: false,
    },
    {
      name: 'limit reached, approval instead of halt',
      global: { maxDrawdownAmount: '100', haltOnDrawdown: false },
      closedToday: ['-120'],
      expect: 'needs_approval',
      passed: false,
    },
    {
      name: 'portfolio limit is tighter',
      global: { maxDrawdownAmount: '1000', haltOnDrawdown: true },
      override: { maxDrawdownAmount: '10' },
      closedToday: ['-10'],
      expect: 'halted_by_risk',
      passed: false,
    },
    {
      name: 'an open position losing 100.1 at the latest close counts',
      global: { maxDrawdownAmount: '100', haltOnDrawdown: true },
      openAt: { mark: 89.99 },
      expect: 'halted_by_risk',
      passed: false,
    },
    {
      name: 'an open loss of 99.9 stays within',
      global: { maxDrawdownAmount: '100', haltOnDrawdown: true },
      openAt: { mark: 90.01 },
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'an open gain of 60 offsets a closed loss of 120',
      global: { maxDrawdownAmount: '100', haltOnDrawdown: true },
      closedToday: ['-120'],
      openAt: { mark: 106 },
      expect: 'auto_executed',
      passed: true,
    },
  ],
  allow_off_watchlist_autotrade: [
    {
      name: 'on the watchlist',
      global: { allowOffWatchlistAutotrade: false },
      idea: { symbol: 'BTC' },
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'off the watchlist',
      global: { allowOffWatchlistAutotrade: false },
      idea: { symbol: 'ETH' },
      expect: 'needs_approval',
      passed: false,
    },
    {
      name: 'off the watchlist, allowed',
      global: { allowOffWatchlistAutotrade: true },
      idea: { symbol: 'ETH' },
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'portfolio allows off-watchlist',
      global: { allowOffWatchlistAutotrade: false },
      override: { allowOffWatchlistAutotrade: true },
      idea: { symbol: 'ETH' },
      expect: 'auto_executed',
      passed: true,
    },
  ],
  // The idea buys 1 BTC at 100; positions opened by `openPositions` cost 10 each.
  max_positions: [
    {
      name: 'one more fits',
      limits: { maxPositions: 2 },
      openPositions: 1,
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'limit reached',
      limits: { maxPositions: 1 },
      openPositions: 1,
      expect: 'halted_by_risk',
      passed: false,
    },
    {
      name: 'adding to an open position opens none',
      limits: { maxPositions: 1 },
      held: '1',
      expect: 'auto_executed',
      passed: true,
    },
  ],
  max_position_size: [
    { name: 'equal passes', limits: { maxPositionSize: '100' }, expect: 'auto_executed', passed: true },
    { name: 'over by 0.01', limits: { maxPositionSize: '99.99' }, expect: 'halted_by_risk', passed: false },
    {
      name: 'the held cost counts',
      limits: { maxPositionSize: '150' },
      held: '1',
      expect: 'halted_by_risk',
      passed: false,
    },
  ],
  max_total_exposure: [
    {
      name: 'equal passes',
      limits: { maxTotalExposure: '120' },
      openPositions: 2,
      expect: 'auto_executed',
      passed: true,
    },
    {
      name: 'over by 0.01',
      limits: { maxTotalExposure: '119.99' },
      openPositions: 2,
      expect: 'halted_by_risk',
      passed: false,
    },
  ],
};

eachDialect('risk gate through proposeTradeIdea', (ctx) => {
  let ownerId = 0;
  let btc = 0;
  let eth = 0;
  let strategyId = 0;

  before(async () => {
    ownerId = (await createUser(ctx.store)).id;
    [btc, eth] = (await createAssets(ctx.store, ['BTC/USDT', 'ETH/USDT'], `gate-${ctx.dialect}`)) as [
      number,
      number,
    ];
    strategyId = (
      await registerStrategy(ctx.store, { name: unique('btc-only'), allowedSymbols: ['btc/usdt'] })
    ).strategy.id;
  });

  /** A round trip on a third asset with exactly this net pnl (buy 1 at 1000, sell 1 at 1000 + pnl). */
  async function closeRoundTrip(portfolioId: number, assetId: number, pnl: string) {
    const buy = await placeOrder(ctx.store, { portfolioId, assetId, side: 'buy', quantity: '1' });
    await recordFill(ctx.store, { orderId: buy.order.id, quantity: '1', price: '1000' });
    const sell = await placeOrder(ctx.store, { portfolioId, assetId, side: 'sell', quantity: '1' });
    const price = (1000 + Number(pnl)).toFixed(2);
    await recordFill(ctx.store, { orderId: sell.order.id, quantity: '1', price });
  }

  for (const rule of RISK_RULES) {
    describe(rule, () => {
      for (const row of TABLES[rule]) {
        test(row.name, async () => {
          const portfolio = await createTestPortfolio(ctx.store, ownerId, '100000');
          await openGate(ctx.store, row.global);
          if (row.override)
            await setPortfolioRiskConfig(ctx.store, { portfolioId: portfolio.id, ...row.override });
          const [side] = await createAssets(ctx.store, [unique('SIDE/USDT')], `gate-${ctx.dialect}`);
          for (const pnl of row.closedToday ?? []) await closeRoundTrip(portfolio.id, side!, pnl);
          for (let i = 0; i < (row.openPositions ?? 0); i++) {
            const [asset] = await createAssets(ctx.store, [unique('OPEN/USDT')], `gate-${ctx.dialect}`);
            const { order } = await placeOrder(ctx.store, {
              portfolioId: portfolio.id,
              assetId: asset!,
              side: 'buy',
              quantity: '1',
            });
            await recordFill(ctx.store, { orderId: order.id, quantity: '1', price: '10' });
          }
          if (row.held) {
            const { order } = await placeOrder(ctx.store, {
              portfolioId: portfolio.id,
              assetId: btc,
              side: 'buy',
              quantity: row.held,
            });
            await recordFill(ctx.store, { orderId: order.id, quantity: row.held, price: '100' });
          }
          if (row.openAt) {
            const [marked] = await createAssets(ctx.store, [unique('MARK/USDT')], `gate-${ctx.dialect}`);
            const { order } = await placeOrder(ctx.store, {
              portfolioId: portfolio.id,
              assetId: marked!,
              side: 'buy',
              quantity: '10',
            });
            await recordFill(ctx.store, { orderId: order.id, quantity: '10', price: '100' });
            const c = row.openAt.mark;
            await insertCandles(ctx.store, marked!, '1h', [
              { ts: Date.now() - 3_600_000, open: c, high: c, low: c, close: c, volume: 1 },
            ]);
          }
          if (row.limits) await updatePortfolio(ctx.store, { portfolioId: portfolio.id, ...row.limits });

          const result = await proposeTradeIdea(ctx.store, {
            portfolioId: portfolio.id,
            strategyId,
            assetId: row.idea?.symbol === 'ETH' ? eth : btc,
            direction: 'long',
            quantity: row.idea?.quantity ?? '1',
            confidence: row.idea?.confidence ?? 0.8,
            entryPrice: '100',
            stopLoss: '90',
          });

          assert.equal(result.idea.status, row.expect);
          assert.equal(result.risk.verdict, row.expect);
          const outcome = result.risk.rules.find((r) => r.rule === rule)!;
          assert.equal(outcome.passed, row.passed, outcome.detail);
          // Every other rule passes under the open gate: the verdict is this rule's.
          for (const other of result.risk.rules.filter((r) => r.rule !== rule))
            assert.ok(other.passed, other.detail);

          const decisions = await listDecisions(ctx.store, { tradeIdeaId: result.idea.id });
          assert.equal(decisions.items.length, 1);
          const decision = decisions.items[0]!;
          assert.equal(decision.action, ACTION[row.expect]);
          const stored = decision.riskCheckResult as {
            verdict: string;
            rules: Array<{ rule: string; passed: boolean }>;
            config: { source: string };
          };
          assert.equal(stored.verdict, row.expect);
          assert.deepEqual(
            stored.rules.map((r) => r.rule),
            [...RISK_RULES],
          );
          assert.equal(stored.rules.find((r) => r.rule === rule)!.passed, row.passed);
          assert.equal(stored.config.source, row.override ? 'portfolio' : 'global');

          const governing = await getRiskConfig(ctx.store, row.override ? { portfolioId: portfolio.id } : {});
          if (row.expect === 'halted_by_risk') {
            assert.match(governing!.lastHaltReason ?? '', new RegExp(rule));
            assert.equal(result.idea.decidedBy, 'risk');
          }
          if (row.override)
            assert.ok(await removePortfolioRiskConfig(ctx.store, { portfolioId: portfolio.id }));
        });
      }
    });
  }

  test('a portfolio override row starts from the global switches', async () => {
    const portfolio = await createTestPortfolio(ctx.store, ownerId);
    await openGate(ctx.store, { aiTradingEnabled: true, minConfidenceThreshold: 0.42, maxLotSize: '5' });
    const override = await setPortfolioRiskConfig(ctx.store, {
      portfolioId: portfolio.id,
      maxConcurrentTrades: 3,
    });
    assert.equal(override.aiTradingEnabled, true);
    assert.equal(override.minConfidenceThreshold, 0.42);
    assert.equal(override.maxLotSize, null, 'a null limit inherits the global one');
    assert.equal(override.maxConcurrentTrades, 3);
  });
});
