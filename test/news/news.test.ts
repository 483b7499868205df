import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  listNewsFeeds,
  markNewsFeedPolled,
  registerNewsFeed,
  setNewsFeedActive,
} from '../../src/news/feeds.ts';
import { listNewsItems, newsDedupKey, recordNewsItem, recordNewsItems } from '../../src/news/items.ts';
import { eachDialect } from '../support/dialects.ts';

eachDialect('news feeds and items', (ctx) => {
  let feedId = 0;

  test('feeds: register (idempotent by url), deactivate, mark polled, list', async () => {
    const first = await registerNewsFeed(ctx.store, {
      url: 'https://example.com/markets.rss',
      name: 'Markets',
    });
    assert.equal(first.created, true);
    assert.equal(first.feed.isActive, true);
    assert.equal(first.feed.lastPolledAt, null);
    feedId = first.feed.id;
    const again = await registerNewsFeed(ctx.store, {
      url: 'https://example.com/markets.rss',
      name: 'Markets EU',
    });
    assert.equal(again.created, false);
    assert.equal(again.feed.id, feedId);
    assert.equal(again.feed.name, 'Markets EU');
    const other = await registerNewsFeed(ctx.store, {
      url: 'https://example.org/crypto.xml',
      name: 'Crypto',
    });
    await setNewsFeedActive(ctx.store, other.feed.id, false);
    const polledAt = new Date('2025-05-01T08:00:00Z');
    const polled = await markNewsFeedPolled(ctx.store, feedId, polledAt);
    assert.equal(polled.lastPolledAt?.getTime(), polledAt.getTime());
    assert.deepEqual(
      (await listNewsFeeds(ctx.store)).map((f) => [f.name, f.isActive]),
      [
        ['Crypto', false],
        ['Markets EU', true],
      ],
    );
    assert.deepEqual(
      (await listNewsFeeds(ctx.store, { activeOnly: true })).map((f) => f.id),
      [feedId],
    );
    await assert.rejects(
      registerNewsFeed(ctx.store, { url: 'not a url', name: 'x' }),
      /registerNewsFeed: url:/,
    );
    await assert.rejects(markNewsFeedPolled(ctx.store, 999_999), /news feed 999999 does not exist/);
  });

  test('a seen item is never stored twice (by guid, else by content hash)', async () => {
    const item = {
      feedId,
      guid: 'https://example.com/a/1',
      headline: 'Fed holds rates',
      source: 'Example',
      symbols: ['spy', 'SPY', 'TLT'],
      publishedAt: '2025-05-01T07:30:00Z',
      capturedAt: new Date('2025-05-01T08:00:00Z'),
    };
    const first = await recordNewsItem(ctx.store, item);
    assert.equal(first.isNew, true);
    assert.deepEqual(first.item.symbols, ['SPY', 'TLT']);
    assert.equal(first.item.dedupKey, 'guid:https://example.com/a/1');
    const second = await recordNewsItem(ctx.store, { ...item, headline: 'Fed holds rates (updated)' });
    assert.equal(second.isNew, false);
    assert.equal(second.item.id, first.item.id);
    assert.equal(second.item.headline, 'Fed holds rates');

    const noGuid = { headline: 'Oil  jumps', source: 'Wire', publishedAt: '2025-05-01T09:00:00Z', feedId };
    assert.equal((await recordNewsItem(ctx.store, noGuid)).isNew, true);
    assert.equal((await recordNewsItem(ctx.store, { ...noGuid, headline: ' Oil jumps ' })).isNew, false);
    assert.match(newsDedupKey({ headline: 'Oil jumps', source: 'Wire' }), /^sha256:[0-9a-f]{64}$/);

    const batch = await recordNewsItems(ctx.store, [
      {
        guid: 'g-2',
        headline: 'BTC breaks out',
        symbols: ['BTC'],
        capturedAt: new Date('2025-05-01T10:00:00Z'),
      },
      { guid: 'g-2', headline: 'BTC breaks out (dup in the same poll)' },
      item,
    ]);
    assert.equal(batch.inserted, 1);
    assert.equal(batch.skipped, 2);
    assert.deepEqual(
      batch.items.map((i) => i.isNew),
      [true, false, false],
    );
  });

  test('concurrent writers of the same item store it once', async () => {
    const same = { guid: 'race-1', headline: 'Race' };
    const results = await Promise.all([1, 2, 3, 4].map(() => recordNewsItem(ctx.store, same)));
    assert.equal(results.filter((r) => r.isNew).length, 1);
    assert.equal(new Set(results.map((r) => r.item.id)).size, 1);
  });

  test('listing by feed, symbol and capture window; invalid input is refused', async () => {
    assert.deepEqual(
      (await listNewsItems(ctx.store, { symbol: 'btc' })).map((i) => i.headline),
      ['BTC breaks out'],
    );
    assert.equal((await listNewsItems(ctx.store, { feedId })).length, 2);
    assert.deepEqual(
      (
        await listNewsItems(ctx.store, {
          from: new Date('2025-05-01T07:00:00Z'),
          to: new Date('2025-05-01T09:00:00Z'),
        })
      ).map((i) => i.headline),
      ['Fed holds rates'],
    );
    await assert.rejects(recordNewsItem(ctx.store, { headline: '' }), /recordNewsItem: headline:/);
    await assert.rejects(
      recordNewsItems(ctx.store, [{ headline: 'ok' }, { headline: 'x', publishedAt: 'yesterday' }]),
      /recordNewsItems: \[1\]\.publishedAt:/,
    );
    assert.equal(
      (await listNewsItems(ctx.store, { limit: 100 })).some((i) => i.headline === 'ok'),
      false,
    );
  });
});
