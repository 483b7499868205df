/** The trading services bots call all day: signals, trade ideas, orders, fills, round trips, audit. */
export * from './chain.ts';
export * from '../audit/decision-history.ts';
export * from './fills.ts';
export * from './ideas.ts';
export { InvalidInputError, NotFoundError, RefusedError } from '../input/errors.ts';
export type { ScopeCounts, TestScope } from '../input/fields.ts';
export * from './orders.ts';
export * from './signals.ts';
export { type Listing, TradingError } from '../db/transaction.ts';
export * from './trades.ts';
