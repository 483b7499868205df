/**
 * The bot's everyday call: a signal, its trade idea through the risk gate, and, when the gate
 * auto-executes it, the order and (for paper trading or an immediate execution report) its fill,
 * all in ONE transaction. Each step is the same code the single-step services run
 * (recordSignal, proposeTradeIdea, placeOrder, recordFill); rows already loaded are handed on
 * instead of being read again.
 */
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { ORDER_TYPES, SIGNAL_ACTIONS, TIME_IN_FORCE } from '../entities/execution-tables.ts';
import {
  fastBoolean,
  fastDecimal,
  fastEnum,
  fastId,
  fastJsonObject,
  fastNumber,
  fastObject,
  fastText,
  fastWhen,
  ZOD,
} from '../input/fast-parse.ts';
import { parseInput } from '../input/parse.ts';
import { moneyValue, nonNegativeDecimal, positiveDecimal, when } from '../input/fields.ts';
import { portfolioRead } from '../portfolios/portfolios.ts';
import { riskConfigsRead } from '../portfolios/risk-configs.ts';
import { openTradeCountRead } from './risk.ts';
import { type FillResult, recordFillIn } from './fills.ts';
import { type OpenBook, openBookReads } from './trades.ts';
import { type ProposalResult, proposeTradeIdeaIn } from './ideas.ts';
import { type OrderView, placeOrderIn } from './orders.ts';
import {
  insertSignal,
  resolveStrategyVersion,
  SignalInput,
  type SignalView,
  strategyFacts,
  strategyFactsRead,
} from './signals.ts';
import { str } from '../db/column-values.ts';
import { inTransaction, type Tx } from '../db/transaction.ts';
import { TradingError } from '../input/errors.ts';

export const ActOnSignalInput = z
  .object({
    signal: SignalInput,
    /** The idea's terms; quantity defaults to the signal's. */
    idea: z
      .object({
        quantity: positiveDecimal.optional(),
        stopLoss: nonNegativeDecimal.optional(),
        takeProfit: nonNegativeDecimal.optional(),
        entryRangeLow: nonNegativeDecimal.optional(),
        entryRangeHigh: nonNegativeDecimal.optional(),
        expectedHold: z.string().min(1).max(32).optional(),
        rationale: z.string().optional(),
        snapshotRef: z.string().max(255).optional(),
        expiresAt: when.optional(),
      })
      .strict()
      .default({}),
    /** The order placed when the gate auto-executes the idea (default: a market order). */
    order: z
      .object({
        type: z.enum(ORDER_TYPES).default('market'),
        limitPrice: positiveDecimal.optional(),
        stopPrice: positiveDecimal.optional(),
        timeInForce: z.enum(TIME_IN_FORCE).optional(),
        clientOrderId: z.string().trim().min(1).max(64).optional(),
        exchangeOrderId: z.string().min(1).max(128).optional(),
      })
      .strict()
      .default({ type: 'market' }),
    /** Fill the order at once (paper trading, or the venue's immediate report); price defaults to the signal's. */
    fill: z
      .object({
        price: nonNegativeDecimal.optional(),
        quantity: positiveDecimal.optional(),
        fee: moneyValue.optional(),
        feeCurrency: z.string().min(1).max(16).optional(),
        ts: when.optional(),
        exchangeTradeId: z.string().min(1).max(128).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ActOnSignalInput = z.input<typeof ActOnSignalInput>;
type ParsedAct = z.output<typeof ActOnSignalInput>;

const price = fastDecimal(18, 'nonNegative');
const size = fastDecimal(18, 'positive');
/**
 * ActOnSignalInput's common case without zod (src/input/fast-parse.ts): field for field the same
 * schema, kept next to it; test/input/fast-parse.property.test.ts holds the two to one output.
 */
export const fastActOnSignal = fastObject<ParsedAct>(
  {
    signal: fastObject(
      {
        portfolioId: fastId,
        strategyId: fastId,
        strategyVersion: fastText(1, 64),
        assetId: fastId,
        ts: fastWhen,
        price,
        action: fastEnum(SIGNAL_ACTIONS),
        confidence: fastNumber(0, 1),
        aggregationMethod: fastText(1, 64),
        components: fastJsonObject,
        reason: fastText(0, Infinity),
        targetPrice: size,
        quantity: size,
        testMode: fastBoolean,
        botVersion: fastText(1, 64, true),
      },
      { testMode: () => false },
    ),
    idea: fastObject({
      quantity: size,
      stopLoss: price,
      takeProfit: price,
      entryRangeLow: price,
      entryRangeHigh: price,
      expectedHold: fastText(1, 32),
      rationale: fastText(0, Infinity),
      snapshotRef: fastText(0, 255),
      expiresAt: fastWhen,
    }),
    order: fastObject(
      {
        type: fastEnum(ORDER_TYPES),
        limitPrice: size,
        stopPrice: size,
        timeInForce: fastEnum(TIME_IN_FORCE),
        clientOrderId: fastText(1, 64, true),
        exchangeOrderId: fastText(1, 128),
      },
      { type: () => 'market' },
    ),
    fill: fastObject({
      price,
      quantity: size,
      fee: fastDecimal(36, 'any'),
      feeCurrency: fastText(1, 16),
      ts: fastWhen,
      exchangeTradeId: fastText(1, 128),
    }),
  },
  { idea: () => ({}), order: () => ({ type: 'market' }) },
);

/** actOnSignal's input parsed: the fast path for the common case, zod for everything else. */
export function parseActOnSignal(input: unknown): ParsedAct {
  const fast = fastActOnSignal(input);
  return fast === ZOD ? parseInput(ActOnSignalInput, input, 'signal action') : fast;
}

export interface ActOnSignalResult {
  signal: SignalView;
  /** null for a hold signal (it proposes nothing). */
  proposal: ProposalResult | null;
  /** Placed only when the gate auto-executed the idea. */
  order: OrderView | null;
  fill: FillResult | null;
}

/**
 * Everything the chain reads before it writes, in one round trip on PostgreSQL. The portfolio row
 * is locked first: its cash changes if the order fills.
 */
async function readBeforeActing(tx: Tx, a: ParsedAct) {
  const portfolioId = a.signal.portfolioId!;
  const { assetId, testMode } = a.signal;
  // The book the fill will change, when one is asked for (under the lock taken just before).
  const [position, openTrade] =
    a.fill === undefined ? [null, null] : openBookReads(tx, portfolioId, assetId, testMode);
  const [strategy, portfolio, asset, configs, openTradeCount, openPosition, openRoundTrip] =
    await tx.readEach([
      a.signal.strategyId === undefined ? null : strategyFactsRead(a.signal.strategyId),
      portfolioRead(tx, portfolioId, { lock: a.fill !== undefined }),
      {
        sql: 'select symbol, venue from assets where id = ?',
        params: [assetId],
        rows: ([row]) => row as { symbol: unknown; venue: unknown } | undefined,
      },
      riskConfigsRead(portfolioId),
      openTradeCountRead(tx, portfolioId, testMode),
      position,
      openTrade,
    ]);
  const book: OpenBook | undefined =
    a.fill === undefined
      ? undefined
      : { portfolioId, assetId, testMode, position: openPosition, openTrade: openRoundTrip };
  return { strategy, portfolio, asset, risk: { configs, openTradeCount }, book };
}

/**
 * Records a signal and acts on it in one transaction: buy/sell signals become a trade idea the risk
 * gate decides on; an auto-executed idea gets its order (and fill, when given). An idea that needs
 * approval or is halted stops there; approve it and place the order with placeOrder.
 */
export async function actOnSignal(store: Store, input: ActOnSignalInput): Promise<ActOnSignalResult> {
  const a = parseActOnSignal(input);
  if (a.signal.portfolioId === undefined && a.signal.action !== 'hold') {
    throw new TradingError('a signal to act on needs its portfolioId');
  }
  return inTransaction(store, async (tx) => {
    const now = new Date();
    if (a.signal.action === 'hold') {
      const strategy =
        a.signal.strategyId === undefined ? null : await strategyFacts(tx, a.signal.strategyId);
      const signal = await insertSignal(tx, {
        ...a.signal,
        strategyVersion: resolveStrategyVersion(a.signal, strategy),
      });
      return { signal, proposal: null, order: null, fill: null };
    }
    const { strategy, portfolio, asset, risk, book } = await readBeforeActing(tx, a);
    const signal = await insertSignal(tx, {
      ...a.signal,
      strategyVersion: resolveStrategyVersion(a.signal, strategy),
    });
    const proposal = await proposeTradeIdeaIn(
      tx,
      { ...a.idea, signalId: signal.id },
      { signal, strategy, portfolio, now, symbol: str(asset?.symbol), risk },
    );
    const idea = proposal.idea;
    if (idea.status !== 'auto_executed') return { signal, proposal, order: null, fill: null };

    const quantity = a.idea.quantity ?? signal.quantity!;
    const { order } = await placeOrderIn(
      tx,
      {
        portfolioId: portfolio.id,
        assetId: signal.assetId,
        side: idea.direction === 'long' ? 'buy' : 'sell',
        quantity,
        tradeIdeaId: idea.id,
        testMode: signal.testMode,
        ...(signal.botVersion === null ? {} : { botVersion: signal.botVersion }),
        ...a.order,
      },
      { portfolio, idea, ideaIsNew: true, now },
    );
    if (a.fill === undefined)
      return { signal: { ...signal, executed: true, executedAt: now }, proposal, order, fill: null };

    const venue = str(asset?.venue);
    const fill = await recordFillIn(
      tx,
      {
        orderId: order.id,
        quantity: a.fill.quantity ?? quantity,
        price: a.fill.price ?? signal.price,
        ...(a.fill.fee === undefined ? {} : { fee: a.fill.fee }),
        ...(a.fill.feeCurrency === undefined ? {} : { feeCurrency: a.fill.feeCurrency }),
        ...(a.fill.ts === undefined ? {} : { ts: a.fill.ts }),
        ...(a.fill.exchangeTradeId === undefined ? {} : { exchangeTradeId: a.fill.exchangeTradeId }),
      },
      {
        order,
        portfolio,
        venue,
        now,
        ...(book === undefined ? {} : { book }),
        attribution: {
          strategyId: idea.strategyId,
          stopLoss: idea.stopLoss,
          takeProfit: idea.takeProfit,
          reasoning: idea.rationale,
          confidence: idea.confidence,
        },
      },
    );
    return { signal: { ...signal, executed: true, executedAt: now }, proposal, order: fill.order, fill };
  });
}
