/** The route table: every route of the API, in the order the document lists them. */
import type { RouteSpec } from '../route.ts';
import { authRoutes } from './auth.ts';
import { eventRoutes } from './events.ts';
import { marketDataRoutes } from './marketdata.ts';
import { portfolioRoutes } from './portfolios.ts';
import { recordRoutes } from './records.ts';
import { statsRoutes } from './stats.ts';
import { strategyRoutes } from './strategies.ts';
import { tradingRoutes } from './trading.ts';
import { userRoutes } from './users.ts';

export const routes: readonly RouteSpec[] = [
  ...authRoutes,
  ...userRoutes,
  ...portfolioRoutes,
  ...marketDataRoutes,
  ...strategyRoutes,
  ...tradingRoutes,
  ...statsRoutes,
  ...recordRoutes,
  ...eventRoutes,
];
