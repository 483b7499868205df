/** Portfolios, their positions, snapshots and risk configs. */
export * from './portfolios.ts';
export * from './positions.ts';
export * from './risk-configs.ts';
export * from './snapshots.ts';
