/**
 * THE authorization rule: every HTTP request is decided here, from who asks (Principal), what the
 * route needs (read, trade or admin) and, for a portfolio's data, what the user is to that
 * portfolio. Pure: the caller loads the relation.
 *
 * - admin role (with the admin scope on a key) may do everything; other roles never reach admin routes;
 * - a portfolio the principal may not see is `not_found`, never `forbidden`: its existence is not
 *   revealed. Not seeing means: no relation to it (not owner, no grant), or a key limited to other
 *   portfolios;
 * - `trade` needs the trader or admin role, the trade scope on a key, and on a portfolio the owner or a
 *   trader grant; a viewer grant only reads;
 * - data outside portfolios (assets, strategies, candles, news, ...) is shared: every user reads it,
 *   traders and admins write it.
 */
import type { ApiKeyScope } from '../entities/account-tables.ts';
import type { Relation } from './access.ts';
import type { Principal } from './principal.ts';

export type Need = 'read' | 'trade' | 'admin';

export type Decision = { allow: true } | { allow: false; code: 'forbidden' | 'not_found'; reason: string };

const SCOPES_FOR: Record<Need, readonly ApiKeyScope[]> = {
  read: ['read', 'trade', 'admin'],
  trade: ['trade', 'admin'],
  admin: ['admin'],
};

const allow: Decision = { allow: true };

export function authorize(
  principal: Principal,
  need: Need,
  portfolio?: { id: number; relation: Relation },
): Decision {
  const isAdmin = principal.role === 'admin';
  if (portfolio !== undefined) {
    const keyAllows = principal.portfolioIds === null || principal.portfolioIds.includes(portfolio.id);
    if (!keyAllows || (!isAdmin && portfolio.relation === null))
      return { allow: false, code: 'not_found', reason: `portfolio ${portfolio.id} does not exist` };
  }
  if (!SCOPES_FOR[need].some((s) => principal.scopes.has(s)))
    return { allow: false, code: 'forbidden', reason: `this API key lacks the ${need} scope` };
  if (isAdmin) return allow;
  if (need === 'admin') return { allow: false, code: 'forbidden', reason: 'only an admin may do this' };
  if (need === 'trade') {
    if (principal.role === 'viewer')
      return { allow: false, code: 'forbidden', reason: 'a viewer only reads' };
    if (portfolio !== undefined && portfolio.relation === 'viewer')
      return {
        allow: false,
        code: 'forbidden',
        reason: `portfolio ${portfolio.id} is shared with you read-only`,
      };
  }
  return allow;
}
