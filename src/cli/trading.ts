import type { Command } from 'commander';

export function registerTrading(_group: Command): void {}
