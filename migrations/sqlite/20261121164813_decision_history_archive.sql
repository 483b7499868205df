-- tradestore migration: decision_history_archive
-- Generated from the entities by `tradestore migrate create`; review before committing.

-- migrate:up
create table `decision_history_archive` (`id` integer not null primary key autoincrement, `occurred_at` datetime not null, `portfolio_id` integer null, `asset_id` integer null, `action` text not null, `actor` text not null, `rationale` text null, `confidence` double null, `risk_check_result` json null, `strategy_id` integer null, `trade_idea_id` integer null, `snapshot_ref` text null, `human_override` integer not null default false, `test_mode` integer not null default false, `bot_version` text null, `archived_at` datetime not null);
create index `decision_history_archive_occurred_at_index` on `decision_history_archive` (`occurred_at`);
create index `decision_history_archive_portfolio_id_occurred_at_index` on `decision_history_archive` (`portfolio_id`, `occurred_at`);

-- migrate:down
drop table if exists `decision_history_archive`;
