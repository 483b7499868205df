/**
 * The HTTP server's log never carries a password or the secret key, whatever a driver's error
 * text quotes: the logger masks every message and error before writing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config/env.ts';
import { openStore, type Store } from '../../src/db/store.ts';
import { SECRET, testApi } from './support.ts';

const PASSWORD = 'S3cretPW-log';
let store: Store;

before(async () => {
  store = await openStore('sqlite::memory:');
  // What `serve` does first: the configuration's secrets become known to the masking.
  loadConfig({ SECRET_KEY: SECRET, DATABASE_URL: `postgres://bot:${PASSWORD}@db:5432/x` }, '/nonexistent');
});
after(() => store.close());

test("log lines, logged errors and a failed request's err are masked", async () => {
  const api = testApi(store);
  try {
    api.app.log.error(`connect postgres://bot:${PASSWORD}@db:5432/x failed`);
    api.app.log.error(new Error(`password ${PASSWORD} refused for key ${SECRET}`));
    api.app.log.warn({ err: new Error(`FATAL at postgresql://bot:${PASSWORD}@db/x`) }, 'request failed');
    // Requests log through child loggers (request.log), which must mask the same.
    api.app.log
      .child({ reqId: 'r1' })
      .error({ err: new Error(`role bot, password ${PASSWORD}`) }, 'request failed');
    const all = api.log.join('');
    assert.equal(api.log.length, 4, all);
    assert.ok(!all.includes(PASSWORD), `a password reached the log:\n${all}`);
    assert.ok(!all.includes(SECRET), `the secret key reached the log:\n${all}`);
    // Still useful: what failed, and where.
    assert.match(all, /connect postgres:\/\/bot:\*\*\*@db:5432\/x failed/);
    assert.match(all, /FATAL at postgresql:\/\/bot:\*\*\*@db\/x/);
    assert.match(all, /"type":"Error"/);
  } finally {
    await api.close();
  }
});
