/** Market-data file readers: streaming, validated candle and trade rows for the DB layer to insert. */
export { readCandles } from './candle-files.ts';
export { detectCandleFormat, detectTickFormat } from './detect.ts';
export { readTicks } from './tick-files.ts';
export type {
  BatchProgress,
  CandleBatch,
  CandleFormat,
  CandleReadOptions,
  CandleRow,
  CsvField,
  MarketDataInput,
  Reject,
  TickBatch,
  TickFormat,
  TickReadOptions,
  TickRow,
  TimeReadOptions,
  TimeUnit,
} from './types.ts';
export { TIME_UNITS } from './time-rules.ts';
