import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  calendarEventHistory,
  calendarWindow,
  recordCalendarEvent,
  recordCalendarEvents,
} from '../../src/news/calendar.ts';
import { eachDialect } from '../support/dialects.ts';

const nfp = {
  eventTime: '2025-05-02T12:30:00Z',
  currency: 'usd',
  impactLevel: 'high' as const,
  title: 'Non-Farm Payrolls',
  previous: '228K',
  forecast: '130K',
};

eachDialect('calendar events', (ctx) => {
  test('a repeated capture is not stored again; a changed one is a new capture', async () => {
    const first = await recordCalendarEvent(ctx.store, { ...nfp, capturedAt: '2025-05-01T00:00:00Z' });
    assert.equal(first.changed, true);
    assert.equal(first.event.currency, 'USD');
    const same = await recordCalendarEvent(ctx.store, { ...nfp, capturedAt: '2025-05-01T06:00:00Z' });
    assert.equal(same.changed, false);
    assert.equal(same.event.id, first.event.id);
    const actual = await recordCalendarEvent(ctx.store, {
      ...nfp,
      actual: '177K',
      capturedAt: '2025-05-02T12:31:00Z',
    });
    assert.equal(actual.changed, true);
    const history = await calendarEventHistory(ctx.store, nfp);
    assert.deepEqual(
      history.map((h) => h.actual),
      [null, '177K'],
    );
  });

  test('window queries return the latest capture per event, filtered; knownAt replays the past', async () => {
    const poll = await recordCalendarEvents(ctx.store, [
      { ...nfp, actual: '177K', capturedAt: '2025-05-02T13:00:00Z' },
      {
        eventTime: '2025-05-02T08:00:00Z',
        currency: 'EUR',
        impactLevel: 'medium',
        title: 'CPI Flash',
        capturedAt: '2025-05-01T00:00:00Z',
      },
      {
        eventTime: '2025-05-03T01:00:00Z',
        currency: 'JPY',
        impactLevel: 'low',
        title: 'Holiday',
        capturedAt: '2025-05-01T00:00:00Z',
      },
    ]);
    assert.deepEqual(poll, { changed: 2, unchanged: 1 });
    const day = { from: '2025-05-02T00:00:00Z', to: '2025-05-03T00:00:00Z' };
    assert.deepEqual(
      (await calendarWindow(ctx.store, day)).map((e) => [e.title, e.actual]),
      [
        ['CPI Flash', null],
        ['Non-Farm Payrolls', '177K'],
      ],
    );
    assert.deepEqual(
      (await calendarWindow(ctx.store, { ...day, knownAt: '2025-05-02T12:00:00Z' })).map((e) => [
        e.title,
        e.actual,
      ]),
      [
        ['CPI Flash', null],
        ['Non-Farm Payrolls', null],
      ],
    );
    assert.deepEqual(
      (await calendarWindow(ctx.store, { ...day, minImpact: 'high' })).map((e) => e.title),
      ['Non-Farm Payrolls'],
    );
    assert.deepEqual(
      (await calendarWindow(ctx.store, { ...day, currencies: ['eur'] })).map((e) => e.title),
      ['CPI Flash'],
    );
  });

  test('invalid input names the field; a bad poll writes nothing', async () => {
    await assert.rejects(
      recordCalendarEvent(ctx.store, { ...nfp, impactLevel: 'huge' as never }),
      /recordCalendarEvent: impactLevel:/,
    );
    await assert.rejects(
      calendarWindow(ctx.store, { from: '2025-05-03T00:00:00Z', to: '2025-05-02T00:00:00Z' }),
      /calendarWindow: to: "to" must be after "from"/,
    );
    await assert.rejects(
      recordCalendarEvents(ctx.store, [
        { ...nfp, title: 'ISM', capturedAt: '2025-05-01T00:00:00Z' },
        { ...nfp, title: '' },
      ]),
      /recordCalendarEvents: \[1\]\.title:/,
    );
    assert.deepEqual(await calendarEventHistory(ctx.store, { ...nfp, title: 'ISM' }), []);
  });
});
