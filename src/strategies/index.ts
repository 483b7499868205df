/** Strategies, their versions and their performance. */
export * from './canonical.ts';
export * from './performance.ts';
export * from './strategies.ts';
