import { BigIntType, type EntityProperty, type Platform, p } from '@mikro-orm/core';
import { SqlitePlatform } from '@mikro-orm/sql';

/**
 * 64-bit auto-increment surrogate key for the high-volume tables (ticks, snapshots), exposed as
 * `number` (exact up to 2^53, far beyond any realistic row count).
 *
 * Why not plain `p.bigint('number').primary()`: SQLite can only auto-increment an
 * `integer primary key` (which is 64-bit there anyway), so MikroORM creates the column as `integer`
 * while the metadata still says `bigint`; the schema diff then reports a type change on every run.
 * Declaring `integer` on SQLite makes metadata and database agree; PostgreSQL keeps `bigint`
 * (created as `bigserial`).
 */
export class BigIdType extends BigIntType<'number'> {
  constructor() {
    super('number');
  }

  override getColumnType(prop: EntityProperty, platform: Platform): string {
    if (platform instanceof SqlitePlatform) {
      return 'integer';
    }
    return super.getColumnType(prop, platform);
  }
}

/** Auto-increment 64-bit primary key. */
export function bigId() {
  return p.type(BigIdType).primary().autoincrement();
}
