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
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { appendDecision, type DecisionView } from '../audit/decision-history.ts';
import {
  bool,
  decimalParamOrNull,
  decOrNull,
  int,
  intOrNull,
  moneyParamOrNull,
  strOrNull,
  time,
  timeOrNull,
} from '../db/column-values.ts';
import { inTransaction, type Row, reading, type Tx } from '../db/transaction.ts';
import { NotFoundError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import {
  botVersion,
  confidence,
  id,
  moneyValue,
  nonNegativeMoney,
  positiveDecimal,
} from '../input/fields.ts';
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

export function riskConfigFromRow(r: Row): RiskConfigView {
  return {
    id: int(r.id),
    portfolioId: intOrNull(r.portfolio_id),
    aiTradingEnabled: bool(r.ai_trading_enabled),
    minConfidenceThreshold: Number(r.min_confidence_threshold),
    maxLotSize: decOrNull(r.max_lot_size),
    maxConcurrentTrades: intOrNull(r.max_concurrent_trades),
    dailyProfitTarget: decOrNull(r.daily_profit_target),
    stopAfterTarget: bool(r.stop_after_target),
    maxDrawdownAmount: decOrNull(r.max_drawdown_amount),
    haltOnDrawdown: bool(r.halt_on_drawdown),
    allowOffWatchlistAutotrade: bool(r.allow_off_watchlist_autotrade),
    lastHaltReason: strOrNull(r.last_halt_reason),
    lastHaltAt: timeOrNull(r.last_halt_at),
    createdAt: time(r.created_at),
    updatedAt: time(r.updated_at),
  };
}

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
  const rows = await tx.all(
    portfolioId === null
      ? 'select * from risk_configs where portfolio_id is null'
      : 'select * from risk_configs where portfolio_id is null or portfolio_id = ?',
    portfolioId === null ? [] : [portfolioId],
  );
  let global: RiskConfigView | null = null;
  let override: RiskConfigView | null = null;
  for (const row of rows) {
    const view = riskConfigFromRow(row);
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

function columnsOf(tx: Tx, patch: ParsedPatch): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  const put = (key: keyof ParsedPatch, column: string, encode: (v: never) => unknown) => {
    if (patch[key] !== undefined) out.push([column, encode(patch[key] as never)]);
  };
  put('aiTradingEnabled', 'ai_trading_enabled', (v: boolean) => tx.bool(v));
  put('minConfidenceThreshold', 'min_confidence_threshold', (v: number) => v);
  put('maxLotSize', 'max_lot_size', (v: Decimal | null) => decimalParamOrNull(v, 'maxLotSize'));
  put('maxConcurrentTrades', 'max_concurrent_trades', (v: number | null) => v);
  put('dailyProfitTarget', 'daily_profit_target', (v: Decimal | null) =>
    moneyParamOrNull(v, 'dailyProfitTarget'),
  );
  put('stopAfterTarget', 'stop_after_target', (v: boolean) => tx.bool(v));
  put('maxDrawdownAmount', 'max_drawdown_amount', (v: Decimal | null) =>
    moneyParamOrNull(v, 'maxDrawdownAmount'),
  );
  put('haltOnDrawdown', 'halt_on_drawdown', (v: boolean) => tx.bool(v));
  put('allowOffWatchlistAutotrade', 'allow_off_watchlist_autotrade', (v: boolean) => tx.bool(v));
  return out;
}

async function upsertRow(tx: Tx, portfolioId: number | null, patch: ParsedPatch): Promise<RiskConfigView> {
  const now = new Date();
  if (portfolioId !== null) {
    const exists = await tx.get('select id from portfolios where id = ?', [portfolioId]);
    if (!exists) throw new NotFoundError(`portfolio ${portfolioId} does not exist`);
  }
  // A new row starts from the global switches (or the defaults); nullable limits start as null.
  const base = portfolioId === null ? DEFAULT_RISK_CONFIG : (await loadRiskConfigs(tx, null)).effective;
  await tx.run(
    `insert into risk_configs (portfolio_id, ai_trading_enabled, min_confidence_threshold, stop_after_target,
       halt_on_drawdown, allow_off_watchlist_autotrade, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
    [
      portfolioId,
      tx.bool(base.aiTradingEnabled),
      base.minConfidenceThreshold ?? DEFAULT_RISK_CONFIG.minConfidenceThreshold,
      tx.bool(base.stopAfterTarget),
      tx.bool(base.haltOnDrawdown),
      tx.bool(base.allowOffWatchlistAutotrade),
      tx.time(now),
      tx.time(now),
    ],
  );
  const scope = portfolioId === null ? 'portfolio_id is null' : 'portfolio_id = ?';
  const scopeParams = portfolioId === null ? [] : [portfolioId];
  const columns = columnsOf(tx, patch);
  await tx.run(
    `update risk_configs set ${[...columns.map(([c]) => `${c} = ?`), 'updated_at = ?'].join(', ')} where ${scope}`,
    [...columns.map(([, v]) => v), tx.time(now), ...scopeParams],
  );
  const row = await tx.get(`select * from risk_configs where ${scope}`, scopeParams);
  return riskConfigFromRow(row!);
}

/** Creates or changes the global control panel; fields not given keep their value. */
export async function setGlobalRiskConfig(store: Store, patch: RiskConfigPatch): Promise<RiskConfigView> {
  const p = parseInput(RiskConfigPatch, patch, 'risk config');
  return inTransaction(store, (tx) => upsertRow(tx, null, p));
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
  return inTransaction(store, (tx) => upsertRow(tx, portfolioId, patch));
}

/** Drops a portfolio's override (the global row applies again); false when it had none. */
export async function removePortfolioRiskConfig(
  store: Store,
  input: { portfolioId: number },
): Promise<boolean> {
  const portfolioId = parseInput(id, input.portfolioId, 'portfolio id');
  return inTransaction(store, async (tx) => {
    return (await tx.run('delete from risk_configs where portfolio_id = ?', [portfolioId])) > 0;
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
  await tx.run(
    'update risk_configs set last_halt_reason = ?, last_halt_at = ?, updated_at = ? where id = ?',
    [reason, tx.time(at), tx.time(at), row.id],
  );
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
      await tx.run('update risk_configs set last_halt_reason = ?, last_halt_at = ? where id = ?', [
        h.reason ?? `halted by ${h.actor}`,
        tx.time(now),
        config.id,
      ]);
      updated = { ...config, lastHaltReason: h.reason ?? `halted by ${h.actor}`, lastHaltAt: now };
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
