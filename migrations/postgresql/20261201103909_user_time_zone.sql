-- tradestore migration: user_time_zone
-- Generated from the entities by `tradestore migrate create`; review before committing.

-- migrate:up
alter table "users" add "time_zone" varchar(64) not null default 'UTC';
alter table "users" add constraint "users_time_zone_length_check" check (length("time_zone") <= 64);

-- migrate:down
alter table "users" drop constraint "users_time_zone_length_check";
alter table "users" drop column "time_zone";
