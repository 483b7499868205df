/**
 * Economic calendar. An event is identified by (event_time, currency, title). The table keeps every
 * capture as its own row (calendar_events has no unique key, by design: a decision can be replayed
 * against what was known when it was made), so "upsert" here means: a capture whose values
 * (impact, previous, forecast, actual) equal the event's latest capture is not stored again;
 * a changed one (e.g. `actual` published) is stored as a new capture. Window queries return the
 * latest capture of each event.
 */
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { CALENDAR_IMPACT_LEVELS, type CalendarImpactLevel } from '../entities/market-data-tables.ts';
import { selectViews, Where } from '../db/listing.ts';
import { col, defineTable } from '../db/table.ts';
import { inTransaction, reading, type Tx } from '../db/transaction.ts';
import { parseInput } from '../input/parse.ts';
import { when } from '../input/fields.ts';

const CalendarEventInput = z
  .object({
    eventTime: when,
    currency: z.string().trim().min(1).max(16).toUpperCase(),
    impactLevel: z.enum(CALENDAR_IMPACT_LEVELS),
    title: z.string().trim().min(1).max(255),
    previous: z.string().trim().max(64).nullish(),
    forecast: z.string().trim().max(64).nullish(),
    actual: z.string().trim().max(64).nullish(),
    capturedAt: when.optional(),
  })
  .strict();

export type CalendarEventInput = z.input<typeof CalendarEventInput>;

export interface CalendarEventView {
  id: number;
  eventTime: Date;
  currency: string;
  impactLevel: CalendarImpactLevel;
  title: string;
  previous: string | null;
  forecast: string | null;
  actual: string | null;
  capturedAt: Date;
}

export const calendarEvents = defineTable<CalendarEventView>('calendar_events', 'calendar event', {
  id: col.id(),
  eventTime: col.time(),
  currency: col.text(),
  impactLevel: col.text<CalendarImpactLevel>(),
  title: col.text(),
  previous: col.textOrNull(),
  forecast: col.textOrNull(),
  actual: col.textOrNull(),
  capturedAt: col.time(),
});

type ParsedCapture = z.output<typeof CalendarEventInput>;

const sameValues = (a: CalendarEventView, b: ParsedCapture) =>
  a.impactLevel === b.impactLevel &&
  a.previous === (b.previous ?? null) &&
  a.forecast === (b.forecast ?? null) &&
  a.actual === (b.actual ?? null);

/** The condition naming one event: its time, currency and title. */
const captureKey = (tx: Tx, key: { eventTime: Date; currency: string; title: string }) =>
  new Where()
    .add('event_time = ?', tx.time(key.eventTime))
    .add('currency = ?', key.currency)
    .add('title = ?', key.title);

async function recordOne(tx: Tx, input: ParsedCapture) {
  const [latest] = await selectViews(tx, calendarEvents, {
    filter: captureKey(tx, input),
    orderBy: 'captured_at desc, id desc',
    limit: 1,
  });
  if (latest && sameValues(latest, input)) return { event: latest, changed: false };
  const event = await calendarEvents.insert(tx, {
    ...input,
    previous: input.previous ?? null,
    forecast: input.forecast ?? null,
    actual: input.actual ?? null,
    capturedAt: input.capturedAt ?? new Date(),
  });
  return { event, changed: true };
}

/** Records a capture of an event; `changed` is false when it repeats the latest capture. */
export async function recordCalendarEvent(
  store: Store,
  input: CalendarEventInput,
): Promise<{ event: CalendarEventView; changed: boolean }> {
  const data = parseInput(CalendarEventInput, input, 'recordCalendarEvent');
  return inTransaction(store, (tx) => recordOne(tx, data));
}

/** Records a whole calendar poll in one transaction. */
export async function recordCalendarEvents(
  store: Store,
  inputs: CalendarEventInput[],
): Promise<{ changed: number; unchanged: number }> {
  const rows = parseInput(z.array(CalendarEventInput), inputs, 'recordCalendarEvents');
  return inTransaction(store, async (tx) => {
    let changed = 0;
    for (const data of rows) if ((await recordOne(tx, data)).changed) changed++;
    return { changed, unchanged: rows.length - changed };
  });
}

const CalendarWindowQuery = z
  .object({
    from: when,
    to: when,
    currencies: z.array(z.string().trim().min(1).max(16).toUpperCase()).min(1).optional(),
    /** This impact and above (holiday < low < medium < high). */
    minImpact: z.enum(CALENDAR_IMPACT_LEVELS).optional(),
    /** Only what was known at this time (captures up to it). Default: everything. */
    knownAt: when.optional(),
  })
  .strict()
  .refine((q) => q.to > q.from, { message: '"to" must be after "from"', path: ['to'] });

/** Events with from ≤ event_time < to, each as its latest capture (as of `knownAt`), by time. */
export async function calendarWindow(
  store: Store,
  options: z.input<typeof CalendarWindowQuery>,
): Promise<CalendarEventView[]> {
  const q = parseInput(CalendarWindowQuery, options, 'calendarWindow');
  const levels = q.minImpact && CALENDAR_IMPACT_LEVELS.slice(CALENDAR_IMPACT_LEVELS.indexOf(q.minImpact));
  const rows = await reading(store, (tx) =>
    selectViews(tx, calendarEvents, {
      filter: new Where()
        .add('event_time >= ?', tx.time(q.from))
        .add('event_time < ?', tx.time(q.to))
        .when(
          q.currencies,
          `currency in (${q.currencies?.map(() => '?').join(', ')})`,
          ...(q.currencies ?? []),
        )
        .when(levels, `impact_level in (${levels?.map(() => '?').join(', ')})`, ...(levels ?? []))
        .when(q.knownAt, 'captured_at <= ?', q.knownAt && tx.time(q.knownAt)),
      orderBy: 'event_time asc, captured_at asc, id asc',
    }),
  );
  const latest = new Map<string, CalendarEventView>();
  for (const row of rows) latest.set(JSON.stringify([row.eventTime.getTime(), row.currency, row.title]), row);
  return [...latest.values()];
}

/** Every capture of one event, oldest first. */
export async function calendarEventHistory(
  store: Store,
  key: { eventTime: Date | string | number; currency: string; title: string },
): Promise<CalendarEventView[]> {
  // Not strict: an event entry (or a capture's input) can be passed as its own key.
  const keyInput = z.object({
    eventTime: when,
    currency: z.string().trim().min(1).max(16).toUpperCase(),
    title: z.string().trim().min(1).max(255),
  });
  const q = parseInput(keyInput, key, 'calendarEventHistory');
  return reading(store, (tx) =>
    selectViews(tx, calendarEvents, { filter: captureKey(tx, q), orderBy: 'captured_at asc, id asc' }),
  );
}
