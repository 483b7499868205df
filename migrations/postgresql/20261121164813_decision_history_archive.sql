-- tradestore migration: decision_history_archive
-- Generated from the entities by `tradestore migrate create`; review before committing.

-- migrate:up
create table "decision_history_archive" ("id" serial primary key, "occurred_at" timestamptz not null, "portfolio_id" int null, "asset_id" int null, "action" varchar(32) not null, "actor" varchar(320) not null, "rationale" text null, "confidence" double precision null, "risk_check_result" jsonb null, "strategy_id" int null, "trade_idea_id" int null, "snapshot_ref" varchar(255) null, "human_override" boolean not null default false, "test_mode" boolean not null default false, "bot_version" varchar(64) null, "archived_at" timestamptz not null);
create index "decision_history_archive_occurred_at_index" on "decision_history_archive" ("occurred_at");
create index "decision_history_archive_portfolio_id_occurred_at_index" on "decision_history_archive" ("portfolio_id", "occurred_at");

-- migrate:down
drop table if exists "decision_history_archive" cascade;
