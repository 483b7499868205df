import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/db/store.ts';

const writer = resolve(import.meta.dirname, '../support/sqlite-writer.ts');

function runWriter(url: string, tag: string, n: number): Promise<{ code: number | null; out: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [writer, url, tag, String(n)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('close', (code) => ok({ code, out }));
  });
}

test('two processes × 1,000 read-then-write transactions on one SQLite file: no "database is locked"', async () => {
  const url = `sqlite:${join(mkdtempSync(join(tmpdir(), 'tradestore-lock-')), 'shared.db')}`;
  const setup = await openStore(url);
  await setup
    .em()
    .getConnection()
    .execute('create table probe (id integer primary key, writer text not null, seen integer not null)');
  await setup.close();

  const [a, b] = await Promise.all([runWriter(url, 'a', 1000), runWriter(url, 'b', 1000)]);
  assert.equal(a.code, 0, a.out);
  assert.equal(b.code, 0, b.out);
  assert.doesNotMatch(a.out + b.out, /locked|busy/i);

  const check = await openStore(url);
  const rows = (await check
    .em()
    .getConnection()
    .execute('select writer, count(*) as n from probe group by writer order by writer')) as Array<{
    writer: string;
    n: number;
  }>;
  await check.close();
  assert.deepEqual(
    rows.map((r) => [r.writer, Number(r.n)]),
    [
      ['a', 1000],
      ['b', 1000],
    ],
  );
});
