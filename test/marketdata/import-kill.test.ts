/**
 * Kill-safety of `tradestore import candles` on SQLite: SIGKILL the process after its first batch
 * committed, then the database must be intact, hold only whole batches, and a re-run must complete it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { openStore } from '../../src/db/store.ts';
import { migrateUp } from '../../src/migrate/runner.ts';
import { BIN, spawnCli, summaryOf, tempDir } from './cli-support.ts';

const TOTAL = 200_000;
const BATCH = 10_000;

test('SIGKILL mid-import keeps whole committed batches, integrity ok, and a re-run completes the data', async () => {
  const dir = tempDir();
  const file = join(dir, 'big.json');
  const parts: string[] = [];
  const start = Date.UTC(2020, 0, 1);
  for (let i = 0; i < TOTAL; i++) {
    const open = 100 + (i % 101) / 4;
    parts.push(`[${start + i * 60_000},${open},${open + 1},${open - 1},${open + 0.5},${i % 50}]`);
  }
  writeFileSync(file, `[${parts.join(',\n')}]`);
  const url = `sqlite:${join(dir, 'kill.db')}`;
  const store = await openStore(url);
  await migrateUp(store);
  await store.close();

  const count = (db: DatabaseSync) =>
    Number((db.prepare('select count(*) as n from candles').get() as { n: number }).n);
  const child = spawn(
    process.execPath,
    [
      BIN,
      '--db',
      url,
      'import',
      'candles',
      file,
      '--asset',
      'KILL',
      '--venue',
      'test',
      '--timeframe',
      '1m',
      '--batch-size',
      String(BATCH),
    ],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<NodeJS.Signals | null>((done) =>
    child.on('exit', (_code, signal) => done(signal)),
  );
  // Poll through a separate connection (WAL: readers see committed batches only) until the first commit.
  const watcher = new DatabaseSync(join(dir, 'kill.db'), { readOnly: true, timeout: 5000 });
  let seen = 0;
  const deadline = Date.now() + 60_000;
  while (seen === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
    try {
      seen = count(watcher);
    } catch {
      // the candles table may be locked for a moment by the writer's checkpoint
    }
  }
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', 'the import finished before it could be killed');
  watcher.close();

  const db = new DatabaseSync(join(dir, 'kill.db'));
  assert.equal(
    (db.prepare('pragma integrity_check').get() as { integrity_check: string }).integrity_check,
    'ok',
  );
  const kept = count(db);
  db.close();
  assert.ok(kept >= seen && kept > 0 && kept < TOTAL, `kept ${kept} of ${TOTAL}`);
  assert.equal(kept % BATCH, 0, `kept ${kept}: not a whole number of ${BATCH}-row batches`);

  const rerun = summaryOf(
    await spawnCli(url, [
      'import',
      'candles',
      file,
      '--asset',
      'KILL',
      '--venue',
      'test',
      '--timeframe',
      '1m',
      '--batch-size',
      String(BATCH),
      '--json',
    ]),
  );
  assert.deepEqual([rerun.inserted, rerun.skipped, rerun.rejected], [TOTAL - kept, kept, 0]);
  const after = new DatabaseSync(join(dir, 'kill.db'), { readOnly: true });
  assert.equal(count(after), TOTAL);
  assert.equal(
    Number((after.prepare('select count(distinct ts) as n from candles').get() as { n: number }).n),
    TOTAL,
  );
  after.close();
});
