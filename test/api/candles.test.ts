/**
 * Market data over HTTP: bulk candle uploads as CSV, NDJSON and a JSON array (streamed, with the
 * CLI's rejects), the upload's own body limit, GET /candles pages newest first with a cursor,
 * resampling, and the page cache retired by the next write.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eachDialect } from '../support/dialects.ts';
import { rowCounts, testApi, type TestApi } from './support.ts';

const T0 = Date.UTC(2026, 2, 2); // a Monday
const row = (i: number, close = 100.5 + i) => ({
  ts: T0 + i * 60_000,
  open: 100 + i,
  high: 101 + i,
  low: 99 + i,
  close,
  volume: 10 + i,
});

eachDialect('candles over HTTP', (ctx) => {
  let api: TestApi;
  let token: string;
  before(async () => {
    api = testApi(ctx.store, { LOG_LEVEL: 'silent', CANDLE_UPLOAD_LIMIT_BYTES: 64 * 1024 });
    await api.call('POST', '/auth/register', {
      body: { email: 'md@example.com', password: 'market data pass' },
    });
    token = (await api.login('md@example.com', 'market data pass')).access;
  });
  after(() => api.close());

  const upload = (type: string, body: string, query = '') =>
    api.call('POST', `/candles?asset=ETH/USDT&venue=kraken&timeframe=1m${query}`, {
      token,
      raw: body,
      headers: { 'content-type': type },
    });

  test('CSV upload: rows stored, a bad row reported with its line like the CLI', async () => {
    const lines = ['ts,open,high,low,close,volume'];
    for (let i = 0; i < 60; i++) {
      const c = row(i);
      lines.push(
        i === 7 ? `${c.ts},10,5,9,8,1` : `${c.ts},${c.open},${c.high},${c.low},${c.close},${c.volume}`,
      );
    }
    const r = await upload('text/csv', lines.join('\n'));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.inserted, 59);
    assert.equal(r.body.rejected, 1);
    assert.equal(r.body.rejects[0].line, 9);
    assert.match(r.body.rejects[0].reason, /high/);
  });

  test('NDJSON and JSON array uploads go through the same importer', async () => {
    const nd = [60, 61, 62].map((i) => JSON.stringify(row(i))).join('\n');
    const a = await upload('application/x-ndjson', `${nd}\n`);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.body.inserted, 3);
    const b = await upload('application/json', JSON.stringify([63, 64].map((i) => row(i))));
    assert.equal(b.status, 200, b.text);
    assert.equal(b.body.inserted, 2);
  });

  test('an upload over CANDLE_UPLOAD_LIMIT_BYTES is 413 and stores nothing', async () => {
    const counts = await rowCounts(ctx.store);
    const big = JSON.stringify(Array.from({ length: 2000 }, (_, i) => row(1000 + i)));
    assert.ok(big.length > 64 * 1024);
    const r = await upload('application/json', big);
    assert.equal(r.status, 413, r.text.slice(0, 200));
    assert.equal(r.body.error.code, 'payload_too_large');
    assert.deepEqual(await rowCounts(ctx.store), counts);
  });

  test('GET /candles: newest first, limit and cursor walk back without gaps or repeats', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const r = await api.call(
        'GET',
        `/candles?asset=ETH/USDT&venue=kraken&timeframe=1m&limit=20${cursor ? `&cursor=${cursor}` : ''}`,
        { token },
      );
      assert.equal(r.status, 200, r.text);
      seen.push(...r.body.data.map((c: { ts: number }) => c.ts));
      cursor = r.body.next_cursor;
    } while (cursor !== null);
    const expected = Array.from({ length: 65 }, (_, i) => T0 + i * 60_000)
      .filter((ts) => ts !== T0 + 7 * 60_000)
      .reverse();
    assert.deepEqual(seen, expected);
  });

  test('resample to 1h in the database', async () => {
    const r = await api.call('GET', '/candles?asset=ETH/USDT&venue=kraken&timeframe=1m&resample=1h', {
      token,
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(
      r.body.data.map((c: { ts: number }) => c.ts),
      [T0 + 3_600_000, T0],
    );
    assert.equal(r.body.data[1].open, 100);
    assert.equal(r.body.data[1].close, row(59).close);
    const bad = await api.call('GET', '/candles?asset=ETH/USDT&venue=kraken&timeframe=1h&resample=1m', {
      token,
    });
    assert.equal(bad.status, 400);
  });

  test('a cached page is retired by the next write', async () => {
    const url = '/candles?asset=ETH/USDT&venue=kraken&timeframe=1m&limit=1';
    const before = await api.call('GET', url, { token });
    assert.equal((await api.call('GET', url, { token })).text, before.text);
    const changed = await upload(
      'application/x-ndjson',
      JSON.stringify(row(64, 164.75)),
      '&on_conflict=update',
    );
    assert.equal(changed.body.updated, 1, changed.text);
    const after = await api.call('GET', url, { token });
    assert.equal(after.body.data[0].close, 164.75);
  });

  test('unknown asset is 404; candles need credentials', async () => {
    assert.equal(
      (await api.call('GET', '/candles?asset=NOPE&venue=kraken&timeframe=1m', { token })).status,
      404,
    );
    assert.equal((await api.call('GET', '/candles?asset=ETH/USDT&venue=kraken&timeframe=1m')).status, 401);
  });
});
