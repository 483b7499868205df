/**
 * The floor of the trading chain on SQLite: the bare chain's statements (bench/trading.ts) plus
 * only what an implementation that keeps the chain's rules and records has to compute between
 * them, with nothing else:
 *   - the input parsed by the chain's own parser (`parseActOnSignal`);
 *   - the rows it reads turned into the trading core's inputs (decimal.js values);
 *   - the core's rules on them: the risk gate (`evaluateRisk`), the position accounting
 *     (`applyFill`) and the round trip (`applyFillToTrade`), whose results are what it writes;
 *   - the decision record and the 8 event payloads as JSON, with the fields the chain's carry.
 * No views, no table layer, no hooks, no promises: one synchronous loop over prepared statements,
 * as lean as the bare chain. What it costs over the bare chain is what keeping the rules and the
 * records costs any implementation; what tradestore costs over it is the services' own overhead.
 *
 * `floorSqliteChains` runs the same inputs as tradestore's runner (`chainInputs`), so after equal
 * numbers of chains both portfolios hold the same cash and the same realized P&L: `sameBooks`
 * checks that, and the benchmark refuses a floor that computed anything else.
 */
import { randomUUID } from 'node:crypto';
import type { StatementSync } from 'node:sqlite';
import type { Decimal } from 'decimal.js';
import type { Store } from '../src/db/store.ts';
import { parseActOnSignal } from '../src/execution/chain.ts';
import { Exact, ZERO } from '../src/trading/exact.ts';
import { applyFill, type FillEffect, type PositionState } from '../src/trading/position-accounting.ts';
import {
  effectiveRiskConfig,
  evaluateRisk,
  type RiskConfig,
  type RiskEvaluation,
} from '../src/trading/risk-gate.ts';
import { applyFillToTrade, type RoundTripUpdate, type TradeState } from '../src/trading/round-trips.ts';
import { bareStatements, type ChainRunner, chainInputs, setUpChains } from './trading.ts';

type Statements = Record<keyof ReturnType<typeof bareStatements>, StatementSync>;
type Row = Record<string, unknown>;
type Parsed = ReturnType<typeof parseActOnSignal>;

const dec = (v: unknown): Decimal => new Exact(v as string);
const decOrNull = (v: unknown): Decimal | null => (v === null || v === undefined ? null : dec(v));
const text = (d: Decimal | null): string | null => (d === null ? null : d.toFixed());

/** The first row a statement returns (its `returning id`, a read's row). */
const one = (st: StatementSync, values: unknown[]) => st.get(...(values as never[])) as Row | undefined;

function riskConfigOf(row: Row): RiskConfig {
  return {
    aiTradingEnabled: row.ai_trading_enabled === 1,
    minConfidenceThreshold: row.min_confidence_threshold as number | null,
    maxLotSize: decOrNull(row.max_lot_size),
    maxConcurrentTrades: row.max_concurrent_trades as number | null,
    dailyProfitTarget: decOrNull(row.daily_profit_target),
    stopAfterTarget: row.stop_after_target === 1,
    maxDrawdownAmount: decOrNull(row.max_drawdown_amount),
    haltOnDrawdown: row.halt_on_drawdown === 1,
    allowOffWatchlistAutotrade: row.allow_off_watchlist_autotrade === 1,
  };
}

function positionOf(row: Row | undefined): PositionState | null {
  if (row === undefined) return null;
  return {
    side: row.side as PositionState['side'],
    quantity: dec(row.quantity),
    averageEntryPrice: dec(row.average_entry_price),
    costBasis: dec(row.cost_basis),
    realizedPnl: dec(row.realized_pnl),
    status: row.status as PositionState['status'],
  };
}

function tradeOf(row: Row | undefined): TradeState | null {
  if (row === undefined) return null;
  return {
    direction: row.direction as TradeState['direction'],
    quantity: dec(row.quantity),
    entryPrice: dec(row.entry_price),
    exitPrice: decOrNull(row.exit_price),
    entryAt: new Date(Number(row.entry_time)),
    exitAt: null,
    fees: dec(row.fees),
    pnl: dec(row.pnl),
    pnlR: decOrNull(row.pnl_r),
    outcome: row.outcome as TradeState['outcome'],
    stopLoss: decOrNull(row.stop_loss),
    entryValue: dec(row.entry_value),
    exitQuantity: dec(row.exit_quantity),
    exitValue: dec(row.exit_value),
  };
}

/** What the chain knows once it has read: the parsed input, the time, and the rows' values. */
interface Chain {
  a: Parsed;
  now: number;
  at: string;
  portfolioId: number;
  strategyId: number;
  assetId: number;
  /** false: no events (`BENCH_OUTBOX=off`, as on the other sides). */
  outbox: boolean;
  payloads: string[];
  topics: string[];
}

function event(c: Chain, topic: string, payload: object): void {
  if (!c.outbox) return;
  c.topics.push(topic);
  c.payloads.push(JSON.stringify(payload));
}

/** signal → idea → decision → order: the gate's verdict on what the strategy and the book allow. */
function signalToOrder(st: Statements, c: Chain) {
  const s = c.a.signal;
  const strategy = one(st.strategy, [c.strategyId])!;
  const watchlist = JSON.parse(strategy.allowed_symbols as string) as string[];
  const signalFields = {
    portfolio_id: c.portfolioId,
    strategy_id: c.strategyId,
    strategy_version: strategy.version_hash,
    asset_id: c.assetId,
    ts: c.at,
    price: text(s.price),
    action: s.action,
    confidence: s.confidence,
    aggregation_method: s.aggregationMethod,
    components: s.components,
    reason: null,
    target_price: null,
    quantity: text(s.quantity!),
    executed: false,
    executed_at: null,
    test_mode: false,
    bot_version: s.botVersion,
  };
  const signal = one(st.signal, [
    c.portfolioId,
    c.strategyId,
    strategy.version_hash,
    c.assetId,
    c.now,
    signalFields.price,
    s.action,
    s.confidence,
    s.aggregationMethod,
    JSON.stringify(s.components),
    signalFields.quantity,
    s.botVersion,
  ])!;
  event(c, 'signal', { change: 'recorded', id: signal.id, ...signalFields });
  const portfolio = one(st.portfolio, [c.portfolioId])!;
  const asset = one(st.asset, [c.assetId])!;
  // The bench sets a global row only; an override row would be merged the same way.
  const configs = st.risk.all(c.portfolioId) as Row[];
  const global = configs.find((r) => r.portfolio_id === null);
  const override = configs.find((r) => r.portfolio_id !== null);
  const config = effectiveRiskConfig(riskConfigOf(global!), override ? riskConfigOf(override) : null);
  const openTradeCount = Number(one(st.open, [c.portfolioId])!.n);
  const evaluation = evaluateRisk(config, {
    confidence: s.confidence,
    quantity: s.quantity!,
    symbol: asset.symbol as string,
    watchlist,
    openTradeCount,
    todaysRealizedPnl: ZERO,
    currentDrawdown: ZERO,
  });
  const idea = ideaAndDecision(st, c, signal.id as number, evaluation, { config, watchlist, openTradeCount });
  const order = placeOrder(st, c, signal.id as number, idea);
  return { portfolio, asset, signalId: signal.id as number, ideaId: idea, order };
}

function ideaAndDecision(
  st: Statements,
  c: Chain,
  signalId: number,
  evaluation: RiskEvaluation,
  seen: { config: RiskConfig; watchlist: string[]; openTradeCount: number },
): number {
  const s = c.a.signal;
  const rationale = c.a.idea.rationale ?? null;
  const direction = s.action === 'buy' ? 'long' : 'short';
  const ideaFields = {
    portfolio_id: c.portfolioId,
    signal_id: signalId,
    strategy_id: c.strategyId,
    asset_id: c.assetId,
    direction,
    quantity: text(s.quantity!),
    entry_price: text(s.price),
    entry_range_low: null,
    entry_range_high: null,
    stop_loss: null,
    take_profit: null,
    expected_hold: null,
    rationale,
    confidence: s.confidence,
    status: evaluation.verdict,
    decided_by: 'ai',
    decided_at: c.at,
    expires_at: null,
    snapshot_ref: null,
    test_mode: false,
    bot_version: s.botVersion,
    created_at: c.at,
    updated_at: c.at,
  };
  const idea = one(st.idea, [
    c.portfolioId,
    signalId,
    c.strategyId,
    c.assetId,
    direction,
    ideaFields.entry_price,
    rationale,
    s.confidence,
    evaluation.verdict,
    c.now,
    c.now,
    c.now,
  ])!;
  event(c, 'idea', { change: evaluation.verdict, id: idea.id, ...ideaFields });
  const { config } = seen;
  const record = JSON.stringify({
    verdict: evaluation.verdict,
    rules: evaluation.rules,
    haltReason: evaluation.haltReason,
    config: {
      source: 'global',
      ...config,
      maxLotSize: text(config.maxLotSize),
      dailyProfitTarget: text(config.dailyProfitTarget),
      maxDrawdownAmount: text(config.maxDrawdownAmount),
    },
    context: {
      confidence: s.confidence,
      quantity: text(s.quantity!),
      watchlist: seen.watchlist,
      openTradeCount: seen.openTradeCount,
      todaysRealizedPnl: '0',
      currentDrawdown: '0',
      portfolioLimits: null,
    },
  });
  const action = `ai_${evaluation.verdict}`;
  const decision = one(st.decision, [
    c.now,
    c.portfolioId,
    c.assetId,
    action,
    rationale,
    s.confidence,
    record,
    c.strategyId,
    idea.id,
  ])!;
  event(c, 'decision', {
    change: 'recorded',
    id: decision.id,
    occurred_at: c.at,
    portfolio_id: c.portfolioId,
    asset_id: c.assetId,
    action,
    actor: 'ai',
    rationale,
    confidence: s.confidence,
    strategy_id: c.strategyId,
    trade_idea_id: idea.id,
    human_override: false,
    test_mode: false,
    verdict: evaluation.verdict,
  });
  return idea.id as number;
}

function placeOrder(st: Statements, c: Chain, signalId: number, ideaId: number) {
  const s = c.a.signal;
  const side = s.action as 'buy' | 'sell';
  const clientOrderId = randomUUID();
  const quantity = text(s.quantity!);
  const row = one(st.order, [
    c.portfolioId,
    ideaId,
    signalId,
    c.assetId,
    side,
    c.a.order.type,
    quantity,
    clientOrderId,
    c.now,
    c.now,
  ])!;
  const fields = {
    id: row.id as number,
    portfolio_id: c.portfolioId,
    trade_idea_id: ideaId,
    signal_id: signalId,
    asset_id: c.assetId,
    side,
    type: c.a.order.type,
    time_in_force: 'gtc',
    quantity,
    limit_price: null,
    stop_price: null,
    status: 'new',
    client_order_id: clientOrderId,
    exchange_order_id: null,
    reject_reason: null,
    test_mode: false,
    bot_version: s.botVersion,
    created_at: c.at,
    updated_at: c.at,
    filled_quantity: '0',
    filled_value: '0',
    remaining_quantity: quantity,
    average_fill_price: null,
  };
  event(c, 'order', { change: 'placed', ...fields });
  one(st.executed, [c.now, signalId]);
  return fields;
}

function tradePayload(c: Chain, ids: { id: unknown; signalId: number; ideaId: number }, t: TradeState) {
  return {
    change: t.outcome === 'open' ? 'opened' : 'closed',
    id: ids.id,
    portfolio_id: c.portfolioId,
    strategy_id: c.strategyId,
    signal_id: ids.signalId,
    trade_idea_id: ids.ideaId,
    asset_id: c.assetId,
    direction: t.direction,
    quantity: text(t.quantity),
    entry_price: text(t.entryPrice),
    exit_price: text(t.exitPrice),
    entry_time: t.entryAt.toISOString(),
    exit_time: t.exitAt?.toISOString() ?? null,
    fees: text(t.fees),
    pnl: text(t.pnl),
    pnl_r: text(t.pnlR),
    entry_value: text(t.entryValue),
    exit_quantity: text(t.exitQuantity),
    exit_value: text(t.exitValue),
    outcome: t.outcome,
    stop_loss: text(t.stopLoss),
    take_profit: null,
    reasoning: c.a.idea.rationale ?? null,
    confidence: c.a.signal.confidence,
    is_backtest: false,
    backtest_run_id: null,
    external_ref: null,
    test_mode: false,
    bot_version: c.a.signal.botVersion,
    created_at: c.at,
    updated_at: c.at,
  };
}

function positionPayload(c: Chain, id: unknown, p: PositionState) {
  return {
    change: p.status === 'open' ? 'opened' : 'closed',
    id,
    portfolio_id: c.portfolioId,
    asset_id: c.assetId,
    side: p.side,
    quantity: text(p.quantity),
    average_entry_price: text(p.averageEntryPrice),
    average_exit_price: null,
    cost_basis: text(p.costBasis),
    realized_pnl: text(p.realizedPnl),
    unrealized_pnl: null,
    mark_price: null,
    marked_at: null,
    status: p.status,
    opened_at: c.at,
    closed_at: p.status === 'closed' ? c.at : null,
    test_mode: false,
    bot_version: c.a.signal.botVersion,
    created_at: c.at,
    updated_at: c.at,
  };
}

/** The round trip the fill changed or opened, as the core computed it. */
function writeRoundTrip(
  st: Statements,
  c: Chain,
  ids: { signalId: number; ideaId: number },
  open: Row | undefined,
  rt: RoundTripUpdate,
) {
  if (rt.trade !== null && open !== undefined) {
    const t = rt.trade;
    one(st.closeTrade, [
      text(t.exitPrice),
      c.now,
      t.outcome,
      text(t.pnl),
      text(t.fees),
      text(t.exitQuantity),
      text(t.exitValue),
      c.now,
      open.id,
    ]);
    event(c, 'trade', tradePayload(c, { ...ids, id: open.id }, t));
  }
  if (rt.opened !== null) {
    const t = rt.opened;
    const row = one(st.openTrade, [
      c.portfolioId,
      c.strategyId,
      ids.signalId,
      ids.ideaId,
      c.assetId,
      t.direction,
      text(t.quantity),
      text(t.entryPrice),
      c.now,
      text(t.fees),
      text(t.pnl),
      text(t.entryValue),
      text(t.exitQuantity),
      text(t.exitValue),
      c.now,
      c.now,
    ])!;
    event(c, 'trade', tradePayload(c, { ...ids, id: row.id }, t));
  }
}

/** The position the fill closed or opened, as the core computed it. */
function writePosition(st: Statements, c: Chain, open: Row | undefined, effect: FillEffect) {
  if (open !== undefined) {
    const p = effect.closedPosition ?? effect.position;
    one(st.closePosition, [
      text(p.quantity),
      text(p.costBasis),
      text(p.realizedPnl),
      p.status,
      c.now,
      c.now,
      open.id,
    ]);
    event(c, 'position', positionPayload(c, open.id, p));
  }
  if (effect.opened) {
    const p = effect.position;
    const row = one(st.openPosition, [
      c.portfolioId,
      c.assetId,
      p.side,
      text(p.quantity),
      text(p.averageEntryPrice),
      text(p.costBasis),
      text(p.realizedPnl),
      c.now,
      c.now,
      c.now,
    ])!;
    event(c, 'position', positionPayload(c, row.id, p));
  }
}

/** The fill: the core's accounting of the book it changes, then the rows that hold it. */
function fillOrder(st: Statements, c: Chain, placed: ReturnType<typeof signalToOrder>) {
  const { order } = placed;
  const position = one(st.position, [c.portfolioId, c.assetId]);
  const openTrade = one(st.trade, [c.portfolioId, c.assetId]);
  const fill = {
    side: order.side,
    quantity: c.a.signal.quantity!,
    price: c.a.signal.price,
    fee: dec(c.a.fill!.fee),
  };
  const effect = applyFill(positionOf(position), fill);
  const rt = applyFillToTrade(tradeOf(openTrade), { ...fill, at: new Date(c.now) }, effect, {
    stopLoss: null,
  });
  const venue = placed.asset.venue;
  const row = one(st.fill, [
    order.id,
    venue,
    text(fill.quantity),
    text(fill.price),
    text(fill.fee),
    c.now,
    c.now,
  ])!;
  event(c, 'fill', {
    change: 'recorded',
    id: row.id,
    order_id: order.id,
    venue,
    quantity: text(fill.quantity),
    price: text(fill.price),
    fee: text(fill.fee),
    fee_currency: null,
    liquidity: null,
    ts: c.at,
    exchange_trade_id: null,
    test_mode: false,
    bot_version: c.a.signal.botVersion,
    created_at: c.at,
    portfolio_id: c.portfolioId,
    asset_id: c.assetId,
  });
  writeRoundTrip(st, c, placed, openTrade, rt);
  writePosition(st, c, position, effect);
  const cash = dec(placed.portfolio.cash_balance).plus(effect.cashDelta);
  one(st.cash, [cash.toFixed(), c.now, c.portfolioId]);
  one(st.orderStatus, ['filled', c.now, order.id]);
  const value = fill.quantity.times(fill.price);
  event(c, 'order', {
    change: 'filled',
    ...order,
    status: 'filled',
    filled_quantity: text(fill.quantity),
    filled_value: text(value),
    remaining_quantity: '0',
    average_fill_price: text(fill.price),
  });
}

/**
 * The outbox's two statements: the counter, then the chain's events in the bare chain's 8-row
 * insert (the workload never flips a position, so every chain records exactly 8).
 */
function writeEvents(st: Statements, c: Chain) {
  const n = c.payloads.length;
  if (n !== 8) throw new Error(`the floor chain recorded ${n} events; the bare chain's insert takes 8`);
  let seq = Number(one(st.counter, [n])!.seq) - n;
  const values: unknown[] = [];
  for (let i = 0; i < n; i++) values.push(++seq, c.now, c.topics[i], c.portfolioId, c.payloads[i]);
  st.event.run(...(values as never[]));
}

/** The floor's runner: one synchronous BEGIN IMMEDIATE … COMMIT a chain, after `warmUp` chains. */
export async function floorSqliteChains(
  store: Store,
  options: { warmUp?: number; outbox?: boolean } = {},
): Promise<ChainRunner & { portfolioId: number }> {
  const outbox = options.outbox ?? true;
  const { portfolioIds, assets, strategyId } = await setUpChains(store, 1);
  const portfolioId = portfolioIds[0]!;
  const next = chainInputs({ portfolioId, strategyId, assets });
  const run: ChainRunner = (count) =>
    store.withSqlite((db) => {
      const st = {} as Statements;
      for (const [k, sql] of Object.entries(bareStatements('0', '1', '')))
        if (sql !== '') st[k as keyof Statements] = db.prepare(sql);
      const latencies: number[] = [];
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        const a = parseActOnSignal(next());
        const now = Date.now();
        const c: Chain = {
          a,
          now,
          at: new Date(now).toISOString(),
          portfolioId: a.signal.portfolioId!,
          strategyId: a.signal.strategyId!,
          assetId: a.signal.assetId,
          outbox,
          payloads: [],
          topics: [],
        };
        db.exec('begin immediate');
        try {
          fillOrder(st, c, signalToOrder(st, c));
          if (outbox) writeEvents(st, c);
          db.exec('commit');
        } catch (error) {
          db.exec('rollback');
          throw error;
        }
        latencies.push(performance.now() - t0);
      }
      return latencies;
    });
  await run(options.warmUp ?? 200);
  return Object.assign(run, { portfolioId });
}

/**
 * Refuses a floor whose books differ from tradestore's after the same inputs: same cash, same
 * realized P&L of the round trips, same open positions.
 */
export async function sameBooks(store: Store, portfolios: { ours: number; floor: number }): Promise<void> {
  const books = await store.withSqlite((db) =>
    [portfolios.ours, portfolios.floor].map((id) => ({
      cash: dec(
        (db.prepare('select cash_balance from portfolios where id = ?').get(id) as Row).cash_balance,
      ).toFixed(),
      pnl: (db.prepare('select pnl from trades where portfolio_id = ?').all(id) as Row[])
        .reduce((sum, r) => sum.plus(dec(r.pnl)), ZERO)
        .toFixed(),
      open: Number(
        (
          db
            .prepare("select count(*) as n from positions where portfolio_id = ? and status = 'open'")
            .get(id) as Row
        ).n,
      ),
    })),
  );
  const [ours, floor] = books as [(typeof books)[0], (typeof books)[0]];
  if (ours.cash !== floor.cash || ours.pnl !== floor.pnl || ours.open !== floor.open)
    throw new Error(`the floor chain's books differ from tradestore's: ${JSON.stringify({ ours, floor })}`);
}
