/**
 * A proposal's terms: merged with its signal (the idea's own price, stop, size and rationale win;
 * anything contradicting the signal is refused) and checked for levels on the right side of the
 * entry. Pure: the caller has read the signal.
 */
import type { Decimal } from 'decimal.js';
import type { Direction } from '../entities/common.ts';
import { TradingError } from '../input/errors.ts';
import type { ParsedTradeIdea } from './idea-rows.ts';
import type { SignalView } from './signals.ts';

export interface ResolvedIdea {
  portfolioId: number;
  strategyId: number | null;
  signalId: number | null;
  assetId: number;
  direction: Direction;
  quantity: Decimal;
  confidence: number;
  entryPrice: Decimal | null;
  testMode: boolean;
  botVersion: string | null;
  rationale: string | null;
}

function conflict(field: string, given: unknown, fromSignal: unknown, signalId: number): never {
  throw new TradingError(`${field} ${String(given)} contradicts signal ${signalId} (${String(fromSignal)})`);
}

/** Merges a proposal with its signal; the idea's own price/stop/size/rationale win. */
export function resolveIdea(i: ParsedTradeIdea, signal: SignalView | null): ResolvedIdea {
  if (signal) {
    if (signal.action === 'hold')
      throw new TradingError(`signal ${signal.id} says hold: it proposes no trade`);
    const direction: Direction = signal.action === 'buy' ? 'long' : 'short';
    if (i.portfolioId !== undefined && i.portfolioId !== signal.portfolioId)
      conflict('portfolioId', i.portfolioId, signal.portfolioId, signal.id);
    if (i.assetId !== undefined && i.assetId !== signal.assetId)
      conflict('assetId', i.assetId, signal.assetId, signal.id);
    if (i.strategyId !== undefined && i.strategyId !== signal.strategyId)
      conflict('strategyId', i.strategyId, signal.strategyId, signal.id);
    if (i.direction !== undefined && i.direction !== direction)
      conflict('direction', i.direction, direction, signal.id);
    if (i.testMode !== undefined && i.testMode !== signal.testMode)
      conflict('testMode', i.testMode, signal.testMode, signal.id);
    if (signal.portfolioId === null)
      throw new TradingError(`signal ${signal.id} has no portfolio to trade in`);
    const quantity = i.quantity ?? signal.quantity;
    if (!quantity) throw new TradingError(`signal ${signal.id} has no quantity: give the idea's quantity`);
    return {
      portfolioId: signal.portfolioId,
      strategyId: signal.strategyId,
      signalId: signal.id,
      assetId: signal.assetId,
      direction,
      quantity,
      confidence: i.confidence ?? signal.confidence,
      entryPrice: i.entryPrice ?? signal.price,
      testMode: signal.testMode,
      botVersion: i.botVersion ?? signal.botVersion,
      rationale: i.rationale ?? signal.reason,
    };
  }
  const missing = (['portfolioId', 'assetId', 'direction', 'quantity', 'confidence'] as const).filter(
    (k) => i[k] === undefined,
  );
  if (missing.length > 0) throw new TradingError(`a direct trade idea needs ${missing.join(', ')}`);
  return {
    portfolioId: i.portfolioId!,
    strategyId: i.strategyId ?? null,
    signalId: null,
    assetId: i.assetId!,
    direction: i.direction!,
    quantity: i.quantity!,
    confidence: i.confidence!,
    entryPrice: i.entryPrice ?? null,
    testMode: i.testMode ?? false,
    botVersion: i.botVersion ?? null,
    rationale: i.rationale ?? null,
  };
}

/** Stops and targets must sit on the right side of the entry. */
export function checkLevels(direction: Direction, i: ParsedTradeIdea, entry: Decimal | null): void {
  if (i.entryRangeLow && i.entryRangeHigh && i.entryRangeLow.gt(i.entryRangeHigh)) {
    throw new TradingError(`entry range low ${i.entryRangeLow} is above its high ${i.entryRangeHigh}`);
  }
  if (entry === null) return;
  const long = direction === 'long';
  if (i.stopLoss && (long ? i.stopLoss.gte(entry) : i.stopLoss.lte(entry))) {
    throw new TradingError(
      `stop loss ${i.stopLoss} must be ${long ? 'below' : 'above'} the entry ${entry} of a ${direction} idea`,
    );
  }
  if (i.takeProfit && (long ? i.takeProfit.lte(entry) : i.takeProfit.gte(entry))) {
    throw new TradingError(
      `take profit ${i.takeProfit} must be ${long ? 'above' : 'below'} the entry ${entry} of a ${direction} idea`,
    );
  }
}
