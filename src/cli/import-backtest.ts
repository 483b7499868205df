import type { Command } from 'commander';

export function registerImportBacktest(_group: Command): void {}
