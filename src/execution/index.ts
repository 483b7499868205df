/** The trading services bots call all day: signals, trade ideas, orders, fills, round trips, audit. */
export * from './chain.ts';
export * from './decisions.ts';
export * from './fills.ts';
export * from './ideas.ts';
export { ValidationError } from './inputs.ts';
export * from './orders.ts';
export * from './signals.ts';
export { type Listing, NotFoundError, type ScopeCounts, type TestScope, TradingError } from './sql.ts';
export * from './trades.ts';
