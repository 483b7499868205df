import { defineEntity, p } from '@mikro-orm/core';
import { INGESTION_TASK_STATUSES, type IngestionTaskStatus } from '../trading/transitions.ts';
import {
  createdAt,
  positiveDecimalCheck,
  provenance,
  STRATEGY_SOURCE_TYPES,
  timestamps,
  unitIntervalCheck,
} from './common.ts';
import { Portfolio } from './portfolio-tables.ts';
import { decimal, money } from './types/decimal.ts';

/** An ingestion task's statuses and their allowed changes are the trading core's (src/trading/transitions.ts). */
export { INGESTION_TASK_STATUSES, type IngestionTaskStatus };

/** JSON shapes are owned by the strategy engine; the database only stores them. */
export type StrategyRules = Record<string, unknown> | unknown[];

/**
 * A trading strategy (extracted from a PDF/video, written by hand, or code).
 * Names are unique: signals, logs and humans refer to strategies by name.
 * `current_version` points at the strategy_versions row of the config now in force (set null if that
 * version row goes). The designs' trade_count/win_rate/avg_r_multiple are derived: they live in
 * strategy_performance. `entry_type` and the rule JSON columns come from the designs
 * (conditions → entry_conditions, risk_params → risk_caps). A strategy with trades, signals or
 * backtests cannot be deleted (restrict on those tables): deactivate it instead.
 */
export const StrategySchema = defineEntity({
  name: 'Strategy',
  tableName: 'strategies',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(255).unique('strategies_name_unique'),
    description: p.text().nullable(),
    sourceType: p.enum(STRATEGY_SOURCE_TYPES).default('manual'),
    sourceRef: p.text().nullable(),
    isActive: p.boolean().default(true),
    entryType: p.string().length(100).nullable(),
    allowedSymbols: p.json<string[]>().nullable(),
    sessionWindows: p.json<StrategyRules>().nullable(),
    entryConditions: p.json<StrategyRules>().nullable(),
    exitRules: p.json<StrategyRules>().nullable(),
    forbiddenConditions: p.json<StrategyRules>().nullable(),
    riskCaps: p.json<StrategyRules>().nullable(),
    confluenceRequired: p.json<StrategyRules>().nullable(),
    rrExpectation: p.double().nullable(),
    confidence: p.double().nullable(),
    currentVersion: () =>
      p
        .manyToOne(StrategyVersion)
        .nullable()
        .deleteRule('set null')
        .index('strategies_current_version_id_index'),
    ...timestamps(),
  },
  indexes: [{ name: 'strategies_is_active_index', properties: ['isActive'] }],
  checks: [unitIntervalCheck('strategies', 'confidence')],
});

export class Strategy extends StrategySchema.class {}
StrategySchema.setClass(Strategy);

/**
 * Immutable snapshots of a strategy's canonical config; `version_hash` is what signals carry as
 * strategy_version. Cascade with the strategy: a version means nothing without it.
 */
export const StrategyVersionSchema = defineEntity({
  name: 'StrategyVersion',
  tableName: 'strategy_versions',
  properties: {
    id: p.integer().primary().autoincrement(),
    strategy: () => p.manyToOne(Strategy).deleteRule('cascade').index(false),
    versionHash: p.string().length(64),
    config: p.json<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  uniques: [
    { name: 'strategy_versions_strategy_id_version_hash_unique', properties: ['strategy', 'versionHash'] },
  ],
  indexes: [{ name: 'strategy_versions_version_hash_index', properties: ['versionHash'] }],
});

export class StrategyVersion extends StrategyVersionSchema.class {}
StrategyVersionSchema.setClass(StrategyVersion);

/**
 * Aggregated results per strategy, optionally per portfolio, per time window ("all", "30d", ...),
 * kept apart for backtests and test mode. Recomputable from trades at any time, so it cascades with
 * its strategy or portfolio. One row per (strategy, portfolio-or-all, window, is_backtest, test_mode):
 * a unique expression index with coalesce(portfolio_id, 0), because NULL portfolio ids would
 * otherwise never collide. Types follow the trading core's metrics (src/trading/performance.ts):
 * win_rate is a 0..1 float; avg_r_multiple and profit_factor are exact ratios (18 places); total_pnl,
 * expectancy and max_drawdown (largest fall from peak equity, an amount ≥ 0) are money;
 * sharpe/sortino are floats. win_count/loss_count come from the designs' portfolio counters.
 * Note: `window` is an SQL keyword; always quote it in hand-written SQL.
 */
export const StrategyPerformanceSchema = defineEntity({
  name: 'StrategyPerformance',
  tableName: 'strategy_performance',
  properties: {
    id: p.integer().primary().autoincrement(),
    strategy: () => p.manyToOne(Strategy).deleteRule('cascade').index(false),
    portfolio: () =>
      p
        .manyToOne(Portfolio)
        .nullable()
        .deleteRule('cascade')
        .index('strategy_performance_portfolio_id_index'),
    window: p.string().length(16).default('all'),
    isBacktest: p.boolean().default(false),
    testMode: p.boolean().default(false),
    tradeCount: p.integer().default(0),
    winCount: p.integer().default(0),
    lossCount: p.integer().default(0),
    winRate: p.double().nullable(),
    avgRMultiple: decimal().nullable(),
    profitFactor: decimal().nullable(),
    expectancy: money().nullable(),
    totalPnl: money().nullable(),
    maxDrawdown: money().nullable(),
    sharpe: p.double().nullable(),
    sortino: p.double().nullable(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  indexes: [
    {
      name: 'strategy_performance_scope_unique',
      expression:
        'create unique index "strategy_performance_scope_unique" on "strategy_performance" ' +
        '("strategy_id", (coalesce("portfolio_id", 0)), "window", "is_backtest", "test_mode")',
    },
  ],
  checks: [
    unitIntervalCheck('strategy_performance', 'win_rate'),
    positiveDecimalCheck('strategy_performance', 'max_drawdown', true),
  ],
});

export class StrategyPerformance extends StrategyPerformanceSchema.class {}
StrategyPerformanceSchema.setClass(StrategyPerformance);

/**
 * What the bot learned from outcomes. The strategy is optional and set null if it is deleted: an
 * insight outlives the strategy that inspired it. `supporting_trades` is a JSON array of trade ids
 * (the designs' array column; a join table would be heavier than this audit value needs).
 */
export const LearningEntrySchema = defineEntity({
  name: 'LearningEntry',
  tableName: 'learning_entries',
  properties: {
    id: p.integer().primary().autoincrement(),
    strategy: () =>
      p.manyToOne(Strategy).nullable().deleteRule('set null').index('learning_entries_strategy_id_index'),
    insight: p.text(),
    supportingTrades: p.json<number[]>().nullable(),
    confidence: p.double().nullable(),
    impactType: p.string().length(64).nullable(),
    marketConditions: p.json<Record<string, unknown>>().nullable(),
    validationCount: p.integer().default(0),
    ...provenance(),
    ...timestamps(),
  },
  indexes: [
    {
      name: 'learning_entries_validation_count_confidence_index',
      properties: ['validationCount', 'confidence'],
    },
  ],
  checks: [unitIntervalCheck('learning_entries', 'confidence')],
});

export class LearningEntry extends LearningEntrySchema.class {}
LearningEntrySchema.setClass(LearningEntry);

/**
 * Jobs that turn a source (PDF, video, ...) into a strategy. `progress` is a 0..1 fraction.
 * `strategy` is the strategy the job produced, set null if that strategy is deleted (the job record
 * stays as history).
 */
export const IngestionTaskSchema = defineEntity({
  name: 'IngestionTask',
  tableName: 'ingestion_tasks',
  properties: {
    id: p.integer().primary().autoincrement(),
    sourceType: p.enum(STRATEGY_SOURCE_TYPES),
    sourceRef: p.text(),
    status: p.enum(INGESTION_TASK_STATUSES).default('queued'),
    progress: p.double().default(0),
    error: p.text().nullable(),
    strategy: () =>
      p.manyToOne(Strategy).nullable().deleteRule('set null').index('ingestion_tasks_strategy_id_index'),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
    ...timestamps(),
  },
  indexes: [{ name: 'ingestion_tasks_status_created_at_index', properties: ['status', 'createdAt'] }],
  checks: [unitIntervalCheck('ingestion_tasks', 'progress')],
});

export class IngestionTask extends IngestionTaskSchema.class {}
IngestionTaskSchema.setClass(IngestionTask);
