import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Decimal } from 'decimal.js';
import {
  effectiveRiskConfig,
  evaluateRisk,
  RISK_RULES,
  type RiskConfig,
  type RiskContext,
  type RiskRule,
  type RiskVerdict,
} from '../../src/trading/risk-gate.ts';

const d = (v: string | number) => new Decimal(v);

/** A config with every limit set, and an idea that passes all of them. */
const baseConfig: RiskConfig = {
  aiTradingEnabled: true,
  minConfidenceThreshold: 0.7,
  maxLotSize: d('2'),
  maxConcurrentTrades: 3,
  dailyProfitTarget: d('500'),
  stopAfterTarget: true,
  maxDrawdownAmount: d('1000'),
  haltOnDrawdown: true,
  allowOffWatchlistAutotrade: false,
};
const baseContext: RiskContext = {
  confidence: 0.8,
  quantity: d('1'),
  symbol: 'BTC/USDT',
  watchlist: ['BTC/USDT', 'ETH/USDT'],
  openTradeCount: 1,
  todaysRealizedPnl: d('100'),
  currentDrawdown: d('200'),
};

interface Case {
  name: string;
  rule: RiskRule;
  config?: Partial<RiskConfig>;
  context?: Partial<RiskContext>;
  passed: boolean;
  verdict: RiskVerdict;
}

const cases: Case[] = [
  { name: 'AI enabled', rule: 'ai_trading_enabled', passed: true, verdict: 'auto_executed' },
  {
    name: 'AI disabled → human decides',
    rule: 'ai_trading_enabled',
    config: { aiTradingEnabled: false },
    passed: false,
    verdict: 'needs_approval',
  },
  {
    name: 'confidence equal to the threshold passes',
    rule: 'min_confidence_threshold',
    context: { confidence: 0.7 },
    passed: true,
    verdict: 'auto_executed',
  },
  {
    name: 'confidence below the threshold → approval',
    rule: 'min_confidence_threshold',
    context: { confidence: 0.69 },
    passed: false,
    verdict: 'needs_approval',
  },
  {
    name: 'no confidence threshold',
    rule: 'min_confidence_threshold',
    config: { minConfidenceThreshold: null },
    context: { confidence: 0 },
    passed: true,
    verdict: 'auto_executed',
  },
  {
    name: 'quantity equal to the max lot passes',
    rule: 'max_lot_size',
    context: { quantity: d('2') },
    passed: true,
    verdict: 'auto_executed',
  },
  {
    name: 'quantity above the max lot → halted',
    rule: 'max_lot_size',
    context: { quantity: d('2.00000001') },
    passed: false,
    verdict: 'halted_by_risk',
  },
  {
    name: 'no lot cap',
    rule: 'max_lot_size',
    config: { maxLotSize: null },
    context: { quantity: d('1e9') },
    passed: true,
    verdict: 'auto_executed',
  },
  {
    name: 'one slot left',
    rule: 'max_concurrent_trades',
    context: { openTradeCount: 2 },
    passed: true,
    verdict: 'auto_executed',
  },
  {
    name: 'concurrent trade limit reached → halted',
    rule: 'max_concurrent_trades',
    context: { openTradeCount: 3 },
    passed: false,
    verdict: 'halted_by_risk',
  },
  {
    name: 'daily target not reached',
    rule: 'daily_profit_target',
    context: { todaysRealizedPnl: d('499.99') },
    passed: true,
    verdict: 'auto_executed',
  },
  {
    name: 'daily target reached with stop_after_target → halted',
    rule: 'daily_profit_target',
    context: { todaysRealizedPnl: d('500') },
    passed: false,
    verdict: 'halted_by_risk',
  },
  {
    name: 'daily target reached without stop_after_target keeps trading',
    rule: 'daily_profit_target',
    config: { stopAfterTarget: false },
    context: { todaysRealizedPnl: d('800') },
    passed: true,
    verdict: 'auto_executed',
  },
  {
    name: 'drawdown under the limit',
    rule: 'max_drawdown_amount',
    context: { currentDrawdown: d('999.99') },
    passed: true,
    verdict: 'auto_executed',
  },
  {
    name: 'drawdown at the limit with halt_on_drawdown → halted',
    rule: 'max_drawdown_amount',
    context: { currentDrawdown: d('1000') },
    passed: false,
    verdict: 'halted_by_risk',
  },
  {
    name: 'drawdown breached without halt_on_drawdown → approval',
    rule: 'max_drawdown_amount',
    config: { haltOnDrawdown: false },
    context: { currentDrawdown: d('1500') },
    passed: false,
    verdict: 'needs_approval',
  },
  {
    name: 'symbol on the watchlist (trimmed, case-insensitive)',
    rule: 'allow_off_watchlist_autotrade',
    context: { symbol: ' eth/usdt ' },
    passed: true,
    verdict: 'auto_executed',
  },
  {
    name: 'off-watchlist symbol → approval',
    rule: 'allow_off_watchlist_autotrade',
    context: { symbol: 'DOGE/USDT' },
    passed: false,
    verdict: 'needs_approval',
  },
  {
    name: 'off-watchlist symbol allowed to autotrade',
    rule: 'allow_off_watchlist_autotrade',
    config: { allowOffWatchlistAutotrade: true },
    context: { symbol: 'DOGE/USDT' },
    passed: true,
    verdict: 'auto_executed',
  },
  {
    name: 'strategy without a watchlist',
    rule: 'allow_off_watchlist_autotrade',
    context: { symbol: 'DOGE/USDT', watchlist: null },
    passed: true,
    verdict: 'auto_executed',
  },
  {
    name: 'empty watchlist means nothing is on it',
    rule: 'allow_off_watchlist_autotrade',
    context: { watchlist: [] },
    passed: false,
    verdict: 'needs_approval',
  },
];

describe('evaluateRisk: one rule at a time', () => {
  for (const c of cases) {
    test(`${c.rule}: ${c.name}`, () => {
      const result = evaluateRisk({ ...baseConfig, ...c.config }, { ...baseContext, ...c.context });
      assert.deepEqual(
        result.rules.map((r) => r.rule),
        [...RISK_RULES],
        'every rule is reported, in order',
      );
      for (const r of result.rules) {
        assert.equal(r.passed, r.rule === c.rule ? c.passed : true, `${r.rule}: ${r.detail}`);
        assert.ok(r.detail.length > 0);
      }
      assert.equal(result.verdict, c.verdict);
      assert.equal(result.haltReason === null, c.verdict !== 'halted_by_risk');
    });
  }
});

describe('evaluateRisk: combining failures', () => {
  test('halting beats approval, and the halt reason lists only halting rules', () => {
    const result = evaluateRisk(
      { ...baseConfig, aiTradingEnabled: false },
      { ...baseContext, quantity: d(5), openTradeCount: 3, confidence: 0.1 },
    );
    assert.equal(result.verdict, 'halted_by_risk');
    assert.deepEqual(
      result.rules.filter((r) => !r.passed).map((r) => r.rule),
      ['ai_trading_enabled', 'min_confidence_threshold', 'max_lot_size', 'max_concurrent_trades'],
    );
    assert.match(
      result.haltReason ?? '',
      /^max_lot_size: quantity 5 > max lot size 2; max_concurrent_trades: /,
    );
    assert.doesNotMatch(result.haltReason ?? '', /confidence/);
  });

  test('several approval failures still need only approval', () => {
    const result = evaluateRisk(
      { ...baseConfig, aiTradingEnabled: false },
      { ...baseContext, confidence: 0.1, symbol: 'XRP/USDT' },
    );
    assert.equal(result.verdict, 'needs_approval');
    assert.equal(result.haltReason, null);
  });
});

describe('effectiveRiskConfig: portfolio override precedence', () => {
  test('no override → the global row', () => {
    assert.deepEqual(effectiveRiskConfig(baseConfig, null), baseConfig);
  });

  test('non-null override fields win, null/absent fields inherit the global row', () => {
    const merged = effectiveRiskConfig(baseConfig, {
      maxLotSize: d('0.5'),
      minConfidenceThreshold: null,
      maxDrawdownAmount: null,
      aiTradingEnabled: false, // false is a value, not "unset"
      haltOnDrawdown: false,
      maxConcurrentTrades: 0, // 0 is a value too
    });
    assert.ok(merged.maxLotSize?.eq('0.5'));
    assert.equal(merged.minConfidenceThreshold, 0.7);
    assert.ok(merged.maxDrawdownAmount?.eq('1000'));
    assert.equal(merged.aiTradingEnabled, false);
    assert.equal(merged.haltOnDrawdown, false);
    assert.equal(merged.maxConcurrentTrades, 0);
    assert.equal(merged.stopAfterTarget, true);
    assert.ok(merged.dailyProfitTarget?.eq('500'));
    assert.equal(merged.allowOffWatchlistAutotrade, false);
  });

  test('the override changes the verdict through the merged config', () => {
    const override = { maxLotSize: d('0.5') };
    assert.equal(evaluateRisk(baseConfig, baseContext).verdict, 'auto_executed');
    assert.equal(
      evaluateRisk(effectiveRiskConfig(baseConfig, override), baseContext).verdict,
      'halted_by_risk',
    );
  });

  test('a portfolio cannot remove a global limit by setting it to null', () => {
    const merged = effectiveRiskConfig(baseConfig, { maxLotSize: null });
    assert.equal(evaluateRisk(merged, { ...baseContext, quantity: d(3) }).verdict, 'halted_by_risk');
  });

  test('the global row is not mutated', () => {
    effectiveRiskConfig(baseConfig, { maxConcurrentTrades: 9 });
    assert.equal(baseConfig.maxConcurrentTrades, 3);
  });
});
