import { z } from 'zod';
import { parseTimeframe } from '../timeframes.ts';
import { checkZone } from './time.ts';
import { DEFAULT_MAX_TIME, DEFAULT_MIN_TIME, TIME_UNITS } from './time-rules.ts';
import type { CandleReadOptions, TickReadOptions } from './types.ts';

import { CANDLE_FORMATS, CSV_FIELDS, TICK_FORMATS } from './format-lists.ts';

export { CANDLE_FORMATS, CSV_FIELDS, IMPORT_BATCH_SIZE, TICK_FORMATS } from './format-lists.ts';

const DEFAULT_BATCH = 5000;

const batchSize = z.number().int().min(1).max(1_000_000).default(DEFAULT_BATCH);
const fileName = z.string().min(1);
const instant = z.number().int().min(-8.64e15).max(8.64e15);

const timeFields = {
  timeUnit: z.enum(TIME_UNITS).optional(),
  minTime: instant.default(DEFAULT_MIN_TIME),
  maxTime: instant.default(DEFAULT_MAX_TIME),
};

function checkWindow(o: { minTime: number; maxTime: number }, ctx: z.RefinementCtx): void {
  if (o.maxTime <= o.minTime) {
    ctx.addIssue({ code: 'custom', path: ['maxTime'], message: 'must be after minTime' });
  }
}

// strict(): a misspelt option (`timezone`, `mapping`) must fail loudly, not be silently ignored.
const candleSchema = z
  .object({
    format: z.enum([...CANDLE_FORMATS, 'auto']).default('auto'),
    fileName,
    adjusted: z.boolean().default(false),
    map: z.partialRecord(z.enum(CSV_FIELDS), z.string().min(1)).optional(),
    tz: z
      .string()
      .min(1)
      .superRefine((zone, ctx) => {
        const problem = checkZone(zone);
        if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    timeframe: z
      .string()
      .superRefine((text, ctx) => {
        try {
          parseTimeframe(text);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      })
      .optional(),
    align: z.enum(['reject', 'floor']).default('reject'),
    ...timeFields,
    batchSize,
  })
  .strict()
  .superRefine((o, ctx) => {
    checkWindow(o, ctx);
    const m = o.map;
    if (m === undefined) return;
    if (m.ts !== undefined && (m.date !== undefined || m.time !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['map'], message: 'map either ts or date (+ time), not both' });
    }
    if (m.time !== undefined && m.date === undefined) {
      ctx.addIssue({ code: 'custom', path: ['map'], message: 'map.time needs map.date' });
    }
  });

const tickSchema = z
  .object({
    format: z.enum([...TICK_FORMATS, 'auto']).default('auto'),
    fileName,
    ...timeFields,
    batchSize,
  })
  .strict()
  .superRefine(checkWindow);

export type ParsedCandleOptions = z.output<typeof candleSchema>;
export type ParsedTickOptions = z.output<typeof tickSchema>;

function describe(error: z.ZodError): string {
  return error.issues
    .map((issue) => `option ${issue.path.length > 0 ? issue.path.join('.') : '(options)'}: ${issue.message}`)
    .join('; ');
}

function nameOf(opts: unknown): string {
  const name = (opts as { fileName?: unknown } | null)?.fileName;
  return typeof name === 'string' && name.length > 0 ? name : '<input>';
}

export function parseCandleOptions(opts: CandleReadOptions): ParsedCandleOptions {
  const result = candleSchema.safeParse(opts);
  if (!result.success) throw new Error(`${nameOf(opts)}: ${describe(result.error)}`);
  return result.data;
}

export function parseTickOptions(opts: TickReadOptions): ParsedTickOptions {
  const result = tickSchema.safeParse(opts);
  if (!result.success) throw new Error(`${nameOf(opts)}: ${describe(result.error)}`);
  return result.data;
}
