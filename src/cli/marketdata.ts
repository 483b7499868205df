import type { Command } from 'commander';

export function registerMarketData(_group: Command): void {}
