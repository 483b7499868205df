import type { Command } from 'commander';

export function registerImportTicks(_group: Command): void {}
