/**
 * Timestamp parsing for market-data files. Date.parse is not used: it reads naive date-times in the
 * process's local zone, which would make imports depend on the machine they run on.
 */
import { epochInUnit, unitOfMagnitude } from './time-rules.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Epoch number in s, ms, µs or ns → epoch ms, the unit chosen by the number's own size. Readers do not
 * use it per row (a file has one unit, see time-rules.ts); it is the default for a lone value.
 */
export function epochToMs(n: number): number {
  return epochInUnit(n, unitOfMagnitude(n));
}

/**
 * Converts wall-clock time in an IANA zone to UTC using only Intl. Offsets are cached per UTC hour:
 * no zone changes its offset twice within an hour, so one lookup at each end of the hour proves the
 * whole hour has one offset, and a minute-bar file pays for Intl about once per hour of data.
 */
export class WallClock {
  readonly zone: string;
  private readonly format: Intl.DateTimeFormat;
  private readonly hourOffsets = new Map<number, number>();

  constructor(zone: string) {
    this.zone = zone;
    // Throws RangeError for an unknown zone; the option validation turns that into a message.
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** The zone's offset from UTC (ms, east positive) at the instant `utcMs`. */
  offsetAt(utcMs: number): number {
    const hour = Math.floor(utcMs / HOUR_MS);
    const cached = this.hourOffsets.get(hour);
    if (cached !== undefined) return cached;
    const atStart = this.exactOffset(hour * HOUR_MS);
    const atEnd = this.exactOffset(hour * HOUR_MS + HOUR_MS - 1);
    if (atStart !== atEnd) return this.exactOffset(utcMs);
    if (this.hourOffsets.size > 100_000) this.hourOffsets.clear();
    this.hourOffsets.set(hour, atStart);
    return atStart;
  }

  private exactOffset(utcMs: number): number {
    const whole = Math.floor(utcMs / 1000) * 1000;
    let y = 0;
    let mo = 0;
    let d = 0;
    let h = 0;
    let mi = 0;
    let s = 0;
    for (const part of this.format.formatToParts(whole)) {
      switch (part.type) {
        case 'year':
          y = Number(part.value);
          break;
        case 'month':
          mo = Number(part.value);
          break;
        case 'day':
          d = Number(part.value);
          break;
        case 'hour':
          h = Number(part.value);
          break;
        case 'minute':
          mi = Number(part.value);
          break;
        case 'second':
          s = Number(part.value);
          break;
      }
    }
    return utcFromFields(y, mo, d, h, mi, s, 0) - whole;
  }

  /**
   * Wall-clock ms (the local fields encoded as if they were UTC) → UTC ms. Ambiguous times (the repeated
   * hour when clocks go back) take the earlier instant; times that do not exist (the skipped hour when
   * clocks go forward) move forward by the gap. This is the `compatible` rule of Temporal and of most
   * databases, so an import agrees with what a user's tools show.
   */
  toUtc(wallMs: number): number {
    // No zone has two offset changes within two days, so the offsets a day before and after are the
    // only candidates.
    const before = this.offsetAt(wallMs - DAY_MS);
    const after = this.offsetAt(wallMs + DAY_MS);
    const a = wallMs - before;
    const b = wallMs - after;
    const aValid = this.offsetAt(a) === before;
    const bValid = this.offsetAt(b) === after;
    if (aValid && bValid) return Math.min(a, b);
    if (aValid) return a;
    if (bValid) return b;
    return a; // in the gap: the pre-transition offset lands after the gap
  }
}

/** Date.UTC with full-year semantics (Date.UTC maps years 0–99 to 1900–1999). */
function utcFromFields(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
): number {
  if (y >= 100) return Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const t = Date.UTC(2000, mo - 1, d, h, mi, s, ms);
  const date = new Date(t);
  date.setUTCFullYear(y);
  return date.getTime();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const max = mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!;
  return d <= max;
}

// One regex for the ISO-8601 shapes data tools write: date, optional T/space time, optional fraction
// (to ms; extra digits are truncated), optional Z or ±HH[:MM] offset. `/` is accepted as date separator.
const ISO =
  /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?$/;
const COMPACT_TIME = /^(\d{2})(\d{2})(\d{2})?$/;
const EPOCH = /^[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?$/;

function fractionMs(digits: string | undefined): number {
  if (digits === undefined) return 0;
  return Number(`${digits}00`.slice(0, 3));
}

function offsetMs(text: string): number {
  if (text === 'Z' || text === 'z') return 0;
  const sign = text[0] === '-' ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  const h = Number(digits.slice(0, 2));
  const m = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (h > 23 || m > 59) return Number.NaN;
  return sign * (h * HOUR_MS + m * 60_000);
}

/** Naive wall time encoded as UTC → UTC, through the zone when one is set. */
function fromWall(wallMs: number, clock: WallClock | null): number {
  return clock === null ? wallMs : clock.toUtc(wallMs);
}

/** A date string alone (`YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD`) → wall-clock midnight ms, NaN if invalid. */
export function parseWallDate(text: string): number {
  const m = ISO.exec(text) ?? COMPACT_DATE.exec(text);
  if (m === null || m[4] !== undefined || m[8] !== undefined) return Number.NaN;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (!validDate(y, mo, d)) return Number.NaN;
  return utcFromFields(y, mo, d, 0, 0, 0, 0);
}

/** A time of day (`HH:MM`, `HH:MM:SS`, `HH:MM:SS.fff`, `HHMM`, `HHMMSS`) → ms since midnight, NaN if invalid. */
export function parseTimeOfDay(text: string): number {
  const m = TIME.exec(text) ?? COMPACT_TIME.exec(text);
  if (m === null) return Number.NaN;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const s = m[3] === undefined ? 0 : Number(m[3]);
  if (h > 23 || mi > 59 || s > 59) return Number.NaN;
  return h * HOUR_MS + mi * 60_000 + s * 1000 + fractionMs(m[4]);
}

/**
 * A timestamp cell → epoch ms UTC, NaN when unparseable. Accepts epoch numbers (converted by `epoch`:
 * by magnitude unless the reader decided the file's unit, see time-rules.ts),
 * ISO-8601 date or date-time with or without offset, and `YYYYMMDD`. Naive values are read in `clock`'s
 * zone (UTC when null); values with Z or an offset are absolute.
 */
export function parseTimestamp(
  text: string,
  clock: WallClock | null,
  epoch: (n: number) => number = epochToMs,
): number {
  const s = text.trim();
  if (s.length === 8 && COMPACT_DATE.test(s)) return fromWall(parseWallDate(s), clock);
  if (EPOCH.test(s)) return epoch(Number(s));
  const m = ISO.exec(s);
  if (m === null) return Number.NaN;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (!validDate(y, mo, d)) return Number.NaN;
  const h = m[4] === undefined ? 0 : Number(m[4]);
  const mi = m[5] === undefined ? 0 : Number(m[5]);
  const sec = m[6] === undefined ? 0 : Number(m[6]);
  if (h > 23 || mi > 59 || sec > 59) return Number.NaN;
  const wall = utcFromFields(y, mo, d, h, mi, sec, fractionMs(m[7]));
  if (m[8] !== undefined) return wall - offsetMs(m[8]);
  return fromWall(wall, clock);
}

/** Separate date and time cells (backtrader / many broker exports) → epoch ms UTC, NaN when unparseable. */
export function parseDateAndTime(date: string, time: string, clock: WallClock | null): number {
  const day = parseWallDate(date.trim());
  const ofDay = parseTimeOfDay(time.trim());
  return fromWall(day + ofDay, clock);
}

/** A usable message when `zone` is not an IANA zone this runtime knows, else null. */
export function checkZone(zone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return null;
  } catch {
    return `unknown time zone "${zone}" (expected an IANA name such as America/New_York)`;
  }
}
