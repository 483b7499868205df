/**
 * The stored strategy and its versions: views and table descriptions (the services that write them
 * are ./strategies.ts).
 */
import { json } from '../db/column-values.ts';
import { col, defineTable } from '../db/table.ts';
import type { StrategySourceType } from '../entities/common.ts';
import type { StrategyRules } from '../entities/strategy-tables.ts';

export interface StrategyConfig {
  entryType?: string;
  allowedSymbols?: string[];
  sessionWindows?: StrategyRules;
  entryConditions?: StrategyRules;
  exitRules?: StrategyRules;
  forbiddenConditions?: StrategyRules;
  riskCaps?: StrategyRules;
  confluenceRequired?: StrategyRules;
  rrExpectation?: number;
  /** Free parameters (code strategies); kept in strategy_versions.config only. */
  parameters?: Record<string, unknown>;
}

export interface StrategyVersionView {
  id: number;
  strategyId: number;
  versionHash: string;
  config: StrategyConfig;
  createdAt: Date;
}

/** A `strategies` row as stored: metadata, the rule columns of the config in force, its version. */
export interface StrategyRow {
  id: number;
  name: string;
  description: string | null;
  sourceType: StrategySourceType;
  sourceRef: string | null;
  isActive: boolean;
  confidence: number | null;
  entryType: string | null;
  allowedSymbols: string[] | null;
  sessionWindows: StrategyRules | null;
  entryConditions: StrategyRules | null;
  exitRules: StrategyRules | null;
  forbiddenConditions: StrategyRules | null;
  riskCaps: StrategyRules | null;
  confluenceRequired: StrategyRules | null;
  rrExpectation: number | null;
  currentVersionId: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The rule columns of a stored strategy: the view gathers them (with the version's parameters) in `config`. */
type RuleColumns =
  | 'entryType'
  | 'allowedSymbols'
  | 'sessionWindows'
  | 'entryConditions'
  | 'exitRules'
  | 'forbiddenConditions'
  | 'riskCaps'
  | 'confluenceRequired'
  | 'rrExpectation';

export interface StrategyView extends Omit<StrategyRow, RuleColumns> {
  /** The config in force (the current version's). */
  config: StrategyConfig;
  /** What signals record as strategy_version. */
  currentVersionHash: string | null;
}

export const strategies = defineTable<StrategyRow>('strategies', 'strategy', {
  id: col.id(),
  name: col.text(),
  description: col.textOrNull(),
  sourceType: col.text<StrategySourceType>(),
  sourceRef: col.textOrNull(),
  isActive: col.bool(),
  confidence: col.floatOrNull(),
  entryType: col.textOrNull(),
  allowedSymbols: col.json<string[]>(),
  sessionWindows: col.json<StrategyRules>(),
  entryConditions: col.json<StrategyRules>(),
  exitRules: col.json<StrategyRules>(),
  forbiddenConditions: col.json<StrategyRules>(),
  riskCaps: col.json<StrategyRules>(),
  confluenceRequired: col.json<StrategyRules>(),
  rrExpectation: col.floatOrNull(),
  currentVersionId: col.intOrNull(),
  createdAt: col.time(),
  updatedAt: col.time(),
});

export const strategyVersions = defineTable<StrategyVersionView>('strategy_versions', 'strategy version', {
  id: col.id(),
  strategyId: col.int(),
  versionHash: col.text(),
  config: { ...col.json<StrategyConfig>(), read: (v) => json<StrategyConfig>(v) ?? {} },
  createdAt: col.time(),
});
