/**
 * risk_configs, the AI control panel: one global row plus an optional override row per portfolio
 * (the database allows no second global row and one override per portfolio). The effective config
 * is the trading core's `effectiveRiskConfig(global, override)`; the risk gate evaluates it.
 *
 * Override semantics follow the schema: an override's nullable limits (max lot size, max concurrent
 * trades, daily profit target, max drawdown) inherit the global value when null; its switches and
 * confidence threshold are NOT NULL columns, so an override row always sets them. A new override row
 * therefore starts from the global row's current switches and threshold (and null limits), and
 * only the fields the caller gives change. Without a global row the gate uses the column defaults:
 * AI trading disabled, so every idea needs approval.
 */
import { z } from 'zod';
import { appendDecision, type DecisionView } from '../audit/decision-history.ts';
import { recordChange } from '../events/outbox.ts';
import type { Store } from '../db/store.ts';
import { col, defineTable } from '../db/table.ts';
import { inTransaction, type Read, reading, type Row, type Tx } from '../db/transaction.ts';
import { NotFoundError } from '../input/errors.ts';
import {
  botVersion,
  confidence,
  id,
  moneyValue,
  nonNegativeMoney,
  positiveDecimal,
} from '../input/fields.ts';
import { parseInput } from '../input/parse.ts';
import { effectiveRiskConfig, type RiskConfig } from '../trading/risk-gate.ts';

/** A risk_configs row: the gate's control panel, plus its identity and halt record. */
export interface RiskConfigView extends RiskConfig {
  id: number;
  /** null for the global row. */
  portfolioId: number | null;
  /** A NOT NULL column (default 0.7); 0 lets every confidence through. */
  minConfidenceThreshold: number;
  lastHaltReason: string | null;
  lastHaltAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What the gate uses when there is no global row: the columns' defaults. */
export const DEFAULT_RISK_CONFIG: Readonly<RiskConfig> = Object.freeze({
  aiTradingEnabled: false,
  minConfidenceThreshold: 0.7,
  maxLotSize: null,
  maxConcurrentTrades: null,
  dailyProfitTarget: null,
  stopAfterTarget: false,
  maxDrawdownAmount: null,
  haltOnDrawdown: true,
  allowOffWatchlistAutotrade: false,
});

export const riskConfigs = defineTable<RiskConfigView>('risk_configs', 'risk config', {
  id: col.id(),
  portfolioId: col.intOrNull(),
  aiTradingEnabled: col.bool(),
  minConfidenceThreshold: col.float(),
  maxLotSize: col.decimalOrNull(),
  maxConcurrentTrades: col.intOrNull(),
  dailyProfitTarget: col.moneyOrNull(),
  stopAfterTarget: col.bool(),
  maxDrawdownAmount: col.moneyOrNull(),
  haltOnDrawdown: col.bool(),
  allowOffWatchlistAutotrade: col.bool(),
  lastHaltReason: col.textOrNull(),
  lastHaltAt: col.timeOrNull(),
  createdAt: col.time(),
  updatedAt: col.time(),
});

function asConfig(v: RiskConfigView): RiskConfig {
  return {
    aiTradingEnabled: v.aiTradingEnabled,
    minConfidenceThreshold: v.minConfidenceThreshold,
    maxLotSize: v.maxLotSize,
    maxConcurrentTrades: v.maxConcurrentTrades,
    dailyProfitTarget: v.dailyProfitTarget,
    stopAfterTarget: v.stopAfterTarget,
    maxDrawdownAmount: v.maxDrawdownAmount,
    haltOnDrawdown: v.haltOnDrawdown,
    allowOffWatchlistAutotrade: v.allowOffWatchlistAutotrade,
  };
}

export interface RiskConfigs {
  global: RiskConfigView | null;
  override: RiskConfigView | null;
  effective: RiskConfig;
}

/** The global row, the portfolio's override and the merged config, in one query. */
export async function loadRiskConfigs(tx: Tx, portfolioId: number | null): Promise<RiskConfigs> {
  const [configs] = await tx.readEach([riskConfigsRead(portfolioId)]);
  return configs;
}

/** `loadRiskConfigs` as a Read, for a caller that sends it with other reads (`Tx.readEach`). */
export function riskConfigsRead(portfolioId: number | null): Read<RiskConfigs> {
  return {
    sql:
      portfolioId === null
        ? 'select * from risk_configs where portfolio_id is null'
        : 'select * from risk_configs where portfolio_id is null or portfolio_id = ?',
    params: portfolioId === null ? [] : [portfolioId],
    rows: riskConfigsOf,
  };
}

function riskConfigsOf(rows: Row[]): RiskConfigs {
  let global: RiskConfigView | null = null;
  let override: RiskConfigView | null = null;
  for (const row of rows) {
    const view = riskConfigs.fromRow(row);
    if (view.portfolioId === null) global = view;
    else override = view;
  }
  const base = global ? asConfig(global) : { ...DEFAULT_RISK_CONFIG };
  return { global, override, effective: effectiveRiskConfig(base, override ? asConfig(override) : null) };
}

/** The stored row: the global one, or a portfolio's override (null when it has none). */
export async function getRiskConfig(
  store: Store,
  input: { portfolioId?: number | null } = {},
): Promise<RiskConfigView | null> {
  const portfolioId = parseInput(id.nullable().optional(), input.portfolioId, 'portfolio id') ?? null;
  return reading(store, async (tx) => {
    const configs = await loadRiskConfigs(tx, portfolioId);
    return portfolioId === null ? configs.global : configs.override;
  });
}

/** What the risk gate applies to a portfolio (or globally), with the rows it came from. */
export async function getEffectiveRiskConfig(
  store: Store,
  input: { portfolioId?: number | null } = {},
): Promise<RiskConfigs> {
  const portfolioId = parseInput(id.nullable().optional(), input.portfolioId, 'portfolio id') ?? null;
  return reading(store, (tx) => loadRiskConfigs(tx, portfolioId));
}

const RiskConfigPatch = z
  .object({
    aiTradingEnabled: z.boolean().optional(),
    minConfidenceThreshold: confidence.optional(),
    maxLotSize: positiveDecimal.nullable().optional(),
    maxConcurrentTrades: z.number().int().min(0).nullable().optional(),
    dailyProfitTarget: moneyValue.nullable().optional(),
    stopAfterTarget: z.boolean().optional(),
    maxDrawdownAmount: nonNegativeMoney.nullable().optional(),
    haltOnDrawdown: z.boolean().optional(),
    allowOffWatchlistAutotrade: z.boolean().optional(),
  })
  .strict();
export type RiskConfigPatch = z.input<typeof RiskConfigPatch>;
type ParsedPatch = z.output<typeof RiskConfigPatch>;

const PortfolioRiskConfigInput = RiskConfigPatch.extend({ portfolioId: id });
export type PortfolioRiskConfigInput = z.input<typeof PortfolioRiskConfigInput>;

/** The row that governs `portfolioId` (the global row for null), created from `base` when missing. */
async function ensureRow(
  tx: Tx,
  portfolioId: number | null,
  base: RiskConfig,
  now: Date,
): Promise<RiskConfigView> {
  const created = await riskConfigs.insertUnlessExists(tx, {
    portfolioId,
    ...base,
    minConfidenceThreshold: base.minConfidenceThreshold ?? DEFAULT_RISK_CONFIG.minConfidenceThreshold!,
    // A new row's nullable limits start as null: an override inherits the global ones.
    maxLotSize: null,
    maxConcurrentTrades: null,
    dailyProfitTarget: null,
    maxDrawdownAmount: null,
    lastHaltReason: null,
    lastHaltAt: null,
    createdAt: now,
    updatedAt: now,
  });
  if (created) return created;
  const row = await tx.get(
    portfolioId === null
      ? 'select * from risk_configs where portfolio_id is null'
      : 'select * from risk_configs where portfolio_id = ?',
    portfolioId === null ? [] : [portfolioId],
  );
  return riskConfigs.fromRow(row!);
}

async function upsertRow(tx: Tx, portfolioId: number | null, patch: ParsedPatch): Promise<RiskConfigView> {
  const now = new Date();
  if (portfolioId !== null) {
    const exists = await tx.get('select id from portfolios where id = ?', [portfolioId]);
    if (!exists) throw new NotFoundError(`portfolio ${portfolioId} does not exist`);
  }
  // A new row starts from the global switches (or the defaults).
  const base = portfolioId === null ? DEFAULT_RISK_CONFIG : (await loadRiskConfigs(tx, null)).effective;
  const row = await ensureRow(tx, portfolioId, base, now);
  const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const changes = { ...given, updatedAt: now } as Partial<RiskConfigView>;
  await riskConfigs.update(tx, row.id, changes);
  return { ...row, ...changes };
}

/** A config change the operator made (halts and resumes say `halted` / `resumed` instead). */
async function changeConfig(tx: Tx, portfolioId: number | null, patch: ParsedPatch): Promise<RiskConfigView> {
  const config = await upsertRow(tx, portfolioId, patch);
  recordChange(tx, 'risk', 'changed', config);
  return config;
}

/** Creates or changes the global control panel; fields not given keep their value. */
export async function setGlobalRiskConfig(store: Store, patch: RiskConfigPatch): Promise<RiskConfigView> {
  const p = parseInput(RiskConfigPatch, patch, 'risk config');
  return inTransaction(store, (tx) => changeConfig(tx, null, p));
}

/**
 * Creates or changes a portfolio's override. A null limit means "inherit the global limit"; the
 * switches and threshold of a new override start from the global row's values.
 */
export async function setPortfolioRiskConfig(
  store: Store,
  input: PortfolioRiskConfigInput,
): Promise<RiskConfigView> {
  const { portfolioId, ...patch } = parseInput(PortfolioRiskConfigInput, input, 'portfolio risk config');
  return inTransaction(store, (tx) => changeConfig(tx, portfolioId, patch));
}

/** Drops a portfolio's override (the global row applies again); false when it had none. */
export async function removePortfolioRiskConfig(
  store: Store,
  input: { portfolioId: number },
): Promise<boolean> {
  const portfolioId = parseInput(id, input.portfolioId, 'portfolio id');
  return inTransaction(store, async (tx) => {
    const removed = (await tx.run('delete from risk_configs where portfolio_id = ?', [portfolioId])) > 0;
    if (removed) recordChange(tx, 'risk', 'changed', { portfolioId, removed: true });
    return removed;
  });
}

/** Records why the gate last halted an idea, on the row that governs the portfolio. */
export async function recordHaltReason(
  tx: Tx,
  configs: RiskConfigs,
  reason: string,
  at: Date,
): Promise<void> {
  const row = configs.override ?? configs.global;
  if (!row) return;
  await riskConfigs.update(tx, row.id, { lastHaltReason: reason, lastHaltAt: at, updatedAt: at });
}

const HaltInput = z
  .object({
    /** The portfolio whose AI trading changes; omit for the global switch. */
    portfolioId: id.nullable().optional(),
    /** Who did it: 'risk', 'ai' or a user's email. */
    actor: z.string().min(1).max(320),
    reason: z.string().min(1).optional(),
    testMode: z.boolean().default(false),
    botVersion: botVersion.optional(),
  })
  .strict();
export type HaltInput = z.input<typeof HaltInput>;

async function switchAi(store: Store, input: HaltInput, enable: boolean) {
  const h = parseInput(HaltInput, input, enable ? 'resume' : 'halt');
  return inTransaction(store, async (tx) => {
    const portfolioId = h.portfolioId ?? null;
    const now = new Date();
    const config = await upsertRow(tx, portfolioId, { aiTradingEnabled: enable });
    let updated = config;
    if (!enable) {
      const halt = { lastHaltReason: h.reason ?? `halted by ${h.actor}`, lastHaltAt: now };
      await riskConfigs.update(tx, config.id, halt);
      updated = { ...config, ...halt };
    }
    const decision = await appendDecision(tx, {
      occurredAt: now,
      portfolioId,
      assetId: null,
      action: enable ? 'ai_resumed' : 'ai_halted',
      actor: h.actor,
      rationale: h.reason ?? null,
      confidence: null,
      riskCheckResult: null,
      strategyId: null,
      tradeIdeaId: null,
      snapshotRef: null,
      humanOverride: h.actor !== 'ai' && h.actor !== 'risk',
      testMode: h.testMode,
      botVersion: h.botVersion ?? null,
    });
    recordChange(tx, 'risk', enable ? 'resumed' : 'halted', updated);
    return { config: updated, decision };
  });
}

/** Turns AI trading off (globally or for one portfolio) and records `ai_halted`. */
export function haltAiTrading(
  store: Store,
  input: HaltInput,
): Promise<{ config: RiskConfigView; decision: DecisionView }> {
  return switchAi(store, input, false);
}

/** Turns AI trading back on and records `ai_resumed`. */
export function resumeAiTrading(
  store: Store,
  input: HaltInput,
): Promise<{ config: RiskConfigView; decision: DecisionView }> {
  return switchAi(store, input, true);
}
