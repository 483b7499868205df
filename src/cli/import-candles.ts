import type { Command } from 'commander';

export function registerImportCandles(_group: Command): void {}
