import { defineEntity, p } from '@mikro-orm/core';
import { timestamps } from './common.ts';
import { USER_ROLES } from './value-lists.ts';

export { USER_ROLES, type UserRole } from './value-lists.ts';

/**
 * Login accounts.
 *
 * Email is unique case-insensitively by storing it normalised: the property type trims and
 * lower-cases on every write and in query parameters, the CHECK keeps writers outside the ORM
 * honest, and a plain unique index does the rest. An expression index on `lower(email)` would also
 * work on both databases, but MikroORM compares expression indexes by name only, so a changed
 * expression would never show up as drift; a plain column index round-trips exactly.
 * Users are never deleted while they own portfolios (see Portfolio.owner); deactivate them instead.
 */
export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.integer().primary().autoincrement(),
    email: p.string().trim().lowercase().length(320).unique('users_email_unique'),
    passwordHash: p.string().length(255).hidden(),
    role: p.enum(USER_ROLES).default('viewer'),
    isActive: p.boolean().default(true),
    /** IANA name every displayed time is shown in (the dashboard); validated by input/fields.ts `timeZone`. */
    timeZone: p.string().length(64).default('UTC'),
    ...timestamps(),
  },
  checks: [{ name: 'users_email_lower_check', expression: 'email = lower(email)' }],
});

export class User extends UserSchema.class {}
UserSchema.setClass(User);
