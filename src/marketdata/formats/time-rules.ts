/**
 * The time rules of one file: which unit its epoch numbers are in, and which instants are plausible.
 * A unit is decided once per file (given by the caller, fixed by the format, or taken from the first
 * time in the file) and never guessed again per row: a file mixing seconds and milliseconds has rows
 * that are wrong, and guessing each row's unit would store them as if they were right.
 */

export const TIME_UNITS = ['s', 'ms', 'us', 'ns'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

const UNIT_NAMES: Record<TimeUnit, string> = {
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
};

/** 1970-01-01 and 2200-01-01: before the epoch or two centuries ahead is a unit or typing mistake. */
export const DEFAULT_MIN_TIME = 0;
export const DEFAULT_MAX_TIME = Date.UTC(2200, 0, 1);
/** The ECMAScript Date range: beyond it a time cannot even be shown as a date. */
const DATE_LIMIT = 8.64e15;

/**
 * The unit an epoch number has by its size. The boundaries sit where the units stop overlapping for
 * any plausible market date: 1e11 s is the year 5138 while 1e11 ms is 1973.
 */
export function unitOfMagnitude(n: number): TimeUnit {
  const abs = n < 0 ? -n : n;
  if (abs < 1e11) return 's';
  if (abs < 1e14) return 'ms';
  if (abs < 1e17) return 'us';
  return 'ns';
}

/**
 * Epoch `n` in `unit` → epoch ms. Seconds keep their fraction to the ms (rounded, so 1672531436.123 is
 * not 1672531436122.9998); µs and ns are truncated so ordering within a millisecond is never inverted.
 * Milliseconds are returned as given: a fraction is the row's problem, reported by the reader.
 */
export function epochInUnit(n: number, unit: TimeUnit): number {
  switch (unit) {
    case 's':
      return Math.round(n * 1000);
    case 'ms':
      return n;
    case 'us':
      return Math.floor(n / 1000);
    case 'ns':
      return Math.floor(n / 1e6);
  }
}

/** An instant for a message: ISO-8601 when it is a date at all, else the number of ms. */
export function showInstant(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= DATE_LIMIT ? new Date(ms).toISOString() : `${ms} ms`;
}

export interface TimeRuleOptions {
  /** Given by the caller (`--time-unit`): every epoch number is read in it, whatever its size. */
  unit?: TimeUnit | undefined;
  /** The unit the format defines (freqtrade: ms, Kraken: s), used when the caller gave none. */
  formatUnit?: { unit: TimeUnit; format: string } | undefined;
  /** Accepted instants: [minTime, maxTime), epoch ms. */
  minTime: number;
  maxTime: number;
  /** `line` (CSV) or `row` (JSON), for messages. */
  positionWord: string;
}

export class FileTimeRules {
  private unit: TimeUnit | null;
  private readonly explicit: boolean;
  private source: string;
  readonly minTime: number;
  readonly maxTime: number;
  private readonly positionWord: string;
  private line = 0;
  /** Why the last `epoch` call since `at` returned NaN; null when the number itself was not finite. */
  problem: string | null = null;

  constructor(options: TimeRuleOptions) {
    this.explicit = options.unit !== undefined;
    this.unit = options.unit ?? options.formatUnit?.unit ?? null;
    this.source =
      options.unit !== undefined
        ? 'as given'
        : options.formatUnit !== undefined
          ? `the ${options.formatUnit.format} format's unit`
          : '';
    this.minTime = options.minTime;
    this.maxTime = options.maxTime;
    this.positionWord = options.positionWord;
  }

  /** Starts a row: `epoch` decisions name its line, and `problem` is cleared. */
  at(line: number): void {
    this.line = line;
    this.problem = null;
  }

  /** The file's unit once decided (null before the first epoch time of a file whose format has none). */
  get decidedUnit(): TimeUnit | null {
    return this.unit;
  }

  /**
   * Epoch number → epoch ms in the file's unit, or NaN with `problem` set when the number has the size
   * of another unit than the file's (only when the unit was not given explicitly: then it is obeyed).
   */
  readonly epoch = (n: number): number => {
    this.problem = null;
    if (!Number.isFinite(n)) return Number.NaN;
    const size = unitOfMagnitude(n);
    let unit = this.unit;
    if (unit === null) {
      unit = this.unit = size;
      this.source = `decided from the first time, ${this.positionWord} ${this.line}`;
    } else if (!this.explicit && size !== unit) {
      this.problem =
        `time ${n} has the size of ${UNIT_NAMES[size]}, but this file's times are ` +
        `${UNIT_NAMES[unit]} (${this.source}); units are not guessed per row: fix the file or set the time unit`;
      return Number.NaN;
    }
    return epochInUnit(n, unit);
  };

  /** Null when `ms` lies in the accepted window, else the reason to reject the row. */
  outOfRange(ms: number): string | null {
    if (ms >= this.minTime && ms < this.maxTime) return null;
    return (
      `time ${showInstant(ms)} is outside the accepted range ${showInstant(this.minTime)} .. ` +
      `${showInstant(this.maxTime)}${this.unit !== null ? ` (read as ${UNIT_NAMES[this.unit]}, ${this.source})` : ''}`
    );
  }
}
