import {
  ApiKeySchema,
  AuthSessionSchema,
  PortfolioAccessSchema,
  RefreshTokenSchema,
} from './account-tables.ts';
import { BacktestResultSchema, BacktestRunSchema } from './backtest-tables.ts';
import { addLengthChecks } from './common.ts';
import {
  DecisionHistorySchema,
  FillSchema,
  OrderSchema,
  SignalSchema,
  TradeIdeaSchema,
  TradeSchema,
} from './execution-tables.ts';
import { UserSchema } from './identity-tables.ts';
import {
  AssetSchema,
  CalendarEventSchema,
  CandleSchema,
  IndicatorSnapshotSchema,
  MarketSnapshotSchema,
  NewsFeedSchema,
  NewsItemSchema,
  PredictionEventSchema,
  PredictionMarketSchema,
  TickSchema,
} from './market-data-tables.ts';
import {
  BotStatusSchema,
  DecisionHistoryArchiveSchema,
  ErrorLogSchema,
  EventCounterSchema,
  EventSchema,
} from './operations-tables.ts';
import {
  AccountSnapshotSchema,
  PortfolioSchema,
  PortfolioSnapshotSchema,
  PositionSchema,
  RiskConfigSchema,
} from './portfolio-tables.ts';
import {
  IngestionTaskSchema,
  LearningEntrySchema,
  StrategyPerformanceSchema,
  StrategySchema,
  StrategyVersionSchema,
} from './strategy-tables.ts';

export * from './account-tables.ts';
export * from './backtest-tables.ts';
export * from './common.ts';
export * from './execution-tables.ts';
export * from './identity-tables.ts';
export * from './market-data-tables.ts';
export * from './operations-tables.ts';
export * from './portfolio-tables.ts';
export * from './strategy-tables.ts';
export * from './types/big-id.ts';
export * from './types/decimal.ts';

/** Every table of the domain (docs/domain.md), in dependency order. Pass to `MikroORM.init({ entities })`. */
export const entities = [
  UserSchema,
  PortfolioSchema,
  AssetSchema,
  PositionSchema,
  PortfolioSnapshotSchema,
  AccountSnapshotSchema,
  RiskConfigSchema,
  CandleSchema,
  TickSchema,
  IndicatorSnapshotSchema,
  PredictionEventSchema,
  PredictionMarketSchema,
  MarketSnapshotSchema,
  CalendarEventSchema,
  NewsFeedSchema,
  NewsItemSchema,
  StrategySchema,
  StrategyVersionSchema,
  StrategyPerformanceSchema,
  LearningEntrySchema,
  IngestionTaskSchema,
  SignalSchema,
  TradeIdeaSchema,
  OrderSchema,
  FillSchema,
  TradeSchema,
  DecisionHistorySchema,
  BacktestRunSchema,
  BacktestResultSchema,
  ErrorLogSchema,
  DecisionHistoryArchiveSchema,
  BotStatusSchema,
  AuthSessionSchema,
  RefreshTokenSchema,
  ApiKeySchema,
  PortfolioAccessSchema,
  EventSchema,
  EventCounterSchema,
];

for (const schema of entities) addLengthChecks(schema);
