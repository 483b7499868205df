-- tradestore migration: text_length_checks
-- Generated from the entities by `tradestore migrate create`; review before committing.

-- migrate:up
pragma foreign_keys = off;
create table `assets__temp_alter` (`id` integer not null primary key autoincrement, `symbol` text not null, `venue` text not null, `kind` text check (`kind` in ('crypto', 'equity', 'future', 'fx', 'prediction')) not null, `base` text null, `quote` text null, `tick_size` text null, `lot_size` text null, `is_active` integer not null default true, `created_at` datetime not null, `updated_at` datetime not null, constraint `assets_symbol_length_check` check (length("symbol") <= 64), constraint `assets_venue_length_check` check (length("venue") <= 64), constraint `assets_base_length_check` check (length("base") <= 32), constraint `assets_quote_length_check` check (length("quote") <= 32));
insert into `assets__temp_alter` select `id`, `symbol`, `venue`, `kind`, `base`, `quote`, `tick_size`, `lot_size`, `is_active`, `created_at`, `updated_at` from `assets`;
drop table `assets`;
alter table `assets__temp_alter` rename to `assets`;
create index `assets_kind_is_active_index` on `assets` (`kind`, `is_active`);
create unique index `assets_venue_symbol_unique` on `assets` (`venue`, `symbol`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `bot_status__temp_alter` (`key` text not null primary key, `value` json null, `bot_version` text null, `updated_at` datetime not null, constraint `bot_status_key_length_check` check (length("key") <= 128), constraint `bot_status_bot_version_length_check` check (length("bot_version") <= 64));
insert into `bot_status__temp_alter` select `key`, `value`, `bot_version`, `updated_at` from `bot_status`;
drop table `bot_status`;
alter table `bot_status__temp_alter` rename to `bot_status`;
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `calendar_events__temp_alter` (`id` integer not null primary key autoincrement, `event_time` datetime not null, `currency` text not null, `impact_level` text check (`impact_level` in ('holiday', 'low', 'medium', 'high')) not null, `title` text not null, `previous` text null, `forecast` text null, `actual` text null, `captured_at` datetime not null, constraint `calendar_events_currency_length_check` check (length("currency") <= 16), constraint `calendar_events_title_length_check` check (length("title") <= 255), constraint `calendar_events_previous_length_check` check (length("previous") <= 64), constraint `calendar_events_forecast_length_check` check (length("forecast") <= 64), constraint `calendar_events_actual_length_check` check (length("actual") <= 64));
insert into `calendar_events__temp_alter` select `id`, `event_time`, `currency`, `impact_level`, `title`, `previous`, `forecast`, `actual`, `captured_at` from `calendar_events`;
drop table `calendar_events`;
alter table `calendar_events__temp_alter` rename to `calendar_events`;
create index `calendar_events_currency_event_time_index` on `calendar_events` (`currency`, `event_time`);
create index `calendar_events_event_time_index` on `calendar_events` (`event_time`);
create index `calendar_events_captured_at_index` on `calendar_events` (`captured_at`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `decision_history_archive__temp_alter` (`id` integer not null primary key autoincrement, `occurred_at` datetime not null, `portfolio_id` integer null, `asset_id` integer null, `action` text not null, `actor` text not null, `rationale` text null, `confidence` double null, `risk_check_result` json null, `strategy_id` integer null, `trade_idea_id` integer null, `snapshot_ref` text null, `human_override` integer not null default false, `test_mode` integer not null default false, `bot_version` text null, `archived_at` datetime not null, constraint `decision_history_archive_action_length_check` check (length("action") <= 32), constraint `decision_history_archive_actor_length_check` check (length("actor") <= 320), constraint `decision_history_archive_snapshot_ref_length_check` check (length("snapshot_ref") <= 255), constraint `decision_history_archive_bot_version_length_check` check (length("bot_version") <= 64));
insert into `decision_history_archive__temp_alter` select `id`, `occurred_at`, `portfolio_id`, `asset_id`, `action`, `actor`, `rationale`, `confidence`, `risk_check_result`, `strategy_id`, `trade_idea_id`, `snapshot_ref`, `human_override`, `test_mode`, `bot_version`, `archived_at` from `decision_history_archive`;
drop table `decision_history_archive`;
alter table `decision_history_archive__temp_alter` rename to `decision_history_archive`;
create index `decision_history_archive_occurred_at_index` on `decision_history_archive` (`occurred_at`);
create index `decision_history_archive_portfolio_id_occurred_at_index` on `decision_history_archive` (`portfolio_id`, `occurred_at`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `error_logs__temp_alter` (`id` integer not null primary key autoincrement, `ts` datetime not null, `level` text check (`level` in ('debug', 'info', 'warning', 'error', 'critical')) not null, `source` text not null, `message` text not null, `stack` text null, `context` json null, `test_mode` integer not null default false, `bot_version` text null, constraint `error_logs_source_length_check` check (length("source") <= 128), constraint `error_logs_bot_version_length_check` check (length("bot_version") <= 64));
insert into `error_logs__temp_alter` select `id`, `ts`, `level`, `source`, `message`, `stack`, `context`, `test_mode`, `bot_version` from `error_logs`;
drop table `error_logs`;
alter table `error_logs__temp_alter` rename to `error_logs`;
create index `error_logs_ts_index` on `error_logs` (`ts`);
create index `error_logs_level_ts_index` on `error_logs` (`level`, `ts`);
create index `error_logs_source_ts_index` on `error_logs` (`source`, `ts`);
create index `error_logs_test_mode_ts_index` on `error_logs` (`test_mode`, `ts`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `news_feeds__temp_alter` (`id` integer not null primary key autoincrement, `url` text not null, `name` text not null, `is_active` integer not null default true, `last_polled_at` datetime null, `created_at` datetime not null, `updated_at` datetime not null, constraint `news_feeds_url_length_check` check (length("url") <= 2048), constraint `news_feeds_name_length_check` check (length("name") <= 255));
insert into `news_feeds__temp_alter` select `id`, `url`, `name`, `is_active`, `last_polled_at`, `created_at`, `updated_at` from `news_feeds`;
drop table `news_feeds`;
alter table `news_feeds__temp_alter` rename to `news_feeds`;
create unique index `news_feeds_url_unique` on `news_feeds` (`url`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `news_items__temp_alter` (`id` integer not null primary key autoincrement, `feed_id` integer null, `dedup_key` text not null, `guid` text null, `headline` text not null, `summary` text null, `url` text null, `source` text null, `symbols` json null, `published_at` datetime null, `captured_at` datetime not null, constraint `news_items_feed_id_foreign` foreign key (`feed_id`) references `news_feeds` (`id`) on delete set null, constraint `news_items_dedup_key_length_check` check (length("dedup_key") <= 255), constraint `news_items_guid_length_check` check (length("guid") <= 1024), constraint `news_items_url_length_check` check (length("url") <= 2048), constraint `news_items_source_length_check` check (length("source") <= 255));
insert into `news_items__temp_alter` select `id`, `feed_id`, `dedup_key`, `guid`, `headline`, `summary`, `url`, `source`, `symbols`, `published_at`, `captured_at` from `news_items`;
drop table `news_items`;
alter table `news_items__temp_alter` rename to `news_items`;
create unique index `news_items_dedup_key_unique` on `news_items` (`dedup_key`);
create index `news_items_feed_id_index` on `news_items` (`feed_id`);
create index `news_items_published_at_index` on `news_items` (`published_at`);
create index `news_items_captured_at_index` on `news_items` (`captured_at`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `prediction_events__temp_alter` (`id` integer not null primary key autoincrement, `venue` text not null default 'polymarket', `external_id` text not null, `title` text not null, `slug` text null, `description` text null, `start_date` datetime null, `end_date` datetime null, `image_url` text null, `icon` text null, `active` integer not null default true, `closed` integer not null default false, `archived` integer not null default false, `is_new` integer not null default false, `featured` integer not null default false, `restricted` integer not null default false, `liquidity` text null, `volume` text null, `tags` json null, `is_filtered` integer not null default false, `created_at` datetime not null, `updated_at` datetime not null, constraint `prediction_events_venue_length_check` check (length("venue") <= 64), constraint `prediction_events_external_id_length_check` check (length("external_id") <= 255), constraint `prediction_events_slug_length_check` check (length("slug") <= 255));
insert into `prediction_events__temp_alter` select `id`, `venue`, `external_id`, `title`, `slug`, `description`, `start_date`, `end_date`, `image_url`, `icon`, `active`, `closed`, `archived`, `is_new`, `featured`, `restricted`, `liquidity`, `volume`, `tags`, `is_filtered`, `created_at`, `updated_at` from `prediction_events`;
drop table `prediction_events`;
alter table `prediction_events__temp_alter` rename to `prediction_events`;
create index `prediction_events_end_date_index` on `prediction_events` (`end_date`);
create unique index `prediction_events_venue_external_id_unique` on `prediction_events` (`venue`, `external_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `prediction_markets__temp_alter` (`id` integer not null primary key autoincrement, `event_id` integer null, `asset_id` integer null, `venue` text not null default 'polymarket', `external_id` text not null, `question` text not null, `description` text null, `outcomes` json null, `outcome_prices` json null, `yes_price` text null, `no_price` text null, `liquidity` text null, `volume` text null, `volume_24hr` text null, `market_conviction` double null, `end_date` datetime null, `game_start_time` datetime null, `seconds_delay` integer null, `active` integer not null default true, `closed` integer not null default false, `archived` integer not null default false, `is_new` integer not null default false, `featured` integer not null default false, `submitted_by` text null, `resolved` integer not null default false, `resolved_outcome` text null, `last_price_update` datetime null, `is_filtered` integer not null default false, `created_at` datetime not null, `updated_at` datetime not null, constraint `prediction_markets_event_id_foreign` foreign key (`event_id`) references `prediction_events` (`id`) on delete cascade, constraint `prediction_markets_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete set null, constraint `prediction_markets_venue_length_check` check (length("venue") <= 64), constraint `prediction_markets_external_id_length_check` check (length("external_id") <= 255), constraint `prediction_markets_submitted_by_length_check` check (length("submitted_by") <= 255), constraint `prediction_markets_resolved_outcome_length_check` check (length("resolved_outcome") <= 255));
insert into `prediction_markets__temp_alter` select `id`, `event_id`, `asset_id`, `venue`, `external_id`, `question`, `description`, `outcomes`, `outcome_prices`, `yes_price`, `no_price`, `liquidity`, `volume`, `volume_24hr`, `market_conviction`, `end_date`, `game_start_time`, `seconds_delay`, `active`, `closed`, `archived`, `is_new`, `featured`, `submitted_by`, `resolved`, `resolved_outcome`, `last_price_update`, `is_filtered`, `created_at`, `updated_at` from `prediction_markets`;
drop table `prediction_markets`;
alter table `prediction_markets__temp_alter` rename to `prediction_markets`;
create unique index `prediction_markets_asset_id_unique` on `prediction_markets` (`asset_id`);
create index `prediction_markets_event_id_index` on `prediction_markets` (`event_id`);
create index `prediction_markets_resolved_end_date_index` on `prediction_markets` (`resolved`, `end_date`);
create unique index `prediction_markets_venue_external_id_unique` on `prediction_markets` (`venue`, `external_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `strategies__temp_alter` (`id` integer not null primary key autoincrement, `name` text not null, `description` text null, `source_type` text check (`source_type` in ('pdf', 'youtube', 'manual', 'code')) not null default 'manual', `source_ref` text null, `is_active` integer not null default true, `entry_type` text null, `allowed_symbols` json null, `session_windows` json null, `entry_conditions` json null, `exit_rules` json null, `forbidden_conditions` json null, `risk_caps` json null, `confluence_required` json null, `rr_expectation` double null, `confidence` double null, `current_version_id` integer null, `created_at` datetime not null, `updated_at` datetime not null, constraint `strategies_current_version_id_foreign` foreign key (`current_version_id`) references `strategy_versions` (`id`) on delete set null, constraint `strategies_confidence_check` check (confidence >= '0' and confidence <= '1'), constraint `strategies_name_length_check` check (length("name") <= 255), constraint `strategies_entry_type_length_check` check (length("entry_type") <= 100));
insert into `strategies__temp_alter` select `id`, `name`, `description`, `source_type`, `source_ref`, `is_active`, `entry_type`, `allowed_symbols`, `session_windows`, `entry_conditions`, `exit_rules`, `forbidden_conditions`, `risk_caps`, `confluence_required`, `rr_expectation`, `confidence`, `current_version_id`, `created_at`, `updated_at` from `strategies`;
drop table `strategies`;
alter table `strategies__temp_alter` rename to `strategies`;
create unique index `strategies_name_unique` on `strategies` (`name`);
create index `strategies_current_version_id_index` on `strategies` (`current_version_id`);
create index `strategies_is_active_index` on `strategies` (`is_active`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `strategy_versions__temp_alter` (`id` integer not null primary key autoincrement, `strategy_id` integer not null, `version_hash` text not null, `config` json not null, `created_at` datetime not null, constraint `strategy_versions_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on delete cascade, constraint `strategy_versions_version_hash_length_check` check (length("version_hash") <= 64));
insert into `strategy_versions__temp_alter` select `id`, `strategy_id`, `version_hash`, `config`, `created_at` from `strategy_versions`;
drop table `strategy_versions`;
alter table `strategy_versions__temp_alter` rename to `strategy_versions`;
create index `strategy_versions_version_hash_index` on `strategy_versions` (`version_hash`);
create unique index `strategy_versions_strategy_id_version_hash_unique` on `strategy_versions` (`strategy_id`, `version_hash`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `learning_entries__temp_alter` (`id` integer not null primary key autoincrement, `strategy_id` integer null, `insight` text not null, `supporting_trades` json null, `confidence` double null, `impact_type` text null, `market_conditions` json null, `validation_count` integer not null default 0, `test_mode` integer not null default false, `bot_version` text null, `created_at` datetime not null, `updated_at` datetime not null, constraint `learning_entries_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on delete set null, constraint `learning_entries_confidence_check` check (confidence >= '0' and confidence <= '1'), constraint `learning_entries_impact_type_length_check` check (length("impact_type") <= 64), constraint `learning_entries_bot_version_length_check` check (length("bot_version") <= 64));
insert into `learning_entries__temp_alter` select `id`, `strategy_id`, `insight`, `supporting_trades`, `confidence`, `impact_type`, `market_conditions`, `validation_count`, `test_mode`, `bot_version`, `created_at`, `updated_at` from `learning_entries`;
drop table `learning_entries`;
alter table `learning_entries__temp_alter` rename to `learning_entries`;
create index `learning_entries_strategy_id_index` on `learning_entries` (`strategy_id`);
create index `learning_entries_validation_count_confidence_index` on `learning_entries` (`validation_count`, `confidence`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `backtest_runs__temp_alter` (`id` integer not null primary key autoincrement, `strategy_id` integer not null, `strategy_version_id` integer null, `name` text not null, `assets` json not null, `timeframe` text check (`timeframe` in ('1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M')) not null, `period_start` datetime not null, `period_end` datetime not null, `initial_balance` text not null, `fee_model` json null, `parameters` json null, `status` text check (`status` in ('queued', 'running', 'done', 'failed', 'canceled')) not null default 'queued', `error` text null, `started_at` datetime null, `finished_at` datetime null, `bot_version` text null, `created_at` datetime not null, constraint `backtest_runs_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on delete restrict, constraint `backtest_runs_strategy_version_id_foreign` foreign key (`strategy_version_id`) references `strategy_versions` (`id`) on delete restrict, constraint `backtest_runs_period_check` check (period_end > period_start), constraint `backtest_runs_name_length_check` check (length("name") <= 255), constraint `backtest_runs_bot_version_length_check` check (length("bot_version") <= 64));
insert into `backtest_runs__temp_alter` select `id`, `strategy_id`, `strategy_version_id`, `name`, `assets`, `timeframe`, `period_start`, `period_end`, `initial_balance`, `fee_model`, `parameters`, `status`, `error`, `started_at`, `finished_at`, `bot_version`, `created_at` from `backtest_runs`;
drop table `backtest_runs`;
alter table `backtest_runs__temp_alter` rename to `backtest_runs`;
create index `backtest_runs_strategy_version_id_index` on `backtest_runs` (`strategy_version_id`);
create index `backtest_runs_strategy_id_created_at_index` on `backtest_runs` (`strategy_id`, `created_at`);
create index `backtest_runs_status_index` on `backtest_runs` (`status`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `ticks__temp_alter` (`id` integer not null primary key autoincrement, `asset_id` integer not null, `ts` bigint not null, `trade_id` text not null, `side` text check (`side` in ('buy', 'sell')) null, `price` double not null, `amount` double not null, constraint `ticks_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict, constraint `ticks_trade_id_length_check` check (length("trade_id") <= 128));
insert into `ticks__temp_alter` select `id`, `asset_id`, `ts`, `trade_id`, `side`, `price`, `amount` from `ticks`;
drop table `ticks`;
alter table `ticks__temp_alter` rename to `ticks`;
create index `ticks_asset_id_ts_index` on `ticks` (`asset_id`, `ts`);
create unique index `ticks_asset_id_trade_id_unique` on `ticks` (`asset_id`, `trade_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `users__temp_alter` (`id` integer not null primary key autoincrement, `email` text not null, `password_hash` text not null, `role` text check (`role` in ('admin', 'trader', 'viewer')) not null default 'viewer', `is_active` integer not null default true, `created_at` datetime not null, `updated_at` datetime not null, constraint `users_email_lower_check` check (email = lower(email)), constraint `users_email_length_check` check (length("email") <= 320), constraint `users_password_hash_length_check` check (length("password_hash") <= 255));
insert into `users__temp_alter` select `id`, `email`, `password_hash`, `role`, `is_active`, `created_at`, `updated_at` from `users`;
drop table `users`;
alter table `users__temp_alter` rename to `users`;
create unique index `users_email_unique` on `users` (`email`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `portfolios__temp_alter` (`id` integer not null primary key autoincrement, `owner_id` integer not null, `name` text not null, `description` text null, `base_currency` text not null default 'USD', `strategy_type` text null, `mode` text check (`mode` in ('live', 'paper', 'backtest')) not null default 'paper', `status` text check (`status` in ('active', 'paused', 'closed')) not null default 'active', `initial_balance` text not null, `cash_balance` text not null, `max_position_size` text null, `max_total_exposure` text null, `max_positions` integer null, `strategy_config` json null, `created_at` datetime not null, `updated_at` datetime not null, constraint `portfolios_owner_id_foreign` foreign key (`owner_id`) references `users` (`id`) on delete restrict, constraint `portfolios_name_length_check` check (length("name") <= 255), constraint `portfolios_base_currency_length_check` check (length("base_currency") <= 16), constraint `portfolios_strategy_type_length_check` check (length("strategy_type") <= 100));
insert into `portfolios__temp_alter` select `id`, `owner_id`, `name`, `description`, `base_currency`, `strategy_type`, `mode`, `status`, `initial_balance`, `cash_balance`, `max_position_size`, `max_total_exposure`, `max_positions`, `strategy_config`, `created_at`, `updated_at` from `portfolios`;
drop table `portfolios`;
alter table `portfolios__temp_alter` rename to `portfolios`;
create index `portfolios_status_strategy_type_index` on `portfolios` (`status`, `strategy_type`);
create unique index `portfolios_owner_id_name_unique` on `portfolios` (`owner_id`, `name`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `signals__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` integer null, `strategy_id` integer null, `strategy_version` text not null, `asset_id` integer not null, `ts` datetime not null, `price` text not null, `action` text check (`action` in ('buy', 'sell', 'hold')) not null, `confidence` double not null, `aggregation_method` text null, `components` json null, `reason` text null, `target_price` text null, `quantity` text null, `executed` integer not null default false, `executed_at` datetime null, `test_mode` integer not null default false, `bot_version` text null, constraint `signals_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete restrict, constraint `signals_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on delete restrict, constraint `signals_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict, constraint `signals_confidence_check` check (confidence >= '0' and confidence <= '1'), constraint `signals_strategy_version_length_check` check (length("strategy_version") <= 64), constraint `signals_aggregation_method_length_check` check (length("aggregation_method") <= 64), constraint `signals_bot_version_length_check` check (length("bot_version") <= 64));
insert into `signals__temp_alter` select `id`, `portfolio_id`, `strategy_id`, `strategy_version`, `asset_id`, `ts`, `price`, `action`, `confidence`, `aggregation_method`, `components`, `reason`, `target_price`, `quantity`, `executed`, `executed_at`, `test_mode`, `bot_version` from `signals`;
drop table `signals`;
alter table `signals__temp_alter` rename to `signals`;
create index `signals_portfolio_id_ts_index` on `signals` (`portfolio_id`, `ts`);
create index `signals_strategy_id_ts_index` on `signals` (`strategy_id`, `ts`);
create index `signals_asset_id_ts_index` on `signals` (`asset_id`, `ts`);
create index `signals_test_mode_ts_index` on `signals` (`test_mode`, `ts`);
create index `signals_portfolio_id_executed_index` on `signals` (`portfolio_id`, `executed`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `trade_ideas__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` integer null, `signal_id` integer null, `strategy_id` integer null, `asset_id` integer not null, `direction` text check (`direction` in ('long', 'short')) not null, `quantity` text null, `entry_price` text null, `entry_range_low` text null, `entry_range_high` text null, `stop_loss` text null, `take_profit` text null, `expected_hold` text null, `rationale` text null, `confidence` double null, `status` text check (`status` in ('waiting', 'needs_approval', 'approved', 'auto_executed', 'rejected', 'halted_by_risk', 'expired')) not null default 'waiting', `snapshot_ref` text null, `decided_by` text null, `decided_at` datetime null, `expires_at` datetime null, `test_mode` integer not null default false, `bot_version` text null, `created_at` datetime not null, `updated_at` datetime not null, constraint `trade_ideas_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete restrict, constraint `trade_ideas_signal_id_foreign` foreign key (`signal_id`) references `signals` (`id`) on delete set null, constraint `trade_ideas_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on delete restrict, constraint `trade_ideas_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict, constraint `trade_ideas_confidence_check` check (confidence >= '0' and confidence <= '1'), constraint `trade_ideas_expected_hold_length_check` check (length("expected_hold") <= 32), constraint `trade_ideas_snapshot_ref_length_check` check (length("snapshot_ref") <= 255), constraint `trade_ideas_decided_by_length_check` check (length("decided_by") <= 320), constraint `trade_ideas_bot_version_length_check` check (length("bot_version") <= 64));
insert into `trade_ideas__temp_alter` select `id`, `portfolio_id`, `signal_id`, `strategy_id`, `asset_id`, `direction`, `quantity`, `entry_price`, `entry_range_low`, `entry_range_high`, `stop_loss`, `take_profit`, `expected_hold`, `rationale`, `confidence`, `status`, `snapshot_ref`, `decided_by`, `decided_at`, `expires_at`, `test_mode`, `bot_version`, `created_at`, `updated_at` from `trade_ideas`;
drop table `trade_ideas`;
alter table `trade_ideas__temp_alter` rename to `trade_ideas`;
create index `trade_ideas_signal_id_index` on `trade_ideas` (`signal_id`);
create index `trade_ideas_strategy_id_index` on `trade_ideas` (`strategy_id`);
create index `trade_ideas_status_created_at_index` on `trade_ideas` (`status`, `created_at`);
create index `trade_ideas_portfolio_id_updated_at_index` on `trade_ideas` (`portfolio_id`, `updated_at`);
create index `trade_ideas_portfolio_id_status_index` on `trade_ideas` (`portfolio_id`, `status`);
create index `trade_ideas_asset_id_created_at_index` on `trade_ideas` (`asset_id`, `created_at`);
create index `trade_ideas_test_mode_created_at_index` on `trade_ideas` (`test_mode`, `created_at`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `trades__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` integer null, `strategy_id` integer null, `signal_id` integer null, `trade_idea_id` integer null, `asset_id` integer not null, `direction` text check (`direction` in ('long', 'short')) not null, `entry_price` text not null, `exit_price` text null, `entry_time` datetime not null, `exit_time` datetime null, `quantity` text not null, `stop_loss` text null, `take_profit` text null, `fees` text not null default 0, `pnl` text null, `pnl_r` text null, `entry_value` text null, `exit_quantity` text null, `exit_value` text null, `outcome` text check (`outcome` in ('win', 'loss', 'breakeven', 'open')) not null default 'open', `reasoning` text null, `confidence` double null, `is_backtest` integer not null default false, `backtest_run_id` integer null, `external_ref` text null, `test_mode` integer not null default false, `bot_version` text null, `created_at` datetime not null, `updated_at` datetime not null, constraint `trades_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete restrict, constraint `trades_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on delete restrict, constraint `trades_signal_id_foreign` foreign key (`signal_id`) references `signals` (`id`) on delete set null, constraint `trades_trade_idea_id_foreign` foreign key (`trade_idea_id`) references `trade_ideas` (`id`) on delete set null, constraint `trades_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict, constraint `trades_backtest_run_id_foreign` foreign key (`backtest_run_id`) references `backtest_runs` (`id`) on delete cascade, constraint `trades_quantity_check` check (quantity > '0'), constraint `trades_confidence_check` check (confidence >= '0' and confidence <= '1'), constraint `trades_backtest_run_check` check ((is_backtest = true and backtest_run_id is not null) or (is_backtest = false and backtest_run_id is null)), constraint `trades_portfolio_check` check (portfolio_id is not null or is_backtest = true), constraint `trades_exit_check` check ((outcome = 'open' and exit_time is null) or (outcome <> 'open' and exit_time is not null and exit_price is not null)), constraint `trades_external_ref_length_check` check (length("external_ref") <= 255), constraint `trades_bot_version_length_check` check (length("bot_version") <= 64));
insert into `trades__temp_alter` select `id`, `portfolio_id`, `strategy_id`, `signal_id`, `trade_idea_id`, `asset_id`, `direction`, `entry_price`, `exit_price`, `entry_time`, `exit_time`, `quantity`, `stop_loss`, `take_profit`, `fees`, `pnl`, `pnl_r`, `entry_value`, `exit_quantity`, `exit_value`, `outcome`, `reasoning`, `confidence`, `is_backtest`, `backtest_run_id`, `external_ref`, `test_mode`, `bot_version`, `created_at`, `updated_at` from `trades`;
drop table `trades`;
alter table `trades__temp_alter` rename to `trades`;
create index `trades_signal_id_index` on `trades` (`signal_id`);
create index `trades_trade_idea_id_index` on `trades` (`trade_idea_id`);
create index `trades_backtest_run_id_index` on `trades` (`backtest_run_id`);
create index `trades_portfolio_id_entry_time_index` on `trades` (`portfolio_id`, `entry_time`);
create index `trades_portfolio_id_updated_at_index` on `trades` (`portfolio_id`, `updated_at`);
create index `trades_strategy_id_entry_time_index` on `trades` (`strategy_id`, `entry_time`);
create index `trades_asset_id_entry_time_index` on `trades` (`asset_id`, `entry_time`);
create index `trades_test_mode_entry_time_index` on `trades` (`test_mode`, `entry_time`);
create index `trades_is_backtest_entry_time_index` on `trades` (`is_backtest`, `entry_time`);
create index `trades_outcome_index` on `trades` (`outcome`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `positions__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` integer not null, `asset_id` integer not null, `side` text check (`side` in ('long', 'short')) not null, `quantity` text not null, `average_entry_price` text not null, `average_exit_price` text null, `cost_basis` text not null, `realized_pnl` text not null default 0, `unrealized_pnl` text null, `mark_price` text null, `marked_at` datetime null, `opened_at` datetime not null, `closed_at` datetime null, `status` text check (`status` in ('open', 'closed')) not null default 'open', `test_mode` integer not null default false, `bot_version` text null, `created_at` datetime not null, `updated_at` datetime not null, constraint `positions_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete cascade, constraint `positions_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict, constraint `positions_quantity_check` check (quantity >= '0'), constraint `positions_closed_at_check` check ((status = 'open' and closed_at is null) or (status = 'closed' and closed_at is not null)), constraint `positions_bot_version_length_check` check (length("bot_version") <= 64));
insert into `positions__temp_alter` select `id`, `portfolio_id`, `asset_id`, `side`, `quantity`, `average_entry_price`, `average_exit_price`, `cost_basis`, `realized_pnl`, `unrealized_pnl`, `mark_price`, `marked_at`, `opened_at`, `closed_at`, `status`, `test_mode`, `bot_version`, `created_at`, `updated_at` from `positions`;
drop table `positions`;
alter table `positions__temp_alter` rename to `positions`;
create index `positions_asset_id_index` on `positions` (`asset_id`);
create index `positions_portfolio_id_status_index` on `positions` (`portfolio_id`, `status`);
create index `positions_portfolio_id_updated_at_index` on `positions` (`portfolio_id`, `updated_at`);
create index `positions_test_mode_status_index` on `positions` (`test_mode`, `status`);
create unique index `positions_one_open_per_asset_side_unique` on `positions` (`portfolio_id`, `asset_id`, `side`, `test_mode`) where status = 'open';
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `portfolio_snapshots__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` integer not null, `taken_at` datetime not null, `cash` text not null, `equity` text not null, `invested` text not null, `realized_pnl` text not null, `unrealized_pnl` text not null, `open_positions` integer not null, `trade_count` integer not null, `test_mode` integer not null default false, `bot_version` text null, constraint `portfolio_snapshots_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete cascade, constraint `portfolio_snapshots_bot_version_length_check` check (length("bot_version") <= 64));
insert into `portfolio_snapshots__temp_alter` select `id`, `portfolio_id`, `taken_at`, `cash`, `equity`, `invested`, `realized_pnl`, `unrealized_pnl`, `open_positions`, `trade_count`, `test_mode`, `bot_version` from `portfolio_snapshots`;
drop table `portfolio_snapshots`;
alter table `portfolio_snapshots__temp_alter` rename to `portfolio_snapshots`;
create index `portfolio_snapshots_portfolio_id_taken_at_index` on `portfolio_snapshots` (`portfolio_id`, `taken_at`);
create index `portfolio_snapshots_test_mode_taken_at_index` on `portfolio_snapshots` (`test_mode`, `taken_at`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `portfolio_access__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` integer not null, `user_id` integer not null, `role` text check (`role` in ('viewer', 'trader')) not null, `granted_by` text not null, `created_at` datetime not null, constraint `portfolio_access_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete cascade, constraint `portfolio_access_user_id_foreign` foreign key (`user_id`) references `users` (`id`) on delete cascade, constraint `portfolio_access_granted_by_length_check` check (length("granted_by") <= 320));
insert into `portfolio_access__temp_alter` select `id`, `portfolio_id`, `user_id`, `role`, `granted_by`, `created_at` from `portfolio_access`;
drop table `portfolio_access`;
alter table `portfolio_access__temp_alter` rename to `portfolio_access`;
create index `portfolio_access_user_id_index` on `portfolio_access` (`user_id`);
create unique index `portfolio_access_portfolio_id_user_id_unique` on `portfolio_access` (`portfolio_id`, `user_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `orders__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` integer not null, `trade_idea_id` integer null, `signal_id` integer null, `asset_id` integer not null, `side` text check (`side` in ('buy', 'sell')) not null, `type` text check (`type` in ('market', 'limit', 'stop', 'stop_limit')) not null, `time_in_force` text check (`time_in_force` in ('gtc', 'ioc', 'fok', 'day')) null, `quantity` text not null, `limit_price` text null, `stop_price` text null, `status` text check (`status` in ('new', 'open', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired')) not null default 'new', `client_order_id` text not null, `exchange_order_id` text null, `reject_reason` text null, `submitted_at` datetime null, `test_mode` integer not null default false, `bot_version` text null, `created_at` datetime not null, `updated_at` datetime not null, constraint `orders_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete restrict, constraint `orders_trade_idea_id_foreign` foreign key (`trade_idea_id`) references `trade_ideas` (`id`) on delete set null, constraint `orders_signal_id_foreign` foreign key (`signal_id`) references `signals` (`id`) on delete set null, constraint `orders_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict, constraint `orders_quantity_check` check (quantity > '0'), constraint `orders_limit_price_check` check (limit_price is not null or type in ('market','stop')), constraint `orders_stop_price_check` check (stop_price is not null or type in ('market','limit')), constraint `orders_client_order_id_length_check` check (length("client_order_id") <= 64), constraint `orders_exchange_order_id_length_check` check (length("exchange_order_id") <= 128), constraint `orders_bot_version_length_check` check (length("bot_version") <= 64));
insert into `orders__temp_alter` select `id`, `portfolio_id`, `trade_idea_id`, `signal_id`, `asset_id`, `side`, `type`, `time_in_force`, `quantity`, `limit_price`, `stop_price`, `status`, `client_order_id`, `exchange_order_id`, `reject_reason`, `submitted_at`, `test_mode`, `bot_version`, `created_at`, `updated_at` from `orders`;
drop table `orders`;
alter table `orders__temp_alter` rename to `orders`;
create index `orders_trade_idea_id_index` on `orders` (`trade_idea_id`);
create index `orders_signal_id_index` on `orders` (`signal_id`);
create unique index `orders_client_order_id_unique` on `orders` (`client_order_id`);
create index `orders_exchange_order_id_index` on `orders` (`exchange_order_id`);
create index `orders_portfolio_id_status_index` on `orders` (`portfolio_id`, `status`);
create index `orders_portfolio_id_updated_at_index` on `orders` (`portfolio_id`, `updated_at`);
create index `orders_asset_id_created_at_index` on `orders` (`asset_id`, `created_at`);
create index `orders_test_mode_created_at_index` on `orders` (`test_mode`, `created_at`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `fills__temp_alter` (`id` integer not null primary key autoincrement, `order_id` integer not null, `venue` text not null, `quantity` text not null, `price` text not null, `fee` text not null default 0, `fee_currency` text null, `liquidity` text check (`liquidity` in ('maker', 'taker')) null, `ts` datetime not null, `exchange_trade_id` text null, `test_mode` integer not null default false, `bot_version` text null, `created_at` datetime not null, constraint `fills_order_id_foreign` foreign key (`order_id`) references `orders` (`id`) on delete cascade, constraint `fills_quantity_check` check (quantity > '0'), constraint `fills_venue_length_check` check (length("venue") <= 64), constraint `fills_fee_currency_length_check` check (length("fee_currency") <= 16), constraint `fills_exchange_trade_id_length_check` check (length("exchange_trade_id") <= 128), constraint `fills_bot_version_length_check` check (length("bot_version") <= 64));
insert into `fills__temp_alter` select `id`, `order_id`, `venue`, `quantity`, `price`, `fee`, `fee_currency`, `liquidity`, `ts`, `exchange_trade_id`, `test_mode`, `bot_version`, `created_at` from `fills`;
drop table `fills`;
alter table `fills__temp_alter` rename to `fills`;
create index `fills_order_id_index` on `fills` (`order_id`);
create index `fills_ts_index` on `fills` (`ts`);
create index `fills_test_mode_ts_index` on `fills` (`test_mode`, `ts`);
create unique index `fills_venue_exchange_trade_id_unique` on `fills` (`venue`, `exchange_trade_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `decision_history__temp_alter` (`id` integer not null primary key autoincrement, `occurred_at` datetime not null, `portfolio_id` integer null, `asset_id` integer null, `action` text check (`action` in ('ai_proposed', 'ai_auto_executed', 'human_approved', 'human_rejected', 'risk_rejected', 'ai_halted', 'ai_resumed')) not null, `actor` text not null, `rationale` text null, `confidence` double null, `risk_check_result` json null, `strategy_id` integer null, `trade_idea_id` integer null, `snapshot_ref` text null, `human_override` integer not null default false, `test_mode` integer not null default false, `bot_version` text null, constraint `decision_history_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete restrict, constraint `decision_history_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict, constraint `decision_history_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on delete restrict, constraint `decision_history_trade_idea_id_foreign` foreign key (`trade_idea_id`) references `trade_ideas` (`id`) on delete restrict, constraint `decision_history_confidence_check` check (confidence >= '0' and confidence <= '1'), constraint `decision_history_actor_length_check` check (length("actor") <= 320), constraint `decision_history_snapshot_ref_length_check` check (length("snapshot_ref") <= 255), constraint `decision_history_bot_version_length_check` check (length("bot_version") <= 64));
insert into `decision_history__temp_alter` select `id`, `occurred_at`, `portfolio_id`, `asset_id`, `action`, `actor`, `rationale`, `confidence`, `risk_check_result`, `strategy_id`, `trade_idea_id`, `snapshot_ref`, `human_override`, `test_mode`, `bot_version` from `decision_history`;
drop table `decision_history`;
alter table `decision_history__temp_alter` rename to `decision_history`;
create index `decision_history_strategy_id_index` on `decision_history` (`strategy_id`);
create index `decision_history_trade_idea_id_index` on `decision_history` (`trade_idea_id`);
create index `decision_history_portfolio_id_occurred_at_index` on `decision_history` (`portfolio_id`, `occurred_at`);
create index `decision_history_asset_id_occurred_at_index` on `decision_history` (`asset_id`, `occurred_at`);
create index `decision_history_action_occurred_at_index` on `decision_history` (`action`, `occurred_at`);
create index `decision_history_occurred_at_index` on `decision_history` (`occurred_at`);
create index `decision_history_test_mode_occurred_at_index` on `decision_history` (`test_mode`, `occurred_at`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `account_snapshots__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` integer null, `account_ref` text null, `balance` text not null, `equity` text not null, `margin_used` text not null, `margin_free` text not null, `open_pl` text not null, `open_positions` integer not null, `captured_at` datetime not null, `test_mode` integer not null default false, `bot_version` text null, constraint `account_snapshots_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete cascade, constraint `account_snapshots_account_ref_length_check` check (length("account_ref") <= 128), constraint `account_snapshots_bot_version_length_check` check (length("bot_version") <= 64));
insert into `account_snapshots__temp_alter` select `id`, `portfolio_id`, `account_ref`, `balance`, `equity`, `margin_used`, `margin_free`, `open_pl`, `open_positions`, `captured_at`, `test_mode`, `bot_version` from `account_snapshots`;
drop table `account_snapshots`;
alter table `account_snapshots__temp_alter` rename to `account_snapshots`;
create index `account_snapshots_portfolio_id_captured_at_index` on `account_snapshots` (`portfolio_id`, `captured_at`);
create index `account_snapshots_captured_at_index` on `account_snapshots` (`captured_at`);
create index `account_snapshots_test_mode_captured_at_index` on `account_snapshots` (`test_mode`, `captured_at`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `auth_sessions__temp_alter` (`id` integer not null primary key autoincrement, `user_id` integer not null, `created_at` datetime not null, `revoked_at` datetime null, `revoked_reason` text null, constraint `auth_sessions_user_id_foreign` foreign key (`user_id`) references `users` (`id`) on delete cascade, constraint `auth_sessions_revoked_reason_length_check` check (length("revoked_reason") <= 32));
insert into `auth_sessions__temp_alter` select `id`, `user_id`, `created_at`, `revoked_at`, `revoked_reason` from `auth_sessions`;
drop table `auth_sessions`;
alter table `auth_sessions__temp_alter` rename to `auth_sessions`;
create index `auth_sessions_user_id_index` on `auth_sessions` (`user_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `refresh_tokens__temp_alter` (`id` integer not null primary key autoincrement, `session_id` integer not null, `token_hash` text not null, `expires_at` datetime not null, `used_at` datetime null, `created_at` datetime not null, constraint `refresh_tokens_session_id_foreign` foreign key (`session_id`) references `auth_sessions` (`id`) on delete cascade, constraint `refresh_tokens_token_hash_length_check` check (length("token_hash") <= 64));
insert into `refresh_tokens__temp_alter` select `id`, `session_id`, `token_hash`, `expires_at`, `used_at`, `created_at` from `refresh_tokens`;
drop table `refresh_tokens`;
alter table `refresh_tokens__temp_alter` rename to `refresh_tokens`;
create index `refresh_tokens_session_id_index` on `refresh_tokens` (`session_id`);
create unique index `refresh_tokens_token_hash_unique` on `refresh_tokens` (`token_hash`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `api_keys__temp_alter` (`id` integer not null primary key autoincrement, `user_id` integer not null, `name` text not null, `prefix` text not null, `key_hash` text not null, `scopes` json not null, `portfolio_ids` json null, `expires_at` datetime null, `last_used_at` datetime null, `created_at` datetime not null, constraint `api_keys_user_id_foreign` foreign key (`user_id`) references `users` (`id`) on delete cascade, constraint `api_keys_name_length_check` check (length("name") <= 255), constraint `api_keys_prefix_length_check` check (length("prefix") <= 16), constraint `api_keys_key_hash_length_check` check (length("key_hash") <= 64));
insert into `api_keys__temp_alter` select `id`, `user_id`, `name`, `prefix`, `key_hash`, `scopes`, `portfolio_ids`, `expires_at`, `last_used_at`, `created_at` from `api_keys`;
drop table `api_keys`;
alter table `api_keys__temp_alter` rename to `api_keys`;
create index `api_keys_user_id_index` on `api_keys` (`user_id`);
create unique index `api_keys_key_hash_unique` on `api_keys` (`key_hash`);
pragma foreign_keys = on;

-- migrate:down
pragma foreign_keys = off;
create table `account_snapshots__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` INTEGER null, `account_ref` TEXT null, `balance` TEXT not null, `equity` TEXT not null, `margin_used` TEXT not null, `margin_free` TEXT not null, `open_pl` TEXT not null, `open_positions` INTEGER not null, `captured_at` datetime not null, `test_mode` INTEGER not null default false, `bot_version` TEXT null, constraint `account_snapshots_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on update no action on delete cascade);
insert into `account_snapshots__temp_alter` select `id`, `portfolio_id`, `account_ref`, `balance`, `equity`, `margin_used`, `margin_free`, `open_pl`, `open_positions`, `captured_at`, `test_mode`, `bot_version` from `account_snapshots`;
drop table `account_snapshots`;
alter table `account_snapshots__temp_alter` rename to `account_snapshots`;
create index `account_snapshots_test_mode_captured_at_index` on `account_snapshots` (`test_mode`, `captured_at`);
create index `account_snapshots_captured_at_index` on `account_snapshots` (`captured_at`);
create index `account_snapshots_portfolio_id_captured_at_index` on `account_snapshots` (`portfolio_id`, `captured_at`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `api_keys__temp_alter` (`id` integer not null primary key autoincrement, `user_id` INTEGER not null, `name` TEXT not null, `prefix` TEXT not null, `key_hash` TEXT not null, `scopes` json not null, `portfolio_ids` json null, `expires_at` datetime null, `last_used_at` datetime null, `created_at` datetime not null, constraint `api_keys_user_id_foreign` foreign key (`user_id`) references `users` (`id`) on update no action on delete cascade);
insert into `api_keys__temp_alter` select `id`, `user_id`, `name`, `prefix`, `key_hash`, `scopes`, `portfolio_ids`, `expires_at`, `last_used_at`, `created_at` from `api_keys`;
drop table `api_keys`;
alter table `api_keys__temp_alter` rename to `api_keys`;
create unique index `api_keys_key_hash_unique` on `api_keys` (`key_hash`);
create index `api_keys_user_id_index` on `api_keys` (`user_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `assets__temp_alter` (`id` integer not null primary key autoincrement, `symbol` TEXT not null, `venue` TEXT not null, `kind` TEXT check (`kind` in ('crypto', 'equity', 'future', 'fx', 'prediction')) not null, `base` TEXT null, `quote` TEXT null, `tick_size` TEXT null, `lot_size` TEXT null, `is_active` INTEGER not null default true, `created_at` datetime not null, `updated_at` datetime not null);
insert into `assets__temp_alter` select `id`, `symbol`, `venue`, `kind`, `base`, `quote`, `tick_size`, `lot_size`, `is_active`, `created_at`, `updated_at` from `assets`;
drop table `assets`;
alter table `assets__temp_alter` rename to `assets`;
create unique index `assets_venue_symbol_unique` on `assets` (`venue`, `symbol`);
create index `assets_kind_is_active_index` on `assets` (`kind`, `is_active`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `auth_sessions__temp_alter` (`id` integer not null primary key autoincrement, `user_id` INTEGER not null, `created_at` datetime not null, `revoked_at` datetime null, `revoked_reason` TEXT null, constraint `auth_sessions_user_id_foreign` foreign key (`user_id`) references `users` (`id`) on update no action on delete cascade);
insert into `auth_sessions__temp_alter` select `id`, `user_id`, `created_at`, `revoked_at`, `revoked_reason` from `auth_sessions`;
drop table `auth_sessions`;
alter table `auth_sessions__temp_alter` rename to `auth_sessions`;
create index `auth_sessions_user_id_index` on `auth_sessions` (`user_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `backtest_runs__temp_alter` (`id` integer not null primary key autoincrement, `strategy_id` INTEGER not null, `strategy_version_id` INTEGER null, `name` TEXT not null, `assets` json not null, `timeframe` TEXT check (`timeframe` in ('1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M')) not null, `period_start` datetime not null, `period_end` datetime not null, `initial_balance` TEXT not null, `fee_model` json null, `parameters` json null, `status` TEXT check (`status` in ('queued', 'running', 'done', 'failed', 'canceled')) not null default 'queued', `error` TEXT null, `started_at` datetime null, `finished_at` datetime null, `bot_version` TEXT null, `created_at` datetime not null, constraint `backtest_runs_strategy_version_id_foreign` foreign key (`strategy_version_id`) references `strategy_versions` (`id`) on update no action on delete restrict, constraint `backtest_runs_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on update no action on delete restrict, constraint `backtest_runs_period_check` check (period_end > period_start));
insert into `backtest_runs__temp_alter` select `id`, `strategy_id`, `strategy_version_id`, `name`, `assets`, `timeframe`, `period_start`, `period_end`, `initial_balance`, `fee_model`, `parameters`, `status`, `error`, `started_at`, `finished_at`, `bot_version`, `created_at` from `backtest_runs`;
drop table `backtest_runs`;
alter table `backtest_runs__temp_alter` rename to `backtest_runs`;
create index `backtest_runs_status_index` on `backtest_runs` (`status`);
create index `backtest_runs_strategy_id_created_at_index` on `backtest_runs` (`strategy_id`, `created_at`);
create index `backtest_runs_strategy_version_id_index` on `backtest_runs` (`strategy_version_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `bot_status__temp_alter` (`key` TEXT not null primary key, `value` json null, `bot_version` TEXT null, `updated_at` datetime not null);
insert into `bot_status__temp_alter` select `key`, `value`, `bot_version`, `updated_at` from `bot_status`;
drop table `bot_status`;
alter table `bot_status__temp_alter` rename to `bot_status`;
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `calendar_events__temp_alter` (`id` integer not null primary key autoincrement, `event_time` datetime not null, `currency` TEXT not null, `impact_level` TEXT check (`impact_level` in ('holiday', 'low', 'medium', 'high')) not null, `title` TEXT not null, `previous` TEXT null, `forecast` TEXT null, `actual` TEXT null, `captured_at` datetime not null);
insert into `calendar_events__temp_alter` select `id`, `event_time`, `currency`, `impact_level`, `title`, `previous`, `forecast`, `actual`, `captured_at` from `calendar_events`;
drop table `calendar_events`;
alter table `calendar_events__temp_alter` rename to `calendar_events`;
create index `calendar_events_captured_at_index` on `calendar_events` (`captured_at`);
create index `calendar_events_event_time_index` on `calendar_events` (`event_time`);
create index `calendar_events_currency_event_time_index` on `calendar_events` (`currency`, `event_time`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `decision_history__temp_alter` (`id` integer not null primary key autoincrement, `occurred_at` datetime not null, `portfolio_id` INTEGER null, `asset_id` INTEGER null, `action` TEXT check (`action` in ('ai_proposed', 'ai_auto_executed', 'human_approved', 'human_rejected', 'risk_rejected', 'ai_halted', 'ai_resumed')) not null, `actor` TEXT not null, `rationale` TEXT null, `confidence` double null, `risk_check_result` json null, `strategy_id` INTEGER null, `trade_idea_id` INTEGER null, `snapshot_ref` TEXT null, `human_override` INTEGER not null default false, `test_mode` INTEGER not null default false, `bot_version` TEXT null, constraint `decision_history_trade_idea_id_foreign` foreign key (`trade_idea_id`) references `trade_ideas` (`id`) on update no action on delete restrict, constraint `decision_history_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on update no action on delete restrict, constraint `decision_history_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on update no action on delete restrict, constraint `decision_history_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on update no action on delete restrict, constraint `decision_history_confidence_check` check (confidence >= '0' and confidence <= '1'));
insert into `decision_history__temp_alter` select `id`, `occurred_at`, `portfolio_id`, `asset_id`, `action`, `actor`, `rationale`, `confidence`, `risk_check_result`, `strategy_id`, `trade_idea_id`, `snapshot_ref`, `human_override`, `test_mode`, `bot_version` from `decision_history`;
drop table `decision_history`;
alter table `decision_history__temp_alter` rename to `decision_history`;
create index `decision_history_test_mode_occurred_at_index` on `decision_history` (`test_mode`, `occurred_at`);
create index `decision_history_occurred_at_index` on `decision_history` (`occurred_at`);
create index `decision_history_action_occurred_at_index` on `decision_history` (`action`, `occurred_at`);
create index `decision_history_asset_id_occurred_at_index` on `decision_history` (`asset_id`, `occurred_at`);
create index `decision_history_portfolio_id_occurred_at_index` on `decision_history` (`portfolio_id`, `occurred_at`);
create index `decision_history_trade_idea_id_index` on `decision_history` (`trade_idea_id`);
create index `decision_history_strategy_id_index` on `decision_history` (`strategy_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `decision_history_archive__temp_alter` (`id` integer not null primary key autoincrement, `occurred_at` datetime not null, `portfolio_id` INTEGER null, `asset_id` INTEGER null, `action` TEXT not null, `actor` TEXT not null, `rationale` TEXT null, `confidence` double null, `risk_check_result` json null, `strategy_id` INTEGER null, `trade_idea_id` INTEGER null, `snapshot_ref` TEXT null, `human_override` INTEGER not null default false, `test_mode` INTEGER not null default false, `bot_version` TEXT null, `archived_at` datetime not null);
insert into `decision_history_archive__temp_alter` select `id`, `occurred_at`, `portfolio_id`, `asset_id`, `action`, `actor`, `rationale`, `confidence`, `risk_check_result`, `strategy_id`, `trade_idea_id`, `snapshot_ref`, `human_override`, `test_mode`, `bot_version`, `archived_at` from `decision_history_archive`;
drop table `decision_history_archive`;
alter table `decision_history_archive__temp_alter` rename to `decision_history_archive`;
create index `decision_history_archive_portfolio_id_occurred_at_index` on `decision_history_archive` (`portfolio_id`, `occurred_at`);
create index `decision_history_archive_occurred_at_index` on `decision_history_archive` (`occurred_at`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `error_logs__temp_alter` (`id` integer not null primary key autoincrement, `ts` datetime not null, `level` TEXT check (`level` in ('debug', 'info', 'warning', 'error', 'critical')) not null, `source` TEXT not null, `message` TEXT not null, `stack` TEXT null, `context` json null, `test_mode` INTEGER not null default false, `bot_version` TEXT null);
insert into `error_logs__temp_alter` select `id`, `ts`, `level`, `source`, `message`, `stack`, `context`, `test_mode`, `bot_version` from `error_logs`;
drop table `error_logs`;
alter table `error_logs__temp_alter` rename to `error_logs`;
create index `error_logs_test_mode_ts_index` on `error_logs` (`test_mode`, `ts`);
create index `error_logs_source_ts_index` on `error_logs` (`source`, `ts`);
create index `error_logs_level_ts_index` on `error_logs` (`level`, `ts`);
create index `error_logs_ts_index` on `error_logs` (`ts`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `fills__temp_alter` (`id` integer not null primary key autoincrement, `order_id` INTEGER not null, `venue` TEXT not null, `quantity` TEXT not null, `price` TEXT not null, `fee` TEXT not null default 0, `fee_currency` TEXT null, `liquidity` TEXT check (`liquidity` in ('maker', 'taker')) null, `ts` datetime not null, `exchange_trade_id` TEXT null, `test_mode` INTEGER not null default false, `bot_version` TEXT null, `created_at` datetime not null, constraint `fills_order_id_foreign` foreign key (`order_id`) references `orders` (`id`) on update no action on delete cascade, constraint `fills_quantity_check` check (quantity > '0'));
insert into `fills__temp_alter` select `id`, `order_id`, `venue`, `quantity`, `price`, `fee`, `fee_currency`, `liquidity`, `ts`, `exchange_trade_id`, `test_mode`, `bot_version`, `created_at` from `fills`;
drop table `fills`;
alter table `fills__temp_alter` rename to `fills`;
create unique index `fills_venue_exchange_trade_id_unique` on `fills` (`venue`, `exchange_trade_id`);
create index `fills_test_mode_ts_index` on `fills` (`test_mode`, `ts`);
create index `fills_ts_index` on `fills` (`ts`);
create index `fills_order_id_index` on `fills` (`order_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `learning_entries__temp_alter` (`id` integer not null primary key autoincrement, `strategy_id` INTEGER null, `insight` TEXT not null, `supporting_trades` json null, `confidence` double null, `impact_type` TEXT null, `market_conditions` json null, `validation_count` INTEGER not null default 0, `test_mode` INTEGER not null default false, `bot_version` TEXT null, `created_at` datetime not null, `updated_at` datetime not null, constraint `learning_entries_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on update no action on delete set null, constraint `learning_entries_confidence_check` check (confidence >= '0' and confidence <= '1'));
insert into `learning_entries__temp_alter` select `id`, `strategy_id`, `insight`, `supporting_trades`, `confidence`, `impact_type`, `market_conditions`, `validation_count`, `test_mode`, `bot_version`, `created_at`, `updated_at` from `learning_entries`;
drop table `learning_entries`;
alter table `learning_entries__temp_alter` rename to `learning_entries`;
create index `learning_entries_validation_count_confidence_index` on `learning_entries` (`validation_count`, `confidence`);
create index `learning_entries_strategy_id_index` on `learning_entries` (`strategy_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `news_feeds__temp_alter` (`id` integer not null primary key autoincrement, `url` TEXT not null, `name` TEXT not null, `is_active` INTEGER not null default true, `last_polled_at` datetime null, `created_at` datetime not null, `updated_at` datetime not null);
insert into `news_feeds__temp_alter` select `id`, `url`, `name`, `is_active`, `last_polled_at`, `created_at`, `updated_at` from `news_feeds`;
drop table `news_feeds`;
alter table `news_feeds__temp_alter` rename to `news_feeds`;
create unique index `news_feeds_url_unique` on `news_feeds` (`url`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `news_items__temp_alter` (`id` integer not null primary key autoincrement, `feed_id` INTEGER null, `dedup_key` TEXT not null, `guid` TEXT null, `headline` TEXT not null, `summary` TEXT null, `url` TEXT null, `source` TEXT null, `symbols` json null, `published_at` datetime null, `captured_at` datetime not null, constraint `news_items_feed_id_foreign` foreign key (`feed_id`) references `news_feeds` (`id`) on update no action on delete set null);
insert into `news_items__temp_alter` select `id`, `feed_id`, `dedup_key`, `guid`, `headline`, `summary`, `url`, `source`, `symbols`, `published_at`, `captured_at` from `news_items`;
drop table `news_items`;
alter table `news_items__temp_alter` rename to `news_items`;
create index `news_items_captured_at_index` on `news_items` (`captured_at`);
create index `news_items_published_at_index` on `news_items` (`published_at`);
create index `news_items_feed_id_index` on `news_items` (`feed_id`);
create unique index `news_items_dedup_key_unique` on `news_items` (`dedup_key`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `orders__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` INTEGER not null, `trade_idea_id` INTEGER null, `signal_id` INTEGER null, `asset_id` INTEGER not null, `side` TEXT check (`side` in ('buy', 'sell')) not null, `type` TEXT check (`type` in ('market', 'limit', 'stop', 'stop_limit')) not null, `time_in_force` TEXT check (`time_in_force` in ('gtc', 'ioc', 'fok', 'day')) null, `quantity` TEXT not null, `limit_price` TEXT null, `stop_price` TEXT null, `status` TEXT check (`status` in ('new', 'open', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired')) not null default 'new', `client_order_id` TEXT not null, `exchange_order_id` TEXT null, `reject_reason` TEXT null, `submitted_at` datetime null, `test_mode` INTEGER not null default false, `bot_version` TEXT null, `created_at` datetime not null, `updated_at` datetime not null, constraint `orders_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on update no action on delete restrict, constraint `orders_signal_id_foreign` foreign key (`signal_id`) references `signals` (`id`) on update no action on delete set null, constraint `orders_trade_idea_id_foreign` foreign key (`trade_idea_id`) references `trade_ideas` (`id`) on update no action on delete set null, constraint `orders_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on update no action on delete restrict, constraint `orders_quantity_check` check (quantity > '0'), constraint `orders_limit_price_check` check (limit_price is not null or type in ('market','stop')), constraint `orders_stop_price_check` check (stop_price is not null or type in ('market','limit')));
insert into `orders__temp_alter` select `id`, `portfolio_id`, `trade_idea_id`, `signal_id`, `asset_id`, `side`, `type`, `time_in_force`, `quantity`, `limit_price`, `stop_price`, `status`, `client_order_id`, `exchange_order_id`, `reject_reason`, `submitted_at`, `test_mode`, `bot_version`, `created_at`, `updated_at` from `orders`;
drop table `orders`;
alter table `orders__temp_alter` rename to `orders`;
create index `orders_portfolio_id_updated_at_index` on `orders` (`portfolio_id`, `updated_at`);
create index `orders_test_mode_created_at_index` on `orders` (`test_mode`, `created_at`);
create index `orders_asset_id_created_at_index` on `orders` (`asset_id`, `created_at`);
create index `orders_portfolio_id_status_index` on `orders` (`portfolio_id`, `status`);
create index `orders_exchange_order_id_index` on `orders` (`exchange_order_id`);
create unique index `orders_client_order_id_unique` on `orders` (`client_order_id`);
create index `orders_signal_id_index` on `orders` (`signal_id`);
create index `orders_trade_idea_id_index` on `orders` (`trade_idea_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `portfolio_access__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` INTEGER not null, `user_id` INTEGER not null, `role` TEXT check (`role` in ('viewer', 'trader')) not null, `granted_by` TEXT not null, `created_at` datetime not null, constraint `portfolio_access_user_id_foreign` foreign key (`user_id`) references `users` (`id`) on update no action on delete cascade, constraint `portfolio_access_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on update no action on delete cascade);
insert into `portfolio_access__temp_alter` select `id`, `portfolio_id`, `user_id`, `role`, `granted_by`, `created_at` from `portfolio_access`;
drop table `portfolio_access`;
alter table `portfolio_access__temp_alter` rename to `portfolio_access`;
create unique index `portfolio_access_portfolio_id_user_id_unique` on `portfolio_access` (`portfolio_id`, `user_id`);
create index `portfolio_access_user_id_index` on `portfolio_access` (`user_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `portfolio_snapshots__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` INTEGER not null, `taken_at` datetime not null, `cash` TEXT not null, `equity` TEXT not null, `invested` TEXT not null, `realized_pnl` TEXT not null, `unrealized_pnl` TEXT not null, `open_positions` INTEGER not null, `trade_count` INTEGER not null, `test_mode` INTEGER not null default false, `bot_version` TEXT null, constraint `portfolio_snapshots_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on update no action on delete cascade);
insert into `portfolio_snapshots__temp_alter` select `id`, `portfolio_id`, `taken_at`, `cash`, `equity`, `invested`, `realized_pnl`, `unrealized_pnl`, `open_positions`, `trade_count`, `test_mode`, `bot_version` from `portfolio_snapshots`;
drop table `portfolio_snapshots`;
alter table `portfolio_snapshots__temp_alter` rename to `portfolio_snapshots`;
create index `portfolio_snapshots_test_mode_taken_at_index` on `portfolio_snapshots` (`test_mode`, `taken_at`);
create index `portfolio_snapshots_portfolio_id_taken_at_index` on `portfolio_snapshots` (`portfolio_id`, `taken_at`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `portfolios__temp_alter` (`id` integer not null primary key autoincrement, `owner_id` INTEGER not null, `name` TEXT not null, `description` TEXT null, `base_currency` TEXT not null default 'USD', `strategy_type` TEXT null, `mode` TEXT check (`mode` in ('live', 'paper', 'backtest')) not null default 'paper', `status` TEXT check (`status` in ('active', 'paused', 'closed')) not null default 'active', `initial_balance` TEXT not null, `cash_balance` TEXT not null, `max_position_size` TEXT null, `max_total_exposure` TEXT null, `max_positions` INTEGER null, `strategy_config` json null, `created_at` datetime not null, `updated_at` datetime not null, constraint `portfolios_owner_id_foreign` foreign key (`owner_id`) references `users` (`id`) on update no action on delete restrict);
insert into `portfolios__temp_alter` select `id`, `owner_id`, `name`, `description`, `base_currency`, `strategy_type`, `mode`, `status`, `initial_balance`, `cash_balance`, `max_position_size`, `max_total_exposure`, `max_positions`, `strategy_config`, `created_at`, `updated_at` from `portfolios`;
drop table `portfolios`;
alter table `portfolios__temp_alter` rename to `portfolios`;
create unique index `portfolios_owner_id_name_unique` on `portfolios` (`owner_id`, `name`);
create index `portfolios_status_strategy_type_index` on `portfolios` (`status`, `strategy_type`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `positions__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` INTEGER not null, `asset_id` INTEGER not null, `side` TEXT check (`side` in ('long', 'short')) not null, `quantity` TEXT not null, `average_entry_price` TEXT not null, `average_exit_price` TEXT null, `cost_basis` TEXT not null, `realized_pnl` TEXT not null default 0, `unrealized_pnl` TEXT null, `mark_price` TEXT null, `marked_at` datetime null, `opened_at` datetime not null, `closed_at` datetime null, `status` TEXT check (`status` in ('open', 'closed')) not null default 'open', `test_mode` INTEGER not null default false, `bot_version` TEXT null, `created_at` datetime not null, `updated_at` datetime not null, constraint `positions_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on update no action on delete restrict, constraint `positions_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on update no action on delete cascade, constraint `positions_quantity_check` check (quantity >= '0'), constraint `positions_closed_at_check` check ((status = 'open' and closed_at is null) or (status = 'closed' and closed_at is not null)));
insert into `positions__temp_alter` select `id`, `portfolio_id`, `asset_id`, `side`, `quantity`, `average_entry_price`, `average_exit_price`, `cost_basis`, `realized_pnl`, `unrealized_pnl`, `mark_price`, `marked_at`, `opened_at`, `closed_at`, `status`, `test_mode`, `bot_version`, `created_at`, `updated_at` from `positions`;
drop table `positions`;
alter table `positions__temp_alter` rename to `positions`;
create index `positions_portfolio_id_updated_at_index` on `positions` (`portfolio_id`, `updated_at`);
create unique index `positions_one_open_per_asset_side_unique` on `positions` (`portfolio_id`, `asset_id`, `side`, `test_mode`) where status = 'open';
create index `positions_test_mode_status_index` on `positions` (`test_mode`, `status`);
create index `positions_portfolio_id_status_index` on `positions` (`portfolio_id`, `status`);
create index `positions_asset_id_index` on `positions` (`asset_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `prediction_events__temp_alter` (`id` integer not null primary key autoincrement, `venue` TEXT not null default 'polymarket', `external_id` TEXT not null, `title` TEXT not null, `slug` TEXT null, `description` TEXT null, `start_date` datetime null, `end_date` datetime null, `image_url` TEXT null, `icon` TEXT null, `active` INTEGER not null default true, `closed` INTEGER not null default false, `archived` INTEGER not null default false, `is_new` INTEGER not null default false, `featured` INTEGER not null default false, `restricted` INTEGER not null default false, `liquidity` TEXT null, `volume` TEXT null, `tags` json null, `is_filtered` INTEGER not null default false, `created_at` datetime not null, `updated_at` datetime not null);
insert into `prediction_events__temp_alter` select `id`, `venue`, `external_id`, `title`, `slug`, `description`, `start_date`, `end_date`, `image_url`, `icon`, `active`, `closed`, `archived`, `is_new`, `featured`, `restricted`, `liquidity`, `volume`, `tags`, `is_filtered`, `created_at`, `updated_at` from `prediction_events`;
drop table `prediction_events`;
alter table `prediction_events__temp_alter` rename to `prediction_events`;
create unique index `prediction_events_venue_external_id_unique` on `prediction_events` (`venue`, `external_id`);
create index `prediction_events_end_date_index` on `prediction_events` (`end_date`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `prediction_markets__temp_alter` (`id` integer not null primary key autoincrement, `event_id` INTEGER null, `asset_id` INTEGER null, `venue` TEXT not null default 'polymarket', `external_id` TEXT not null, `question` TEXT not null, `description` TEXT null, `outcomes` json null, `outcome_prices` json null, `yes_price` TEXT null, `no_price` TEXT null, `liquidity` TEXT null, `volume` TEXT null, `volume_24hr` TEXT null, `market_conviction` double null, `end_date` datetime null, `game_start_time` datetime null, `seconds_delay` INTEGER null, `active` INTEGER not null default true, `closed` INTEGER not null default false, `archived` INTEGER not null default false, `is_new` INTEGER not null default false, `featured` INTEGER not null default false, `submitted_by` TEXT null, `resolved` INTEGER not null default false, `resolved_outcome` TEXT null, `last_price_update` datetime null, `is_filtered` INTEGER not null default false, `created_at` datetime not null, `updated_at` datetime not null, constraint `prediction_markets_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on update no action on delete set null, constraint `prediction_markets_event_id_foreign` foreign key (`event_id`) references `prediction_events` (`id`) on update no action on delete cascade);
insert into `prediction_markets__temp_alter` select `id`, `event_id`, `asset_id`, `venue`, `external_id`, `question`, `description`, `outcomes`, `outcome_prices`, `yes_price`, `no_price`, `liquidity`, `volume`, `volume_24hr`, `market_conviction`, `end_date`, `game_start_time`, `seconds_delay`, `active`, `closed`, `archived`, `is_new`, `featured`, `submitted_by`, `resolved`, `resolved_outcome`, `last_price_update`, `is_filtered`, `created_at`, `updated_at` from `prediction_markets`;
drop table `prediction_markets`;
alter table `prediction_markets__temp_alter` rename to `prediction_markets`;
create unique index `prediction_markets_venue_external_id_unique` on `prediction_markets` (`venue`, `external_id`);
create index `prediction_markets_resolved_end_date_index` on `prediction_markets` (`resolved`, `end_date`);
create index `prediction_markets_event_id_index` on `prediction_markets` (`event_id`);
create unique index `prediction_markets_asset_id_unique` on `prediction_markets` (`asset_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `refresh_tokens__temp_alter` (`id` integer not null primary key autoincrement, `session_id` INTEGER not null, `token_hash` TEXT not null, `expires_at` datetime not null, `used_at` datetime null, `created_at` datetime not null, constraint `refresh_tokens_session_id_foreign` foreign key (`session_id`) references `auth_sessions` (`id`) on update no action on delete cascade);
insert into `refresh_tokens__temp_alter` select `id`, `session_id`, `token_hash`, `expires_at`, `used_at`, `created_at` from `refresh_tokens`;
drop table `refresh_tokens`;
alter table `refresh_tokens__temp_alter` rename to `refresh_tokens`;
create unique index `refresh_tokens_token_hash_unique` on `refresh_tokens` (`token_hash`);
create index `refresh_tokens_session_id_index` on `refresh_tokens` (`session_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `signals__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` INTEGER null, `strategy_id` INTEGER null, `strategy_version` TEXT not null, `asset_id` INTEGER not null, `ts` datetime not null, `price` TEXT not null, `action` TEXT check (`action` in ('buy', 'sell', 'hold')) not null, `confidence` double not null, `aggregation_method` TEXT null, `components` json null, `reason` TEXT null, `target_price` TEXT null, `quantity` TEXT null, `executed` INTEGER not null default false, `executed_at` datetime null, `test_mode` INTEGER not null default false, `bot_version` TEXT null, constraint `signals_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on update no action on delete restrict, constraint `signals_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on update no action on delete restrict, constraint `signals_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on update no action on delete restrict, constraint `signals_confidence_check` check (confidence >= '0' and confidence <= '1'));
insert into `signals__temp_alter` select `id`, `portfolio_id`, `strategy_id`, `strategy_version`, `asset_id`, `ts`, `price`, `action`, `confidence`, `aggregation_method`, `components`, `reason`, `target_price`, `quantity`, `executed`, `executed_at`, `test_mode`, `bot_version` from `signals`;
drop table `signals`;
alter table `signals__temp_alter` rename to `signals`;
create index `signals_portfolio_id_executed_index` on `signals` (`portfolio_id`, `executed`);
create index `signals_test_mode_ts_index` on `signals` (`test_mode`, `ts`);
create index `signals_asset_id_ts_index` on `signals` (`asset_id`, `ts`);
create index `signals_strategy_id_ts_index` on `signals` (`strategy_id`, `ts`);
create index `signals_portfolio_id_ts_index` on `signals` (`portfolio_id`, `ts`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `strategies__temp_alter` (`id` integer not null primary key autoincrement, `name` TEXT not null, `description` TEXT null, `source_type` TEXT check (`source_type` in ('pdf', 'youtube', 'manual', 'code')) not null default 'manual', `source_ref` TEXT null, `is_active` INTEGER not null default true, `entry_type` TEXT null, `allowed_symbols` json null, `session_windows` json null, `entry_conditions` json null, `exit_rules` json null, `forbidden_conditions` json null, `risk_caps` json null, `confluence_required` json null, `rr_expectation` double null, `confidence` double null, `current_version_id` INTEGER null, `created_at` datetime not null, `updated_at` datetime not null, constraint `strategies_current_version_id_foreign` foreign key (`current_version_id`) references `strategy_versions` (`id`) on update no action on delete set null, constraint `strategies_confidence_check` check (confidence >= '0' and confidence <= '1'));
insert into `strategies__temp_alter` select `id`, `name`, `description`, `source_type`, `source_ref`, `is_active`, `entry_type`, `allowed_symbols`, `session_windows`, `entry_conditions`, `exit_rules`, `forbidden_conditions`, `risk_caps`, `confluence_required`, `rr_expectation`, `confidence`, `current_version_id`, `created_at`, `updated_at` from `strategies`;
drop table `strategies`;
alter table `strategies__temp_alter` rename to `strategies`;
create index `strategies_is_active_index` on `strategies` (`is_active`);
create index `strategies_current_version_id_index` on `strategies` (`current_version_id`);
create unique index `strategies_name_unique` on `strategies` (`name`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `strategy_versions__temp_alter` (`id` integer not null primary key autoincrement, `strategy_id` INTEGER not null, `version_hash` TEXT not null, `config` json not null, `created_at` datetime not null, constraint `strategy_versions_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on update no action on delete cascade);
insert into `strategy_versions__temp_alter` select `id`, `strategy_id`, `version_hash`, `config`, `created_at` from `strategy_versions`;
drop table `strategy_versions`;
alter table `strategy_versions__temp_alter` rename to `strategy_versions`;
create unique index `strategy_versions_strategy_id_version_hash_unique` on `strategy_versions` (`strategy_id`, `version_hash`);
create index `strategy_versions_version_hash_index` on `strategy_versions` (`version_hash`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `ticks__temp_alter` (`id` integer not null primary key autoincrement, `asset_id` INTEGER not null, `ts` bigint not null, `trade_id` TEXT not null, `side` TEXT check (`side` in ('buy', 'sell')) null, `price` double not null, `amount` double not null, constraint `ticks_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on update no action on delete restrict);
insert into `ticks__temp_alter` select `id`, `asset_id`, `ts`, `trade_id`, `side`, `price`, `amount` from `ticks`;
drop table `ticks`;
alter table `ticks__temp_alter` rename to `ticks`;
create unique index `ticks_asset_id_trade_id_unique` on `ticks` (`asset_id`, `trade_id`);
create index `ticks_asset_id_ts_index` on `ticks` (`asset_id`, `ts`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `trade_ideas__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` INTEGER null, `signal_id` INTEGER null, `strategy_id` INTEGER null, `asset_id` INTEGER not null, `direction` TEXT check (`direction` in ('long', 'short')) not null, `entry_price` TEXT null, `entry_range_low` TEXT null, `entry_range_high` TEXT null, `stop_loss` TEXT null, `take_profit` TEXT null, `expected_hold` TEXT null, `rationale` TEXT null, `confidence` double null, `status` TEXT check (`status` in ('waiting', 'needs_approval', 'approved', 'auto_executed', 'rejected', 'halted_by_risk', 'expired')) not null default 'waiting', `snapshot_ref` TEXT null, `decided_by` TEXT null, `decided_at` datetime null, `expires_at` datetime null, `test_mode` INTEGER not null default false, `bot_version` TEXT null, `created_at` datetime not null, `updated_at` datetime not null, `quantity` TEXT null, constraint `trade_ideas_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on update no action on delete restrict, constraint `trade_ideas_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on update no action on delete restrict, constraint `trade_ideas_signal_id_foreign` foreign key (`signal_id`) references `signals` (`id`) on update no action on delete set null, constraint `trade_ideas_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on update no action on delete restrict, constraint `trade_ideas_confidence_check` check (confidence >= '0' and confidence <= '1'));
insert into `trade_ideas__temp_alter` select `id`, `portfolio_id`, `signal_id`, `strategy_id`, `asset_id`, `direction`, `entry_price`, `entry_range_low`, `entry_range_high`, `stop_loss`, `take_profit`, `expected_hold`, `rationale`, `confidence`, `status`, `snapshot_ref`, `decided_by`, `decided_at`, `expires_at`, `test_mode`, `bot_version`, `created_at`, `updated_at`, `quantity` from `trade_ideas`;
drop table `trade_ideas`;
alter table `trade_ideas__temp_alter` rename to `trade_ideas`;
create index `trade_ideas_portfolio_id_updated_at_index` on `trade_ideas` (`portfolio_id`, `updated_at`);
create index `trade_ideas_test_mode_created_at_index` on `trade_ideas` (`test_mode`, `created_at`);
create index `trade_ideas_asset_id_created_at_index` on `trade_ideas` (`asset_id`, `created_at`);
create index `trade_ideas_portfolio_id_status_index` on `trade_ideas` (`portfolio_id`, `status`);
create index `trade_ideas_status_created_at_index` on `trade_ideas` (`status`, `created_at`);
create index `trade_ideas_strategy_id_index` on `trade_ideas` (`strategy_id`);
create index `trade_ideas_signal_id_index` on `trade_ideas` (`signal_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `trades__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` INTEGER null, `strategy_id` INTEGER null, `signal_id` INTEGER null, `trade_idea_id` INTEGER null, `asset_id` INTEGER not null, `direction` TEXT check (`direction` in ('long', 'short')) not null, `entry_price` TEXT not null, `exit_price` TEXT null, `entry_time` datetime not null, `exit_time` datetime null, `quantity` TEXT not null, `stop_loss` TEXT null, `take_profit` TEXT null, `fees` TEXT not null default 0, `pnl` TEXT null, `pnl_r` TEXT null, `entry_value` TEXT null, `exit_quantity` TEXT null, `exit_value` TEXT null, `outcome` TEXT check (`outcome` in ('win', 'loss', 'breakeven', 'open')) not null default 'open', `reasoning` TEXT null, `confidence` double null, `is_backtest` INTEGER not null default false, `backtest_run_id` INTEGER null, `external_ref` TEXT null, `test_mode` INTEGER not null default false, `bot_version` TEXT null, `created_at` datetime not null, `updated_at` datetime not null, constraint `trades_backtest_run_id_foreign` foreign key (`backtest_run_id`) references `backtest_runs` (`id`) on update no action on delete cascade, constraint `trades_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on update no action on delete restrict, constraint `trades_trade_idea_id_foreign` foreign key (`trade_idea_id`) references `trade_ideas` (`id`) on update no action on delete set null, constraint `trades_signal_id_foreign` foreign key (`signal_id`) references `signals` (`id`) on update no action on delete set null, constraint `trades_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on update no action on delete restrict, constraint `trades_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on update no action on delete restrict, constraint `trades_quantity_check` check (quantity > '0'), constraint `trades_confidence_check` check (confidence >= '0' and confidence <= '1'), constraint `trades_backtest_run_check` check ((is_backtest = true and backtest_run_id is not null) or (is_backtest = false and backtest_run_id is null)), constraint `trades_portfolio_check` check (portfolio_id is not null or is_backtest = true), constraint `trades_exit_check` check ((outcome = 'open' and exit_time is null) or (outcome <> 'open' and exit_time is not null and exit_price is not null)));
insert into `trades__temp_alter` select `id`, `portfolio_id`, `strategy_id`, `signal_id`, `trade_idea_id`, `asset_id`, `direction`, `entry_price`, `exit_price`, `entry_time`, `exit_time`, `quantity`, `stop_loss`, `take_profit`, `fees`, `pnl`, `pnl_r`, `entry_value`, `exit_quantity`, `exit_value`, `outcome`, `reasoning`, `confidence`, `is_backtest`, `backtest_run_id`, `external_ref`, `test_mode`, `bot_version`, `created_at`, `updated_at` from `trades`;
drop table `trades`;
alter table `trades__temp_alter` rename to `trades`;
create index `trades_portfolio_id_updated_at_index` on `trades` (`portfolio_id`, `updated_at`);
create index `trades_outcome_index` on `trades` (`outcome`);
create index `trades_is_backtest_entry_time_index` on `trades` (`is_backtest`, `entry_time`);
create index `trades_test_mode_entry_time_index` on `trades` (`test_mode`, `entry_time`);
create index `trades_asset_id_entry_time_index` on `trades` (`asset_id`, `entry_time`);
create index `trades_strategy_id_entry_time_index` on `trades` (`strategy_id`, `entry_time`);
create index `trades_portfolio_id_entry_time_index` on `trades` (`portfolio_id`, `entry_time`);
create index `trades_backtest_run_id_index` on `trades` (`backtest_run_id`);
create index `trades_trade_idea_id_index` on `trades` (`trade_idea_id`);
create index `trades_signal_id_index` on `trades` (`signal_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `users__temp_alter` (`id` integer not null primary key autoincrement, `email` TEXT not null, `password_hash` TEXT not null, `role` TEXT check (`role` in ('admin', 'trader', 'viewer')) not null default 'viewer', `is_active` INTEGER not null default true, `created_at` datetime not null, `updated_at` datetime not null, constraint `users_email_lower_check` check (email = lower(email)));
insert into `users__temp_alter` select `id`, `email`, `password_hash`, `role`, `is_active`, `created_at`, `updated_at` from `users`;
drop table `users`;
alter table `users__temp_alter` rename to `users`;
create unique index `users_email_unique` on `users` (`email`);
pragma foreign_keys = on;
