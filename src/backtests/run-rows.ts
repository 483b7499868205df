/** Backtest runs and results as the services read and write them: views and table descriptions. */
import type { Decimal } from 'decimal.js';
import { col, defineTable, named } from '../db/table.ts';
import type { BacktestFeeModel, BacktestStatus, EquityPoint } from '../entities/backtest-tables.ts';
import type { Timeframe } from '../entities/common.ts';

export interface BacktestRunView {
  id: number;
  /** The strategy's id. */
  strategy: number;
  /** The strategy version's id. */
  strategyVersion: number | null;
  name: string;
  assets: string[];
  timeframe: Timeframe;
  periodStart: Date;
  periodEnd: Date;
  initialBalance: Decimal;
  feeModel: BacktestFeeModel | null;
  parameters: Record<string, unknown> | null;
  status: BacktestStatus;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  botVersion: string | null;
  createdAt: Date;
}

export const backtestRuns = defineTable<BacktestRunView>('backtest_runs', 'backtest run', {
  id: col.id(),
  strategy: named('strategy_id', col.int()),
  strategyVersion: named('strategy_version_id', col.intOrNull()),
  name: col.text(),
  assets: col.list<string>(),
  timeframe: col.text<Timeframe>(),
  periodStart: col.time(),
  periodEnd: col.time(),
  initialBalance: col.money(),
  feeModel: col.json<BacktestFeeModel>(),
  parameters: col.json<Record<string, unknown>>(),
  status: col.text<BacktestStatus>(),
  error: col.textOrNull(),
  startedAt: col.timeOrNull(),
  finishedAt: col.timeOrNull(),
  botVersion: col.textOrNull(),
  createdAt: col.time(),
});

export interface BacktestResultView {
  id: number;
  /** The run's id. */
  run: number;
  totalReturn: number | null;
  cagr: number | null;
  sharpe: number | null;
  sortino: number | null;
  maxDrawdown: Decimal | null;
  winRate: number | null;
  profitFactor: Decimal | null;
  tradeCount: number;
  finalBalance: Decimal | null;
  netProfit: Decimal | null;
  metrics: Record<string, unknown> | null;
  equityCurve: EquityPoint[] | null;
  createdAt: Date;
}

export const backtestResults = defineTable<BacktestResultView>('backtest_results', 'backtest result', {
  id: col.id(),
  run: named('run_id', col.int()),
  totalReturn: col.floatOrNull(),
  cagr: col.floatOrNull(),
  sharpe: col.floatOrNull(),
  sortino: col.floatOrNull(),
  maxDrawdown: col.moneyOrNull(),
  winRate: col.floatOrNull(),
  profitFactor: col.priceOrNull(),
  tradeCount: col.int(),
  finalBalance: col.moneyOrNull(),
  netProfit: col.moneyOrNull(),
  metrics: col.json<Record<string, unknown>>(),
  equityCurve: col.json<EquityPoint[]>(),
  createdAt: col.time(),
});
