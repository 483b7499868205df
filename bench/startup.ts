/**
 * Start-up as whole processes: `tradestore --help`, `--version` and `db health` on a migrated
 * SQLite file, each against `node -e 0` (the floor no command can go below) in the same run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, measureProcess, type ProcessRow } from './processes.ts';

export function benchStartup(options: { runs: number; log: (line: string) => void }): ProcessRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-bench-startup-'));
  try {
    const db = `sqlite:${join(dir, 'health.db')}`;
    const migrated = spawnSync(process.execPath, [BIN, '--db', db, 'migrate', 'up', '--no-backup'], {
      encoding: 'utf8',
    });
    if (migrated.status !== 0) throw new Error(`migrate up failed: ${migrated.stderr}`);
    options.log(`start-up: median of ${options.runs} runs per command, whole processes`);
    const baseline = measureProcess(['-e', '0'], { runs: options.runs });
    const row = (what: string, args: string[], seconds: number): ProcessRow => ({
      what,
      baselineName: '`node -e 0`',
      baseline,
      ours: measureProcess([BIN, ...args], { runs: options.runs }),
      target: { kind: 'max-seconds', seconds },
    });
    return [
      row('`tradestore --help`', ['--help'], 0.25),
      row('`tradestore --version`', ['--version'], 0.25),
      row('`tradestore db health` (SQLite file)', ['--db', db, 'db', 'health'], 0.4),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
