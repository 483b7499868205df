import type { ApiKeyScope } from '../entities/account-tables.ts';
import type { UserRole } from '../entities/identity-tables.ts';

/** Who is making a request, as the credentials established it. */
export interface Principal {
  userId: number;
  email: string;
  role: UserRole;
  via: 'token' | 'api_key';
  /** A login token carries every scope its role allows; a key only the ones it was given. */
  scopes: ReadonlySet<ApiKeyScope>;
  /** A key limited to some portfolios; null: every portfolio the user may reach. */
  portfolioIds: readonly number[] | null;
  sessionId?: number;
  apiKeyId?: number;
}

export const ALL_SCOPES: ReadonlySet<ApiKeyScope> = new Set(['read', 'trade', 'admin']);
