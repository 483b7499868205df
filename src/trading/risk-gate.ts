/**
 * The risk gate: decides what happens to an AI trade idea under the risk_configs control panel.
 *
 * Every rule is evaluated every time (the full list is the audit record stored in
 * decision_history.risk_check_result). The verdict is the most severe outcome of any failed rule:
 * halted_by_risk > needs_approval > auto_executed.
 *
 * | rule                          | fails when                                              | on failure     |
 * |-------------------------------|---------------------------------------------------------|----------------|
 * | ai_trading_enabled            | ai_trading_enabled is false                              | needs_approval |
 * | min_confidence_threshold      | confidence < threshold                                   | needs_approval |
 * | max_lot_size                  | quantity > max_lot_size                                  | halted_by_risk |
 * | max_concurrent_trades         | openTradeCount >= max (one more would exceed it)         | halted_by_risk |
 * | daily_profit_target           | stop_after_target and todaysRealizedPnl >= target        | halted_by_risk |
 * | max_drawdown_amount           | currentDrawdown >= max, halt_on_drawdown = true          | halted_by_risk |
 * |                               | currentDrawdown >= max, halt_on_drawdown = false         | needs_approval |
 * | allow_off_watchlist_autotrade | symbol not on the watchlist and the flag is false        | needs_approval |
 * | max_positions                 | the portfolio's own limits (portfolio-limits.ts), when   | halted_by_risk |
 * | max_position_size             | the context carries them: the idea's order would break   | halted_by_risk |
 * | max_total_exposure            | one of them                                              | halted_by_risk |
 *
 * Why this split: a disabled AI, low confidence or an unfamiliar symbol are judgement calls a
 * human may still approve; a hard size/exposure cap, a reached daily target the trader chose to
 * stop at, and a drawdown set to halt are limits the trader set in advance, so the idea is blocked
 * outright (to trade anyway the human changes the config and the AI proposes again).
 *
 * A null limit means "no limit" and the rule passes. Limits are inclusive: quantity = max lot
 * size, confidence = threshold pass. currentDrawdown is a non-negative amount (peak equity minus
 * current equity) in the portfolio's base currency. Symbols are compared trimmed and
 * case-insensitively; a null watchlist means the strategy does not restrict symbols.
 */
import type { Decimal } from 'decimal.js';
import { exact } from './exact.ts';
import {
  checkPortfolioLimits,
  type OpenExposure,
  type OrderIntent,
  PORTFOLIO_LIMITS,
  type PortfolioLimits,
} from './portfolio-limits.ts';

export type RiskVerdict = 'auto_executed' | 'needs_approval' | 'halted_by_risk';

/** The effective control panel (global row merged with the portfolio override). */
export interface RiskConfig {
  aiTradingEnabled: boolean;
  /** 0..1; null = no minimum. */
  minConfidenceThreshold: number | null;
  /** Largest quantity per idea; null = no cap. */
  maxLotSize: Decimal | null;
  maxConcurrentTrades: number | null;
  dailyProfitTarget: Decimal | null;
  stopAfterTarget: boolean;
  maxDrawdownAmount: Decimal | null;
  haltOnDrawdown: boolean;
  allowOffWatchlistAutotrade: boolean;
}

/** A portfolio's risk_configs row: every non-null field overrides the global row. */
export type RiskConfigOverride = { [K in keyof RiskConfig]?: RiskConfig[K] | null };

export interface RiskContext {
  /** The idea's confidence, 0..1. */
  confidence: number;
  quantity: Decimal;
  symbol: string;
  /** The strategy's allowed_symbols; null = unrestricted. */
  watchlist: readonly string[] | null;
  /** Round trips currently open in the portfolio (the new idea not counted). */
  openTradeCount: number;
  todaysRealizedPnl: Decimal;
  currentDrawdown: Decimal;
  /** The portfolio's own limits and what is open now; absent: the portfolio sets no limits. */
  portfolio?: { limits: PortfolioLimits; open: OpenExposure; order: OrderIntent };
}

export interface RuleResult {
  rule: RiskRule;
  passed: boolean;
  detail: string;
}

export interface RiskEvaluation {
  verdict: RiskVerdict;
  rules: RuleResult[];
  /** Details of the failed halting rules joined by '; ' (for risk_configs.last_halt_reason), else null. */
  haltReason: string | null;
}

export const RISK_RULES = [
  'ai_trading_enabled',
  'min_confidence_threshold',
  'max_lot_size',
  'max_concurrent_trades',
  'daily_profit_target',
  'max_drawdown_amount',
  'allow_off_watchlist_autotrade',
  ...PORTFOLIO_LIMITS,
] as const;
export type RiskRule = (typeof RISK_RULES)[number];

const CONFIG_KEYS = [
  'aiTradingEnabled',
  'minConfidenceThreshold',
  'maxLotSize',
  'maxConcurrentTrades',
  'dailyProfitTarget',
  'stopAfterTarget',
  'maxDrawdownAmount',
  'haltOnDrawdown',
  'allowOffWatchlistAutotrade',
] as const satisfies readonly (keyof RiskConfig)[];

/**
 * Merges the global row with a portfolio's override: a non-null override field wins. Consequence:
 * a portfolio can tighten or loosen a limit but cannot remove one the global row sets (null
 * means "inherit"); to loosen it, set a large value.
 */
export function effectiveRiskConfig(global: RiskConfig, override: RiskConfigOverride | null): RiskConfig {
  const merged: RiskConfig = { ...global };
  if (override === null) return merged;
  for (const key of CONFIG_KEYS) {
    const value = override[key];
    if (value !== null && value !== undefined) (merged as Record<typeof key, unknown>)[key] = value;
  }
  return merged;
}

type Severity = Exclude<RiskVerdict, 'auto_executed'>;
interface Check extends RuleResult {
  severity: Severity;
}

function normalizeSymbol(symbol: string): string {
  return symbol.trim().toUpperCase();
}

/** A rule of the gate: its check of the idea, in the context's exact values. */
type Rule = (config: RiskConfig, context: RiskContext, exactContext: ExactContext) => Check;

interface ExactContext {
  quantity: Decimal;
  todaysPnl: Decimal;
  drawdown: Decimal;
}

const aiTradingEnabled: Rule = (config) => ({
  rule: 'ai_trading_enabled',
  passed: config.aiTradingEnabled,
  severity: 'needs_approval',
  detail: config.aiTradingEnabled ? 'AI trading is enabled' : 'AI trading is disabled: a human must decide',
});

const minConfidence: Rule = (config, context) => {
  const threshold = config.minConfidenceThreshold;
  if (threshold === null)
    return {
      rule: 'min_confidence_threshold',
      passed: true,
      severity: 'needs_approval',
      detail: 'no minimum',
    };
  const passed = context.confidence >= threshold;
  return {
    rule: 'min_confidence_threshold',
    passed,
    severity: 'needs_approval',
    detail: `confidence ${context.confidence} ${passed ? '>=' : '<'} threshold ${threshold}`,
  };
};

const maxLotSize: Rule = (config, _context, { quantity }) => {
  if (config.maxLotSize === null)
    return { rule: 'max_lot_size', passed: true, severity: 'halted_by_risk', detail: 'no lot size cap' };
  const maxLot = exact(config.maxLotSize, 'maxLotSize');
  const passed = quantity.lte(maxLot);
  return {
    rule: 'max_lot_size',
    passed,
    severity: 'halted_by_risk',
    detail: `quantity ${quantity.toString()} ${passed ? '<=' : '>'} max lot size ${maxLot.toString()}`,
  };
};

const maxConcurrentTrades: Rule = (config, context) => {
  const maxTrades = config.maxConcurrentTrades;
  if (maxTrades === null)
    return { rule: 'max_concurrent_trades', passed: true, severity: 'halted_by_risk', detail: 'no limit' };
  const passed = context.openTradeCount < maxTrades;
  return {
    rule: 'max_concurrent_trades',
    passed,
    severity: 'halted_by_risk',
    detail: `${context.openTradeCount} open trades, limit ${maxTrades}${passed ? '' : ' reached'}`,
  };
};

const dailyProfitTarget: Rule = (config, _context, { todaysPnl }) => {
  const target =
    config.dailyProfitTarget === null ? null : exact(config.dailyProfitTarget, 'dailyProfitTarget');
  const targetReached = target !== null && todaysPnl.gte(target);
  return {
    rule: 'daily_profit_target',
    passed: !(targetReached && config.stopAfterTarget),
    severity: 'halted_by_risk',
    detail:
      target === null
        ? 'no daily profit target'
        : `today's realized P&L ${todaysPnl.toString()} ${targetReached ? '>=' : '<'} target ${target.toString()}` +
          (targetReached ? (config.stopAfterTarget ? ': stop after target' : ', trading continues') : ''),
  };
};

const maxDrawdownAmount: Rule = (config, _context, { drawdown }) => {
  const maxDrawdown =
    config.maxDrawdownAmount === null ? null : exact(config.maxDrawdownAmount, 'maxDrawdownAmount');
  const drawdownBreached = maxDrawdown !== null && drawdown.gte(maxDrawdown);
  return {
    rule: 'max_drawdown_amount',
    passed: !drawdownBreached,
    severity: config.haltOnDrawdown ? 'halted_by_risk' : 'needs_approval',
    detail:
      maxDrawdown === null
        ? 'no drawdown limit'
        : `drawdown ${drawdown.toString()} ${drawdownBreached ? '>=' : '<'} limit ${maxDrawdown.toString()}` +
          (drawdownBreached ? (config.haltOnDrawdown ? ': halt on drawdown' : ': approval required') : ''),
  };
};

const offWatchlist: Rule = (config, context) => {
  const symbol = normalizeSymbol(context.symbol);
  const onWatchlist =
    context.watchlist === null || context.watchlist.some((s) => normalizeSymbol(s) === symbol);
  return {
    rule: 'allow_off_watchlist_autotrade',
    passed: onWatchlist || config.allowOffWatchlistAutotrade,
    severity: 'needs_approval',
    detail:
      context.watchlist === null
        ? 'strategy has no watchlist'
        : onWatchlist
          ? `${context.symbol} is on the watchlist`
          : `${context.symbol} is off the watchlist${config.allowOffWatchlistAutotrade ? ', off-watchlist autotrade allowed' : ''}`,
  };
};

/** The gate's rules in the order the audit record lists them (the portfolio's limits follow). */
const RULES: readonly Rule[] = [
  aiTradingEnabled,
  minConfidence,
  maxLotSize,
  maxConcurrentTrades,
  dailyProfitTarget,
  maxDrawdownAmount,
  offWatchlist,
];

/** The portfolio's own limits, each a halting rule. */
function portfolioChecks(context: RiskContext): Check[] {
  const limits = context.portfolio
    ? checkPortfolioLimits(context.portfolio.limits, context.portfolio.open, context.portfolio.order)
    : PORTFOLIO_LIMITS.map((rule) => ({ rule, passed: true, detail: 'the portfolio sets no limits' }));
  return limits.map((check) => ({ ...check, severity: 'halted_by_risk' }));
}

/** Any failed halting rule halts; any other failure needs a human; else the AI may execute. */
function verdictOf(checks: readonly Check[]): RiskEvaluation {
  const failed = checks.filter((c) => !c.passed);
  const halting = failed.filter((c) => c.severity === 'halted_by_risk');
  const verdict: RiskVerdict =
    halting.length > 0 ? 'halted_by_risk' : failed.length > 0 ? 'needs_approval' : 'auto_executed';
  return {
    verdict,
    rules: checks.map(({ rule, passed, detail }) => ({ rule, passed, detail })),
    haltReason: halting.length > 0 ? halting.map((c) => `${c.rule}: ${c.detail}`).join('; ') : null,
  };
}

/** Runs every rule against an idea and returns the verdict with the per-rule audit record. */
export function evaluateRisk(config: RiskConfig, context: RiskContext): RiskEvaluation {
  const exactContext: ExactContext = {
    quantity: exact(context.quantity, 'quantity'),
    todaysPnl: exact(context.todaysRealizedPnl, 'todaysRealizedPnl'),
    drawdown: exact(context.currentDrawdown, 'currentDrawdown'),
  };
  const checks = RULES.map((rule) => rule(config, context, exactContext));
  return verdictOf([...checks, ...portfolioChecks(context)]);
}
