/**
 * Which legacy records are test data. Seed 001 tagged them by rule (a trade with amount 0, amount
 * above 1000 or price above 200000; a signal whose symbol starts with TEST); the rules live in
 * test-data-rules.json, documented there, and `--rules FILE` replaces them. An explicit `test_mode`
 * in a record wins over every rule.
 */
import { readFile } from 'node:fs/promises';
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { MalformedInputError } from '../input/errors.ts';
import { describeIssues } from '../input/parse.ts';
import { fieldText } from './files.ts';
import defaults from './test-data-rules.json' with { type: 'json' };

const NUMERIC = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] as const;
const TEXTUAL = ['equals', 'startsWith', 'endsWith', 'contains', 'matches'] as const;

const Rule = z
  .object({
    field: z.string().min(1),
    op: z.enum([...NUMERIC, ...TEXTUAL]),
    value: z.union([z.string(), z.number()]).transform(String),
    reason: z.string().optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if ((NUMERIC as readonly string[]).includes(r.op)) {
      try {
        if (!new Decimal(r.value).isFinite()) throw new MalformedInputError('not finite');
      } catch {
        ctx.addIssue({ code: 'custom', path: ['value'], message: `"${r.value}" is not a number` });
      }
    }
    if (r.op === 'matches') {
      try {
        new RegExp(r.value);
      } catch {
        ctx.addIssue({
          code: 'custom',
          path: ['value'],
          message: `"${r.value}" is not a regular expression`,
        });
      }
    }
  });

export type TestDataRule = z.output<typeof Rule>;
/** Rules per legacy file kind (`trades`, `signals`, …). */
export type TestDataRules = Record<string, TestDataRule[]>;

/** An object of rule lists per file kind; keys starting with `$` are comments. */
function parseRules(value: unknown, source: string): TestDataRules {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MalformedInputError(`${source}: test-data rules are a JSON object of rule lists per file kind`);
  }
  const out: TestDataRules = {};
  for (const [kind, list] of Object.entries(value)) {
    if (kind.startsWith('$')) continue;
    const parsed = z.array(Rule).safeParse(list);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error).map(
        (i) => `${kind}${i.path === '(input)' ? '' : i.path}: ${i.message}`,
      );
      throw new MalformedInputError(`${source}: invalid test-data rules: ${issues.join('; ')}`);
    }
    out[kind] = parsed.data;
  }
  return out;
}

export const DEFAULT_TEST_DATA_RULES: TestDataRules = parseRules(defaults, 'test-data-rules.json');

export async function loadTestDataRules(path: string): Promise<TestDataRules> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new MalformedInputError(`${path}: cannot read test-data rules (${(error as Error).message})`, {
      cause: error,
    });
  }
  return parseRules(value, path);
}

function matches(rule: TestDataRule, raw: unknown): boolean {
  const t = fieldText(raw);
  if (t === undefined) return false;
  if ((NUMERIC as readonly string[]).includes(rule.op)) {
    let d: Decimal;
    try {
      d = new Decimal(t);
    } catch {
      return false;
    }
    const c = d.cmp(rule.value);
    switch (rule.op) {
      case 'eq':
        return c === 0;
      case 'ne':
        return c !== 0;
      case 'gt':
        return c > 0;
      case 'gte':
        return c >= 0;
      case 'lt':
        return c < 0;
      default:
        return c <= 0;
    }
  }
  switch (rule.op) {
    case 'equals':
      return t === rule.value;
    case 'startsWith':
      return t.startsWith(rule.value);
    case 'endsWith':
      return t.endsWith(rule.value);
    case 'contains':
      return t.includes(rule.value);
    default:
      return new RegExp(rule.value).test(t);
  }
}

/** The reason the record is test data by the rules of its kind, or null. */
export function testDataReason(
  rules: TestDataRules,
  kind: string,
  record: Record<string, unknown>,
): string | null {
  for (const rule of rules[kind] ?? []) {
    if (matches(rule, record[rule.field])) return rule.reason ?? `${rule.field} ${rule.op} ${rule.value}`;
  }
  return null;
}
