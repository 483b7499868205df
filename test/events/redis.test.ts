/**
 * The Redis publisher on both databases: a subscriber on `tradestore:fill` receives the fill after
 * its commit, with the outbox's seq; with Redis stopped mid-run (a private redis-server, never the
 * shared one) writes still succeed and the outbox is complete, and what Redis missed is published
 * once it is back; a CLI process publishes what it committed before it exits.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStore } from '../../src/db/store.ts';
import { actOnSignal } from '../../src/execution/chain.ts';
import { eventBounds, readEvents } from '../../src/events/reading.ts';
import { setBotStatus } from '../../src/operations/bot-status.ts';
import { publishedSeqKey } from '../../src/events/redis-publisher.ts';
import { Redis } from 'ioredis';
import { spawnCandleImport } from '../support/cli.ts';
import { eachDialect } from '../support/dialects.ts';
import { collect, privateRedis, REDIS_SKIP, REDIS_URL } from '../support/redis.ts';
import { createAssets, createTestPortfolio, createUser, openGate } from '../execution/fixtures.ts';

describe('events to Redis', { skip: REDIS_SKIP }, () => {
  eachDialect('redis publisher', (ctx) => {
    test('a subscriber on tradestore:fill receives the fill after commit, with its seq', async () => {
      const store = await openStore(ctx.url, { redisUrl: REDIS_URL });
      const fills = await collect(REDIS_URL, 'tradestore:fill');
      try {
        await openGate(store);
        const user = await createUser(store);
        const portfolioId = (await createTestPortfolio(store, user.id)).id;
        const [asset] = (await createAssets(store, ['ETH/USDT'], `redis-${ctx.dialect}-${process.pid}`)) as [
          number,
        ];
        const r = await actOnSignal(store, {
          signal: {
            portfolioId,
            assetId: asset,
            price: '2500.25',
            action: 'buy',
            confidence: 0.9,
            quantity: '0.5',
            strategyVersion: 'v1',
          },
          fill: {},
        });
        const fillId = r.fill!.fill.id;
        const [stored] = (await readEvents(store, { after: 0, limit: 1000, topics: ['fill'] })).filter(
          (e) => e.payload.id === fillId,
        );
        const mine = (m: Record<string, unknown>) => m.id === fillId && m.portfolio_id === portfolioId;
        const [message] = (await fills.until((m) => m.some(mine))).filter(mine);
        assert.equal(message!.price, '2500.25');
        assert.deepEqual(message, {
          ...stored!.payload,
          seq: stored!.seq,
          topic: 'fill',
          occurred_at: stored!.occurredAt.toISOString(),
          portfolio_id: portfolioId,
        });
      } finally {
        fills.close();
        await store.close();
      }
    });

    test('with Redis stopped mid-run writes succeed, the outbox is complete, and Redis catches up', async () => {
      const redis = await privateRedis();
      const store = await openStore(ctx.url, { redisUrl: redis.url });
      let statuses = await collect(redis.url, 'tradestore:bot_status');
      const key = `redis-stop-${ctx.dialect}`;
      const mine = (i: number) => (m: Record<string, unknown>[]) =>
        m.some((x) => x.key === key && x.value === i);
      try {
        await setBotStatus(store, key, 0);
        await statuses.until(mine(0));
        statuses.close();
        await redis.stop();
        const before = (await eventBounds(store)).latestSeq;
        for (let i = 1; i <= 5; i++) await setBotStatus(store, key, i);
        const events = await readEvents(store, { after: before, limit: 100 });
        assert.deepEqual(
          events.map((e) => [e.seq, e.payload.value]),
          [1, 2, 3, 4, 5].map((i) => [before + i, i]),
        );
        // Back up, empty (no persistence): the publisher resumes from its own cursor. Pub/sub keeps
        // nothing for a subscriber that is not there yet, so what it missed shows as the seq Redis
        // says was published; the next write is received, after everything before it.
        await redis.start();
        statuses = await collect(redis.url, 'tradestore:bot_status');
        await setBotStatus(store, key, 6);
        const [six] = (await statuses.until(mine(6))).filter((x) => x.value === 6);
        assert.equal(six!.seq, before + 6);
        const published = new Redis(redis.url);
        try {
          assert.equal(Number(await published.get(publishedSeqKey(store))), before + 6);
        } finally {
          published.disconnect();
        }
        const seqs = statuses.messages.map((x) => x.seq as number);
        assert.deepEqual(
          seqs,
          [...seqs].sort((a, b) => a - b),
          'in seq order',
        );
        assert.deepEqual(seqs, [...new Set(seqs)], 'no seq published twice');
      } finally {
        statuses.close();
        await store.close();
        await redis.stop();
      }
    });

    test('a CLI command publishes what it committed before it exits', async () => {
      const statuses = await collect(REDIS_URL, 'tradestore:candles');
      try {
        const symbol = `CLI${ctx.dialect}${process.pid}`;
        const r = await spawnCandleImport(
          ctx.url,
          { symbol, venue: 'cli', times: [1_700_000_040_000, 1_700_000_100_000] },
          { env: { REDIS_URL } },
        );
        assert.equal(r.code, 0, r.stderr);
        const mine = (m: Record<string, unknown>) => m.symbol === symbol;
        const [message] = (await statuses.until((m) => m.some(mine))).filter(mine);
        assert.equal(message!.count, 2);
        assert.equal(message!.first_ts, 1_700_000_040_000);
      } finally {
        statuses.close();
      }
    });
  });
});
