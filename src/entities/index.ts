import { ApiKeySchema, AuthSessionSchema, PortfolioAccessSchema, RefreshTokenSchema } from './accounts.ts';
import { BacktestResultSchema, BacktestRunSchema } from './backtests.ts';
import {
  DecisionHistorySchema,
  FillSchema,
  OrderSchema,
  SignalSchema,
  TradeIdeaSchema,
  TradeSchema,
} from './execution.ts';
import { UserSchema } from './identity.ts';
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
} from './market-data.ts';
import { BotStatusSchema, DecisionHistoryArchiveSchema, ErrorLogSchema } from './operations.ts';
import {
  AccountSnapshotSchema,
  PortfolioSchema,
  PortfolioSnapshotSchema,
  PositionSchema,
  RiskConfigSchema,
} from './portfolios.ts';
import {
  IngestionTaskSchema,
  LearningEntrySchema,
  StrategyPerformanceSchema,
  StrategySchema,
  StrategyVersionSchema,
} from './strategies.ts';

export * from './accounts.ts';
export * from './backtests.ts';
export * from './common.ts';
export * from './execution.ts';
export * from './identity.ts';
export * from './market-data.ts';
export * from './operations.ts';
export * from './portfolios.ts';
export * from './strategies.ts';
export * from './types/big-id.ts';
export * from './types/decimal.ts';

/** Every table of the domain (DOMAIN.md), in dependency order. Pass to `MikroORM.init({ entities })`. */
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
];
