import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decimal } from 'decimal.js';
import { ensureAsset } from '../../src/marketdata/assets.ts';
import { findPredictionEvent, upsertPredictionEvent } from '../../src/predictions/events.ts';
import {
  findPredictionMarket,
  listMarketSnapshots,
  listPredictionMarkets,
  recordMarketSnapshot,
  resolvePredictionMarket,
  upsertPredictionMarket,
} from '../../src/predictions/markets.ts';
import { eachDialect } from '../support/dialects.ts';

eachDialect('prediction events, markets and snapshots', (ctx) => {
  test('events upsert by (venue, external id); fields not given are kept', async () => {
    const created = await upsertPredictionEvent(ctx.store, {
      externalId: 'evt-fed-june',
      title: 'Fed decision in June?',
      slug: 'fed-june',
      endDate: '2025-06-18T18:00:00Z',
      liquidity: '125000.55',
      tags: ['economy', { id: 7 }],
    });
    assert.equal(created.created, true);
    assert.equal(created.event.venue, 'polymarket');
    const updated = await upsertPredictionEvent(ctx.store, {
      externalId: 'evt-fed-june',
      title: 'Fed decision in June 2025?',
      volume: '98765.4321',
    });
    assert.equal(updated.created, false);
    assert.equal(updated.event.id, created.event.id);
    const found = await findPredictionEvent(ctx.store, { externalId: 'evt-fed-june' });
    assert.equal(found?.title, 'Fed decision in June 2025?');
    assert.equal(found?.slug, 'fed-june');
    assert.equal(found?.liquidity?.toFixed(), '125000.55');
    assert.equal(found?.volume?.toFixed(), '98765.4321');
    assert.deepEqual(found?.tags, ['economy', { id: 7 }]);
    const elsewhere = await upsertPredictionEvent(ctx.store, {
      venue: 'kalshi',
      externalId: 'evt-fed-june',
      title: 'x',
    });
    assert.equal(elsewhere.created, true);
    await assert.rejects(
      upsertPredictionEvent(ctx.store, { externalId: 'e', title: 't', liquidity: 12.5 as never }),
      /upsertPredictionEvent: liquidity:/,
    );
  });

  test('markets upsert, link to their event and asset, and list', async () => {
    const assetId = await ensureAsset(ctx.store, {
      symbol: 'mkt-cut-25',
      venue: 'polymarket',
      kind: 'prediction',
    });
    const { market, created } = await upsertPredictionMarket(ctx.store, {
      externalId: 'mkt-cut-25',
      eventExternalId: 'evt-fed-june',
      assetId,
      question: 'Will the Fed cut by 25bp?',
      outcomes: ['Yes', 'No'],
      outcomePrices: ['0.31', '0.69'],
      yesPrice: '0.31',
      noPrice: '0.69',
      endDate: '2025-06-18T18:00:00Z',
    });
    assert.equal(created, true);
    const event = await findPredictionEvent(ctx.store, { externalId: 'evt-fed-june' });
    assert.equal(market.event, event?.id);
    assert.equal(market.asset, assetId);
    const again = await upsertPredictionMarket(ctx.store, {
      externalId: 'mkt-cut-25',
      question: 'Will the Fed cut 25bp?',
    });
    assert.equal(again.created, false);
    assert.equal(again.market.event, event?.id);
    assert.equal(again.market.yesPrice?.toFixed(), '0.31');
    await upsertPredictionMarket(ctx.store, {
      externalId: 'mkt-hold',
      question: 'Will the Fed hold?',
      endDate: '2025-06-01T00:00:00Z',
    });
    assert.deepEqual(
      (await listPredictionMarkets(ctx.store)).map((m) => m.externalId),
      ['mkt-hold', 'mkt-cut-25'],
    );
    assert.deepEqual(
      (await listPredictionMarkets(ctx.store, { eventId: event!.id })).map((m) => m.externalId),
      ['mkt-cut-25'],
    );
    await assert.rejects(
      upsertPredictionMarket(ctx.store, { externalId: 'm', question: 'q', eventExternalId: 'no-such-event' }),
      /eventExternalId: no polymarket event "no-such-event"/,
    );
    await assert.rejects(
      upsertPredictionMarket(ctx.store, {
        externalId: 'm',
        question: 'q',
        yesPrice: '0.1234567890123456789',
      }),
      /upsertPredictionMarket: yesPrice: does not fit numeric\(38,18\)/,
    );
  });

  test('snapshots append history and move the current quote only forward', async () => {
    const ref = { externalId: 'mkt-cut-25' };
    await recordMarketSnapshot(ctx.store, {
      market: ref,
      capturedAt: '2025-05-01T10:00:00Z',
      yesPrice: '0.35',
      noPrice: '0.65',
      volume24hr: '1000.5',
    });
    await recordMarketSnapshot(ctx.store, {
      market: ref,
      capturedAt: '2025-05-01T12:00:00Z',
      yesPrice: '0.4',
      noPrice: '0.6',
    });
    // A late-arriving older snapshot joins the history but does not replace the newer quote.
    await recordMarketSnapshot(ctx.store, {
      market: ref,
      capturedAt: '2025-05-01T11:00:00Z',
      yesPrice: '0.37',
      noPrice: '0.63',
    });
    const history = await listMarketSnapshots(ctx.store, ref);
    assert.deepEqual(
      history.map((s) => s.yesPrice?.toFixed()),
      ['0.35', '0.37', '0.4'],
    );
    assert.ok(history[0]!.volume24hr?.eq(new Decimal('1000.5')));
    const market = await findPredictionMarket(ctx.store, ref);
    assert.equal(market?.yesPrice?.toFixed(), '0.4');
    assert.equal(market?.lastPriceUpdate?.toISOString(), '2025-05-01T12:00:00.000Z');
    assert.equal(market?.volume24hr?.toFixed(), '1000.5');
    assert.equal(
      (await listMarketSnapshots(ctx.store, market!.id, { from: '2025-05-01T11:00:00Z' })).length,
      2,
    );
    await assert.rejects(
      recordMarketSnapshot(ctx.store, { market: { externalId: 'nope' }, yesPrice: '0.5' }),
      /prediction market polymarket "nope" does not exist/,
    );
  });

  test('resolution: one of the outcomes, once', async () => {
    const ref = { externalId: 'mkt-cut-25' };
    await assert.rejects(
      resolvePredictionMarket(ctx.store, ref, 'Maybe'),
      /outcome: "Maybe" is not one of "Yes", "No"/,
    );
    const resolved = await resolvePredictionMarket(ctx.store, ref, 'No');
    assert.equal(resolved.resolved, true);
    assert.equal(resolved.closed, true);
    assert.equal(resolved.resolvedOutcome, 'No');
    await resolvePredictionMarket(ctx.store, ref, 'No');
    await assert.rejects(resolvePredictionMarket(ctx.store, ref, 'Yes'), /already resolved as "No"/);
    assert.deepEqual(
      (await listPredictionMarkets(ctx.store, { resolved: false })).map((m) => m.externalId),
      ['mkt-hold'],
    );
  });
});
