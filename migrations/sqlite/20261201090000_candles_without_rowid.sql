-- tradestore migration: candles_without_rowid
-- Written by hand: MikroORM's schema generator cannot express either change (bench/import.ts
-- measures the whole import of a 1,000,000-candle file against a raw baseline):
-- * WITHOUT ROWID: a rowid table with a composite primary key stores every candle twice, in the
--   table and in the key's index; WITHOUT ROWID stores it once, in the key's b-tree.
-- * The timeframe check as equalities: SQLite evaluates `x in (<15 constants>)` in a CHECK by
--   building a temporary index for every row (about 2.5 us of a 4 us insert), a chain of `=` in
--   well under a tenth of that. The trailing `in (...)` is the same set, so it never changes the
--   outcome; it is there because MikroORM reads an enum column's values from the `in (...)` of
--   its check, and without it the entity diff would see a changed enum.
-- Columns, key, allowed values and foreign key are unchanged, so `migrate check` and the entity
-- diff agree. The runner rebuilds with foreign keys suspended, compares the row count of candles
-- before and after and runs `pragma foreign_key_check` before it commits.

-- migrate:up
create table `candles__without_rowid` (`asset_id` integer not null, `timeframe` text check (`timeframe` = '1m' or `timeframe` = '3m' or `timeframe` = '5m' or `timeframe` = '15m' or `timeframe` = '30m' or `timeframe` = '1h' or `timeframe` = '2h' or `timeframe` = '4h' or `timeframe` = '6h' or `timeframe` = '8h' or `timeframe` = '12h' or `timeframe` = '1d' or `timeframe` = '3d' or `timeframe` = '1w' or `timeframe` = '1M' or `timeframe` in ('1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M')) not null, `ts` bigint not null, `open` double not null, `high` double not null, `low` double not null, `close` double not null, `volume` double not null, primary key (`asset_id`, `timeframe`, `ts`), constraint `candles_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict) without rowid;
insert into `candles__without_rowid` (`asset_id`, `timeframe`, `ts`, `open`, `high`, `low`, `close`, `volume`) select `asset_id`, `timeframe`, `ts`, `open`, `high`, `low`, `close`, `volume` from `candles` order by `asset_id`, `timeframe`, `ts`;
drop table `candles`;
alter table `candles__without_rowid` rename to `candles`;

-- migrate:down
create table `candles__with_rowid` (`asset_id` integer not null, `timeframe` text check (`timeframe` in ('1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M')) not null, `ts` bigint not null, `open` double not null, `high` double not null, `low` double not null, `close` double not null, `volume` double not null, primary key (`asset_id`, `timeframe`, `ts`), constraint `candles_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict);
insert into `candles__with_rowid` (`asset_id`, `timeframe`, `ts`, `open`, `high`, `low`, `close`, `volume`) select `asset_id`, `timeframe`, `ts`, `open`, `high`, `low`, `close`, `volume` from `candles` order by `asset_id`, `timeframe`, `ts`;
drop table `candles`;
alter table `candles__with_rowid` rename to `candles`;
