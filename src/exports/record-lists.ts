/**
 * What `export records` offers, with no imports of their own: the CLI builds its commands and
 * `--format` choices from these without loading the writers (parquet) or the queries.
 */
export const RECORD_KINDS = [
  'trades',
  'orders',
  'fills',
  'positions',
  'decisions',
  'signals',
  'equity',
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export type RecordFormat = 'csv' | 'json' | 'parquet';
export const RECORD_FORMATS: readonly RecordFormat[] = ['csv', 'json', 'parquet'];
