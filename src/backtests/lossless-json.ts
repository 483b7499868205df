/**
 * JSON with exact numbers. `JSON.parse` turns every number into a float64, so `0.1000000000000000055`
 * and `0.1` become the same value and long decimals lose digits. `parseJsonLossless` keeps each
 * number's source text (the reviver's `context.source`, Node ≥ 22) in a `JsonNumber`, so amounts
 * can become exact decimals; `toPlainJson` turns them back into ordinary numbers for storage as JSON.
 */

/** A JSON number as written in the file. `valueOf()` is its float value. */
export class JsonNumber {
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  valueOf(): number {
    return Number(this.text);
  }

  toJSON(): number {
    return Number(this.text);
  }

  toString(): string {
    return this.text;
  }
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

/** Parses JSON text; every number becomes a JsonNumber holding its exact source text. */
export function parseJsonLossless(text: string): unknown {
  const reviver: Reviver = (_key, value, context) => {
    if (typeof value !== 'number') return value;
    if (context?.source === undefined) {
      // Engines without JSON.parse source access: the float's shortest round-trip text.
      return new JsonNumber(String(value));
    }
    return new JsonNumber(context.source);
  };
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}

/** A deep copy with every JsonNumber replaced by its float value (non-finite → null). */
export function toPlainJson(value: unknown): unknown {
  if (value instanceof JsonNumber) {
    const n = Number(value.text);
    return Number.isFinite(n) ? n : null;
  }
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlainJson(v);
    return out;
  }
  return value;
}
