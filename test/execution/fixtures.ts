/** Shared set-up for the trading service suites: users, assets, a portfolio, a global risk row. */
import type { Store } from '../../src/db/store.ts';
import { User } from '../../src/entities/all-tables.ts';
import { ensureAsset } from '../../src/marketdata/assets.ts';
import { createPortfolio } from '../../src/portfolios/portfolios.ts';
import { type RiskConfigPatch, setGlobalRiskConfig } from '../../src/portfolios/risk-configs.ts';

let counter = 0;

/** A unique suffix so several fixtures can live in one database. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

export async function createUser(
  store: Store,
  role: 'admin' | 'trader' | 'viewer' = 'trader',
  active = true,
) {
  const em = store.em();
  const user = em.create(User, {
    email: `${unique(role)}@example.com`,
    passwordHash: 'x',
    role,
    isActive: active,
  });
  await em.flush();
  return { id: user.id, email: user.email };
}

export async function createAssets(store: Store, symbols: string[], venue = 'binance'): Promise<number[]> {
  const ids: number[] = [];
  for (const symbol of symbols) ids.push(await ensureAsset(store, { symbol, venue, kind: 'crypto' }));
  return ids;
}

export async function createTestPortfolio(store: Store, ownerId: number, initialBalance = '100000') {
  return createPortfolio(store, { owner: ownerId, name: unique('book'), initialBalance });
}

/** A global control panel that auto-executes everything unless a test says otherwise. */
export const OPEN_GATE: RiskConfigPatch = {
  aiTradingEnabled: true,
  minConfidenceThreshold: 0,
  maxLotSize: null,
  maxConcurrentTrades: null,
  dailyProfitTarget: null,
  stopAfterTarget: false,
  maxDrawdownAmount: null,
  haltOnDrawdown: true,
  allowOffWatchlistAutotrade: true,
};

export async function openGate(store: Store, patch: RiskConfigPatch = {}) {
  return setGlobalRiskConfig(store, { ...OPEN_GATE, ...patch });
}

/** Every row of the tables a fill touches, for "nothing changed" assertions. */
export async function tradingState(store: Store): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of [
    'portfolios',
    'positions',
    'trades',
    'orders',
    'fills',
    'signals',
    'trade_ideas',
    'decision_history',
    'risk_configs',
  ]) {
    out[table] = await store.kysely.selectFrom(table).selectAll().orderBy('id').execute();
  }
  return out;
}
