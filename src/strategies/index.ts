/** Strategies, their versions and their performance. */
export * from './canonical.ts';
export * from './strategy-performance.ts';
export * from './strategies.ts';
