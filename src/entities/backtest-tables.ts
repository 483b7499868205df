import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, positiveDecimalCheck, TIMEFRAMES, unitIntervalCheck } from './common.ts';
import { Strategy, StrategyVersion } from './strategy-tables.ts';
import { decimal, money } from './types/decimal.ts';

export const BACKTEST_STATUSES = ['queued', 'running', 'done', 'failed', 'canceled'] as const;
export type BacktestStatus = (typeof BACKTEST_STATUSES)[number];

/** Fee model of a backtest; rates are decimal strings so they stay exact in JSON. */
export interface BacktestFeeModel {
  kind: string;
  makerRate?: string;
  takerRate?: string;
  fixedFee?: string;
  slippageBps?: number;
  [key: string]: unknown;
}

/**
 * A backtest's configuration and lifecycle. The strategy (and the exact strategy version run) are
 * restricted: a backtest is evidence about that strategy. docs/domain.md's start/end are period_start and
 * period_end (END is a reserved word in SQL). `assets` is a JSON array of asset symbols as the run
 * saw them. bot_version records the engine build that produced the run.
 */
export const BacktestRunSchema = defineEntity({
  name: 'BacktestRun',
  tableName: 'backtest_runs',
  properties: {
    id: p.integer().primary().autoincrement(),
    strategy: () => p.manyToOne(Strategy).deleteRule('restrict').index(false),
    strategyVersion: () =>
      p
        .manyToOne(StrategyVersion)
        .nullable()
        .deleteRule('restrict')
        .index('backtest_runs_strategy_version_id_index'),
    name: p.string().length(255),
    assets: p.json<string[]>(),
    timeframe: p.enum(TIMEFRAMES),
    periodStart: p.datetime(),
    periodEnd: p.datetime(),
    initialBalance: money(),
    feeModel: p.json<BacktestFeeModel>().nullable(),
    parameters: p.json<Record<string, unknown>>().nullable(),
    status: p.enum(BACKTEST_STATUSES).default('queued'),
    error: p.text().nullable(),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
    botVersion: p.string().length(64).nullable(),
    createdAt: createdAt(),
  },
  indexes: [
    { name: 'backtest_runs_strategy_id_created_at_index', properties: ['strategy', 'createdAt'] },
    { name: 'backtest_runs_status_index', properties: ['status'] },
  ],
  checks: [{ name: 'backtest_runs_period_check', expression: 'period_end > period_start' }],
});

export class BacktestRun extends BacktestRunSchema.class {}
BacktestRunSchema.setClass(BacktestRun);

/** One equity-curve point: epoch ms and exact equity as a decimal string. */
export type EquityPoint = [ts: number, equity: string];

/**
 * The result of one run (unique run_id; cascades with the run). Float ratios: total_return, cagr,
 * sharpe, sortino, win_rate (0..1). Exact, as the trading core computes them: profit_factor (ratio,
 * 18 places) and the money amounts max_drawdown (largest fall from peak equity, ≥ 0), final_balance
 * and net_profit (the last two added so headline amounts need no curve replay). The run's trades
 * are in `trades` with is_backtest = true and backtest_run_id = the run.
 */
export const BacktestResultSchema = defineEntity({
  name: 'BacktestResult',
  tableName: 'backtest_results',
  properties: {
    id: p.integer().primary().autoincrement(),
    run: () => p.oneToOne(BacktestRun).owner().deleteRule('cascade').unique('backtest_results_run_id_unique'),
    totalReturn: p.double().nullable(),
    cagr: p.double().nullable(),
    sharpe: p.double().nullable(),
    sortino: p.double().nullable(),
    maxDrawdown: money().nullable(),
    winRate: p.double().nullable(),
    profitFactor: decimal().nullable(),
    tradeCount: p.integer().default(0),
    finalBalance: money().nullable(),
    netProfit: money().nullable(),
    metrics: p.json<Record<string, unknown>>().nullable(),
    equityCurve: p.json<EquityPoint[]>().nullable(),
    createdAt: createdAt(),
  },
  checks: [
    unitIntervalCheck('backtest_results', 'win_rate'),
    positiveDecimalCheck('backtest_results', 'max_drawdown', true),
  ],
});

export class BacktestResult extends BacktestResultSchema.class {}
BacktestResultSchema.setClass(BacktestResult);
