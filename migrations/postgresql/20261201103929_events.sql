-- tradestore migration: events
-- Generated from the entities by `tradestore migrate create`; review before committing.

-- migrate:up
create table "events" ("seq" bigint not null, "occurred_at" timestamptz not null, "topic" text not null, "portfolio_id" int null, "payload" jsonb not null, primary key ("seq"));

create table "event_counter" ("id" int not null, "seq" bigint not null, primary key ("id"));

alter table "events" add constraint "events_topic_check" check ("topic" in ('signal', 'idea', 'order', 'fill', 'position', 'trade', 'decision', 'candles', 'risk', 'bot_status'));

-- migrate:down
drop table if exists "events" cascade;
drop table if exists "event_counter" cascade;
