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
import {
  CALENDAR_IMPACT_LEVELS,
  CalendarEvent,
  type CalendarImpactLevel,
} from '../entities/market-data-tables.ts';
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

function calendarEventFromRow(row: CalendarEvent): CalendarEventView {
  return {
    id: row.id,
    eventTime: row.eventTime,
    currency: row.currency,
    impactLevel: row.impactLevel,
    title: row.title,
    previous: row.previous ?? null,
    forecast: row.forecast ?? null,
    actual: row.actual ?? null,
    capturedAt: row.capturedAt,
  };
}

const sameValues = (a: CalendarEvent, b: z.output<typeof CalendarEventInput>) =>
  a.impactLevel === b.impactLevel &&
  (a.previous ?? null) === (b.previous ?? null) &&
  (a.forecast ?? null) === (b.forecast ?? null) &&
  (a.actual ?? null) === (b.actual ?? null);

type Em = ReturnType<Store['em']>;

async function recordOne(em: Em, input: z.output<typeof CalendarEventInput>) {
  const latest = await em.findOne(
    CalendarEvent,
    { eventTime: input.eventTime, currency: input.currency, title: input.title },
    { orderBy: { capturedAt: 'desc', id: 'desc' } },
  );
  if (latest && sameValues(latest, input)) return { event: calendarEventFromRow(latest), changed: false };
  const row = em.create(CalendarEvent, {
    eventTime: input.eventTime,
    currency: input.currency,
    impactLevel: input.impactLevel,
    title: input.title,
    previous: input.previous ?? null,
    forecast: input.forecast ?? null,
    actual: input.actual ?? null,
    capturedAt: input.capturedAt ?? new Date(),
  });
  await em.flush();
  return { event: calendarEventFromRow(row), changed: true };
}

/** Records a capture of an event; `changed` is false when it repeats the latest capture. */
export async function recordCalendarEvent(
  store: Store,
  input: CalendarEventInput,
): Promise<{ event: CalendarEventView; changed: boolean }> {
  const data = parseInput(CalendarEventInput, input, 'recordCalendarEvent');
  return store.em().transactional((em) => recordOne(em, data));
}

/** Records a whole calendar poll in one transaction. */
export async function recordCalendarEvents(
  store: Store,
  inputs: CalendarEventInput[],
): Promise<{ changed: number; unchanged: number }> {
  const rows = parseInput(z.array(CalendarEventInput), inputs, 'recordCalendarEvents');
  return store.em().transactional(async (em) => {
    let changed = 0;
    for (const data of rows) if ((await recordOne(em, data)).changed) changed++;
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
  const filter: Record<string, unknown> = { eventTime: { $gte: q.from, $lt: q.to } };
  if (q.currencies) filter.currency = { $in: q.currencies };
  if (q.minImpact)
    filter.impactLevel = { $in: CALENDAR_IMPACT_LEVELS.slice(CALENDAR_IMPACT_LEVELS.indexOf(q.minImpact)) };
  if (q.knownAt) filter.capturedAt = { $lte: q.knownAt };
  const rows = await store
    .em()
    .find(CalendarEvent, filter, { orderBy: { eventTime: 'asc', capturedAt: 'asc', id: 'asc' } });
  const latest = new Map<string, CalendarEvent>();
  for (const row of rows) latest.set(JSON.stringify([row.eventTime.getTime(), row.currency, row.title]), row);
  return [...latest.values()].map(calendarEventFromRow);
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
  const rows = await store
    .em()
    .find(
      CalendarEvent,
      { eventTime: q.eventTime, currency: q.currency, title: q.title },
      { orderBy: { capturedAt: 'asc', id: 'asc' } },
    );
  return rows.map(calendarEventFromRow);
}
