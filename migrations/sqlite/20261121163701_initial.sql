-- tradestore migration: initial
-- Generated from the entities by `tradestore migrate create`; review before committing.

-- migrate:up
create table `assets` (`id` integer not null primary key autoincrement, `symbol` text not null, `venue` text not null, `kind` text check (`kind` in ('crypto', 'equity', 'future', 'fx', 'prediction')) not null, `base` text null, `quote` text null, `tick_size` text null, `lot_size` text null, `is_active` integer not null default true, `created_at` datetime not null, `updated_at` datetime not null);
create index `assets_kind_is_active_index` on `assets` (`kind`, `is_active`);
create unique index `assets_venue_symbol_unique` on `assets` (`venue`, `symbol`);

create table `bot_status` (`key` text not null primary key, `value` json null, `bot_version` text null, `updated_at` datetime not null);

create table `calendar_events` (`id` integer not null primary key autoincrement, `event_time` datetime not null, `currency` text not null, `impact_level` text check (`impact_level` in ('holiday', 'low', 'medium', 'high')) not null, `title` text not null, `previous` text null, `forecast` text null, `actual` text null, `captured_at` datetime not null);
create index `calendar_events_currency_event_time_index` on `calendar_events` (`currency`, `event_time`);
create index `calendar_events_event_time_index` on `calendar_events` (`event_time`);
create index `calendar_events_captured_at_index` on `calendar_events` (`captured_at`);

create table `candles` (`asset_id` integer not null, `timeframe` text check (`timeframe` in ('1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M')) not null, `ts` bigint not null, `open` double not null, `high` double not null, `low` double not null, `close` double not null, `volume` double not null, primary key (`asset_id`, `timeframe`, `ts`), constraint `candles_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict);

create table `error_logs` (`id` integer not null primary key autoincrement, `ts` datetime not null, `level` text check (`level` in ('debug', 'info', 'warning', 'error', 'critical')) not null, `source` text not null, `message` text not null, `stack` text null, `context` json null, `test_mode` integer not null default false, `bot_version` text null);
create index `error_logs_ts_index` on `error_logs` (`ts`);
create index `error_logs_level_ts_index` on `error_logs` (`level`, `ts`);
create index `error_logs_source_ts_index` on `error_logs` (`source`, `ts`);
create index `error_logs_test_mode_ts_index` on `error_logs` (`test_mode`, `ts`);

create table `indicator_snapshots` (`id` integer not null primary key autoincrement, `asset_id` integer not null, `timeframe` text check (`timeframe` in ('1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M')) not null, `ts` bigint not null, `rsi_14` double null, `sma_50` double null, `sma_200` double null, `macd` double null, `atr` double null, `others` json null, constraint `indicator_snapshots_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict);
create unique index `indicator_snapshots_asset_id_timeframe_ts_unique` on `indicator_snapshots` (`asset_id`, `timeframe`, `ts`);

create table `news_feeds` (`id` integer not null primary key autoincrement, `url` text not null, `name` text not null, `is_active` integer not null default true, `last_polled_at` datetime null, `created_at` datetime not null, `updated_at` datetime not null);
create unique index `news_feeds_url_unique` on `news_feeds` (`url`);

create table `news_items` (`id` integer not null primary key autoincrement, `feed_id` integer null, `dedup_key` text not null, `guid` text null, `headline` text not null, `summary` text null, `url` text null, `source` text null, `symbols` json null, `published_at` datetime null, `captured_at` datetime not null, constraint `news_items_feed_id_foreign` foreign key (`feed_id`) references `news_feeds` (`id`) on delete set null);
create unique index `news_items_dedup_key_unique` on `news_items` (`dedup_key`);
create index `news_items_feed_id_index` on `news_items` (`feed_id`);
create index `news_items_published_at_index` on `news_items` (`published_at`);
create index `news_items_captured_at_index` on `news_items` (`captured_at`);

create table `prediction_events` (`id` integer not null primary key autoincrement, `venue` text not null default 'polymarket', `external_id` text not null, `title` text not null, `slug` text null, `description` text null, `start_date` datetime null, `end_date` datetime null, `image_url` text null, `icon` text null, `active` integer not null default true, `closed` integer not null default false, `archived` integer not null default false, `is_new` integer not null default false, `featured` integer not null default false, `restricted` integer not null default false, `liquidity` text null, `volume` text null, `tags` json null, `is_filtered` integer not null default false, `created_at` datetime not null, `updated_at` datetime not null);
create index `prediction_events_end_date_index` on `prediction_events` (`end_date`);
create unique index `prediction_events_venue_external_id_unique` on `prediction_events` (`venue`, `external_id`);

create table `prediction_markets` (`id` integer not null primary key autoincrement, `event_id` integer null, `asset_id` integer null, `venue` text not null default 'polymarket', `external_id` text not null, `question` text not null, `description` text null, `outcomes` json null, `outcome_prices` json null, `yes_price` text null, `no_price` text null, `liquidity` text null, `volume` text null, `volume_24hr` text null, `market_conviction` double null, `end_date` datetime null, `game_start_time` datetime null, `seconds_delay` integer null, `active` integer not null default true, `closed` integer not null default false, `archived` integer not null default false, `is_new` integer not null default false, `featured` integer not null default false, `submitted_by` text null, `resolved` integer not null default false, `resolved_outcome` text null, `last_price_update` datetime null, `is_filtered` integer not null default false, `created_at` datetime not null, `updated_at` datetime not null, constraint `prediction_markets_event_id_foreign` foreign key (`event_id`) references `prediction_events` (`id`) on delete cascade, constraint `prediction_markets_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete set null);
create unique index `prediction_markets_asset_id_unique` on `prediction_markets` (`asset_id`);
create index `prediction_markets_event_id_index` on `prediction_markets` (`event_id`);
create index `prediction_markets_resolved_end_date_index` on `prediction_markets` (`resolved`, `end_date`);
create unique index `prediction_markets_venue_external_id_unique` on `prediction_markets` (`venue`, `external_id`);

create table `market_snapshots` (`id` integer not null primary key autoincrement, `market_id` integer not null, `captured_at` datetime not null, `yes_price` text null, `no_price` text null, `liquidity` text null, `volume` text null, `volume_24hr` text null, `market_conviction` double null, constraint `market_snapshots_market_id_foreign` foreign key (`market_id`) references `prediction_markets` (`id`) on delete cascade);
create index `market_snapshots_market_id_captured_at_index` on `market_snapshots` (`market_id`, `captured_at`);

create table `strategies` (`id` integer not null primary key autoincrement, `name` text not null, `description` text null, `source_type` text check (`source_type` in ('pdf', 'youtube', 'manual', 'code')) not null default 'manual', `source_ref` text null, `is_active` integer not null default true, `entry_type` text null, `allowed_symbols` json null, `session_windows` json null, `entry_conditions` json null, `exit_rules` json null, `forbidden_conditions` json null, `risk_caps` json null, `confluence_required` json null, `rr_expectation` double null, `confidence` double null, `current_version_id` integer null, `created_at` datetime not null, `updated_at` datetime not null, constraint `strategies_current_version_id_foreign` foreign key (`current_version_id`) references `strategy_versions` (`id`) on delete set null, constraint `strategies_confidence_check` check (confidence >= '0' and confidence <= '1'));
create unique index `strategies_name_unique` on `strategies` (`name`);
create index `strategies_current_version_id_index` on `strategies` (`current_version_id`);
create index `strategies_is_active_index` on `strategies` (`is_active`);

create table `strategy_versions` (`id` integer not null primary key autoincrement, `strategy_id` integer not null, `version_hash` text not null, `config` json not null, `created_at` datetime not null, constraint `strategy_versions_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on delete cascade);
create index `strategy_versions_version_hash_index` on `strategy_versions` (`version_hash`);
create unique index `strategy_versions_strategy_id_version_hash_unique` on `strategy_versions` (`strategy_id`, `version_hash`);

create table `learning_entries` (`id` integer not null primary key autoincrement, `strategy_id` integer null, `insight` text not null, `supporting_trades` json null, `confidence` double null, `impact_type` text null, `market_conditions` json null, `validation_count` integer not null default 0, `test_mode` integer not null default false, `bot_version` text null, `created_at` datetime not null, `updated_at` datetime not null, constraint `learning_entries_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on delete set null, constraint `learning_entries_confidence_check` check (confidence >= '0' and confidence <= '1'));
create index `learning_entries_strategy_id_index` on `learning_entries` (`strategy_id`);
create index `learning_entries_validation_count_confidence_index` on `learning_entries` (`validation_count`, `confidence`);

create table `ingestion_tasks` (`id` integer not null primary key autoincrement, `source_type` text check (`source_type` in ('pdf', 'youtube', 'manual', 'code')) not null, `source_ref` text not null, `status` text check (`status` in ('queued', 'running', 'done', 'failed')) not null default 'queued', `progress` double not null default 0, `error` text null, `strategy_id` integer null, `started_at` datetime null, `finished_at` datetime null, `created_at` datetime not null, `updated_at` datetime not null, constraint `ingestion_tasks_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on delete set null, constraint `ingestion_tasks_progress_check` check (progress >= '0' and progress <= '1'));
create index `ingestion_tasks_strategy_id_index` on `ingestion_tasks` (`strategy_id`);
create index `ingestion_tasks_status_created_at_index` on `ingestion_tasks` (`status`, `created_at`);

create table `backtest_runs` (`id` integer not null primary key autoincrement, `strategy_id` integer not null, `strategy_version_id` integer null, `name` text not null, `assets` json not null, `timeframe` text check (`timeframe` in ('1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M')) not null, `period_start` datetime not null, `period_end` datetime not null, `initial_balance` text not null, `fee_model` json null, `parameters` json null, `status` text check (`status` in ('queued', 'running', 'done', 'failed', 'canceled')) not null default 'queued', `error` text null, `started_at` datetime null, `finished_at` datetime null, `bot_version` text null, `created_at` datetime not null, constraint `backtest_runs_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on delete restrict, constraint `backtest_runs_strategy_version_id_foreign` foreign key (`strategy_version_id`) references `strategy_versions` (`id`) on delete restrict, constraint `backtest_runs_period_check` check (period_end > period_start));
create index `backtest_runs_strategy_version_id_index` on `backtest_runs` (`strategy_version_id`);
create index `backtest_runs_strategy_id_created_at_index` on `backtest_runs` (`strategy_id`, `created_at`);
create index `backtest_runs_status_index` on `backtest_runs` (`status`);

create table `backtest_results` (`id` integer not null primary key autoincrement, `run_id` integer not null, `total_return` double null, `cagr` double null, `sharpe` double null, `sortino` double null, `max_drawdown` text null, `win_rate` double null, `profit_factor` text null, `trade_count` integer not null default 0, `final_balance` text null, `net_profit` text null, `metrics` json null, `equity_curve` json null, `created_at` datetime not null, constraint `backtest_results_run_id_foreign` foreign key (`run_id`) references `backtest_runs` (`id`) on delete cascade, constraint `backtest_results_win_rate_check` check (win_rate >= '0' and win_rate <= '1'), constraint `backtest_results_max_drawdown_check` check (max_drawdown >= '0'));
create unique index `backtest_results_run_id_unique` on `backtest_results` (`run_id`);

create table `ticks` (`id` integer not null primary key autoincrement, `asset_id` integer not null, `ts` bigint not null, `trade_id` text not null, `side` text check (`side` in ('buy', 'sell')) null, `price` double not null, `amount` double not null, constraint `ticks_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict);
create index `ticks_asset_id_ts_index` on `ticks` (`asset_id`, `ts`);
create unique index `ticks_asset_id_trade_id_unique` on `ticks` (`asset_id`, `trade_id`);

create table `users` (`id` integer not null primary key autoincrement, `email` text not null, `password_hash` text not null, `role` text check (`role` in ('admin', 'trader', 'viewer')) not null default 'viewer', `is_active` integer not null default true, `created_at` datetime not null, `updated_at` datetime not null, constraint `users_email_lower_check` check (email = lower(email)));
create unique index `users_email_unique` on `users` (`email`);

create table `portfolios` (`id` integer not null primary key autoincrement, `owner_id` integer not null, `name` text not null, `description` text null, `base_currency` text not null default 'USD', `strategy_type` text null, `mode` text check (`mode` in ('live', 'paper', 'backtest')) not null default 'paper', `status` text check (`status` in ('active', 'paused', 'closed')) not null default 'active', `initial_balance` text not null, `cash_balance` text not null, `max_position_size` text null, `max_total_exposure` text null, `max_positions` integer null, `strategy_config` json null, `created_at` datetime not null, `updated_at` datetime not null, constraint `portfolios_owner_id_foreign` foreign key (`owner_id`) references `users` (`id`) on delete restrict);
create index `portfolios_status_strategy_type_index` on `portfolios` (`status`, `strategy_type`);
create unique index `portfolios_owner_id_name_unique` on `portfolios` (`owner_id`, `name`);

create table `strategy_performance` (`id` integer not null primary key autoincrement, `strategy_id` integer not null, `portfolio_id` integer null, `window` text not null default 'all', `is_backtest` integer not null default false, `test_mode` integer not null default false, `trade_count` integer not null default 0, `win_count` integer not null default 0, `loss_count` integer not null default 0, `win_rate` double null, `avg_rmultiple` text null, `profit_factor` text null, `expectancy` text null, `total_pnl` text null, `max_drawdown` text null, `sharpe` double null, `sortino` double null, `updated_at` datetime not null, constraint `strategy_performance_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on delete cascade, constraint `strategy_performance_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete cascade, constraint `strategy_performance_win_rate_check` check (win_rate >= '0' and win_rate <= '1'), constraint `strategy_performance_max_drawdown_check` check (max_drawdown >= '0'));
create index `strategy_performance_portfolio_id_index` on `strategy_performance` (`portfolio_id`);
create unique index "strategy_performance_scope_unique" on "strategy_performance" ("strategy_id", (coalesce("portfolio_id", 0)), "window", "is_backtest", "test_mode");

create table `signals` (`id` integer not null primary key autoincrement, `portfolio_id` integer null, `strategy_id` integer null, `strategy_version` text not null, `asset_id` integer not null, `ts` datetime not null, `price` text not null, `action` text check (`action` in ('buy', 'sell', 'hold')) not null, `confidence` double not null, `aggregation_method` text null, `components` json null, `reason` text null, `target_price` text null, `quantity` text null, `executed` integer not null default false, `executed_at` datetime null, `test_mode` integer not null default false, `bot_version` text null, constraint `signals_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete restrict, constraint `signals_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on delete restrict, constraint `signals_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict, constraint `signals_confidence_check` check (confidence >= '0' and confidence <= '1'));
create index `signals_portfolio_id_ts_index` on `signals` (`portfolio_id`, `ts`);
create index `signals_strategy_id_ts_index` on `signals` (`strategy_id`, `ts`);
create index `signals_asset_id_ts_index` on `signals` (`asset_id`, `ts`);
create index `signals_test_mode_ts_index` on `signals` (`test_mode`, `ts`);
create index `signals_portfolio_id_executed_index` on `signals` (`portfolio_id`, `executed`);

create table `trade_ideas` (`id` integer not null primary key autoincrement, `portfolio_id` integer null, `signal_id` integer null, `strategy_id` integer null, `asset_id` integer not null, `direction` text check (`direction` in ('long', 'short')) not null, `entry_price` text null, `entry_range_low` text null, `entry_range_high` text null, `stop_loss` text null, `take_profit` text null, `expected_hold` text null, `rationale` text null, `confidence` double null, `status` text check (`status` in ('waiting', 'needs_approval', 'approved', 'auto_executed', 'rejected', 'halted_by_risk', 'expired')) not null default 'waiting', `snapshot_ref` text null, `decided_by` text null, `decided_at` datetime null, `expires_at` datetime null, `test_mode` integer not null default false, `bot_version` text null, `created_at` datetime not null, `updated_at` datetime not null, constraint `trade_ideas_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete restrict, constraint `trade_ideas_signal_id_foreign` foreign key (`signal_id`) references `signals` (`id`) on delete set null, constraint `trade_ideas_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on delete restrict, constraint `trade_ideas_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict, constraint `trade_ideas_confidence_check` check (confidence >= '0' and confidence <= '1'));
create index `trade_ideas_signal_id_index` on `trade_ideas` (`signal_id`);
create index `trade_ideas_strategy_id_index` on `trade_ideas` (`strategy_id`);
create index `trade_ideas_status_created_at_index` on `trade_ideas` (`status`, `created_at`);
create index `trade_ideas_portfolio_id_status_index` on `trade_ideas` (`portfolio_id`, `status`);
create index `trade_ideas_asset_id_created_at_index` on `trade_ideas` (`asset_id`, `created_at`);
create index `trade_ideas_test_mode_created_at_index` on `trade_ideas` (`test_mode`, `created_at`);

create table `trades` (`id` integer not null primary key autoincrement, `portfolio_id` integer null, `strategy_id` integer null, `signal_id` integer null, `trade_idea_id` integer null, `asset_id` integer not null, `direction` text check (`direction` in ('long', 'short')) not null, `entry_price` text not null, `exit_price` text null, `entry_time` datetime not null, `exit_time` datetime null, `quantity` text not null, `stop_loss` text null, `take_profit` text null, `fees` text not null default 0, `pnl` text null, `pnl_r` text null, `entry_value` text null, `exit_quantity` text null, `exit_value` text null, `outcome` text check (`outcome` in ('win', 'loss', 'breakeven', 'open')) not null default 'open', `reasoning` text null, `confidence` double null, `is_backtest` integer not null default false, `backtest_run_id` integer null, `external_ref` text null, `test_mode` integer not null default false, `bot_version` text null, `created_at` datetime not null, `updated_at` datetime not null, constraint `trades_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete restrict, constraint `trades_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on delete restrict, constraint `trades_signal_id_foreign` foreign key (`signal_id`) references `signals` (`id`) on delete set null, constraint `trades_trade_idea_id_foreign` foreign key (`trade_idea_id`) references `trade_ideas` (`id`) on delete set null, constraint `trades_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict, constraint `trades_backtest_run_id_foreign` foreign key (`backtest_run_id`) references `backtest_runs` (`id`) on delete cascade, constraint `trades_quantity_check` check (quantity > '0'), constraint `trades_confidence_check` check (confidence >= '0' and confidence <= '1'), constraint `trades_backtest_run_check` check ((is_backtest = true and backtest_run_id is not null) or (is_backtest = false and backtest_run_id is null)), constraint `trades_portfolio_check` check (portfolio_id is not null or is_backtest = true), constraint `trades_exit_check` check ((outcome = 'open' and exit_time is null) or (outcome <> 'open' and exit_time is not null and exit_price is not null)));
create index `trades_signal_id_index` on `trades` (`signal_id`);
create index `trades_trade_idea_id_index` on `trades` (`trade_idea_id`);
create index `trades_backtest_run_id_index` on `trades` (`backtest_run_id`);
create index `trades_portfolio_id_entry_time_index` on `trades` (`portfolio_id`, `entry_time`);
create index `trades_strategy_id_entry_time_index` on `trades` (`strategy_id`, `entry_time`);
create index `trades_asset_id_entry_time_index` on `trades` (`asset_id`, `entry_time`);
create index `trades_test_mode_entry_time_index` on `trades` (`test_mode`, `entry_time`);
create index `trades_is_backtest_entry_time_index` on `trades` (`is_backtest`, `entry_time`);
create index `trades_outcome_index` on `trades` (`outcome`);

create table `risk_configs` (`id` integer not null primary key autoincrement, `portfolio_id` integer null, `ai_trading_enabled` integer not null default false, `min_confidence_threshold` double not null default 0.7, `max_lot_size` text null, `max_concurrent_trades` integer null, `daily_profit_target` text null, `stop_after_target` integer not null default false, `max_drawdown_amount` text null, `halt_on_drawdown` integer not null default true, `allow_off_watchlist_autotrade` integer not null default false, `last_halt_reason` text null, `last_halt_at` datetime null, `created_at` datetime not null, `updated_at` datetime not null, constraint `risk_configs_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete cascade, constraint `risk_configs_min_confidence_threshold_check` check (min_confidence_threshold >= '0' and min_confidence_threshold <= '1'));
create index `risk_configs_portfolio_id_index` on `risk_configs` (`portfolio_id`);
create unique index "risk_configs_scope_unique" on "risk_configs" ((coalesce("portfolio_id", 0)));

create table `positions` (`id` integer not null primary key autoincrement, `portfolio_id` integer not null, `asset_id` integer not null, `side` text check (`side` in ('long', 'short')) not null, `quantity` text not null, `average_entry_price` text not null, `average_exit_price` text null, `cost_basis` text not null, `realized_pnl` text not null default 0, `unrealized_pnl` text null, `mark_price` text null, `marked_at` datetime null, `opened_at` datetime not null, `closed_at` datetime null, `status` text check (`status` in ('open', 'closed')) not null default 'open', `test_mode` integer not null default false, `bot_version` text null, `created_at` datetime not null, `updated_at` datetime not null, constraint `positions_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete cascade, constraint `positions_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict, constraint `positions_quantity_check` check (quantity >= '0'), constraint `positions_closed_at_check` check ((status = 'open' and closed_at is null) or (status = 'closed' and closed_at is not null)));
create index `positions_asset_id_index` on `positions` (`asset_id`);
create index `positions_portfolio_id_status_index` on `positions` (`portfolio_id`, `status`);
create index `positions_test_mode_status_index` on `positions` (`test_mode`, `status`);
create unique index `positions_one_open_per_asset_side_unique` on `positions` (`portfolio_id`, `asset_id`, `side`, `test_mode`) where status = 'open';

create table `portfolio_snapshots` (`id` integer not null primary key autoincrement, `portfolio_id` integer not null, `taken_at` datetime not null, `cash` text not null, `equity` text not null, `invested` text not null, `realized_pnl` text not null, `unrealized_pnl` text not null, `open_positions` integer not null, `trade_count` integer not null, `test_mode` integer not null default false, `bot_version` text null, constraint `portfolio_snapshots_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete cascade);
create index `portfolio_snapshots_portfolio_id_taken_at_index` on `portfolio_snapshots` (`portfolio_id`, `taken_at`);
create index `portfolio_snapshots_test_mode_taken_at_index` on `portfolio_snapshots` (`test_mode`, `taken_at`);

create table `orders` (`id` integer not null primary key autoincrement, `portfolio_id` integer not null, `trade_idea_id` integer null, `signal_id` integer null, `asset_id` integer not null, `side` text check (`side` in ('buy', 'sell')) not null, `type` text check (`type` in ('market', 'limit', 'stop', 'stop_limit')) not null, `time_in_force` text check (`time_in_force` in ('gtc', 'ioc', 'fok', 'day')) null, `quantity` text not null, `limit_price` text null, `stop_price` text null, `status` text check (`status` in ('new', 'open', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired')) not null default 'new', `client_order_id` text not null, `exchange_order_id` text null, `reject_reason` text null, `submitted_at` datetime null, `test_mode` integer not null default false, `bot_version` text null, `created_at` datetime not null, `updated_at` datetime not null, constraint `orders_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete restrict, constraint `orders_trade_idea_id_foreign` foreign key (`trade_idea_id`) references `trade_ideas` (`id`) on delete set null, constraint `orders_signal_id_foreign` foreign key (`signal_id`) references `signals` (`id`) on delete set null, constraint `orders_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict, constraint `orders_quantity_check` check (quantity > '0'), constraint `orders_limit_price_check` check (limit_price is not null or type in ('market','stop')), constraint `orders_stop_price_check` check (stop_price is not null or type in ('market','limit')));
create index `orders_trade_idea_id_index` on `orders` (`trade_idea_id`);
create index `orders_signal_id_index` on `orders` (`signal_id`);
create unique index `orders_client_order_id_unique` on `orders` (`client_order_id`);
create index `orders_exchange_order_id_index` on `orders` (`exchange_order_id`);
create index `orders_portfolio_id_status_index` on `orders` (`portfolio_id`, `status`);
create index `orders_asset_id_created_at_index` on `orders` (`asset_id`, `created_at`);
create index `orders_test_mode_created_at_index` on `orders` (`test_mode`, `created_at`);

create table `fills` (`id` integer not null primary key autoincrement, `order_id` integer not null, `venue` text not null, `quantity` text not null, `price` text not null, `fee` text not null default 0, `fee_currency` text null, `liquidity` text check (`liquidity` in ('maker', 'taker')) null, `ts` datetime not null, `exchange_trade_id` text null, `test_mode` integer not null default false, `bot_version` text null, `created_at` datetime not null, constraint `fills_order_id_foreign` foreign key (`order_id`) references `orders` (`id`) on delete cascade, constraint `fills_quantity_check` check (quantity > '0'));
create index `fills_order_id_index` on `fills` (`order_id`);
create index `fills_ts_index` on `fills` (`ts`);
create index `fills_test_mode_ts_index` on `fills` (`test_mode`, `ts`);
create unique index `fills_venue_exchange_trade_id_unique` on `fills` (`venue`, `exchange_trade_id`);

create table `decision_history` (`id` integer not null primary key autoincrement, `occurred_at` datetime not null, `portfolio_id` integer null, `asset_id` integer null, `action` text check (`action` in ('ai_proposed', 'ai_auto_executed', 'human_approved', 'human_rejected', 'risk_rejected', 'ai_halted', 'ai_resumed')) not null, `actor` text not null, `rationale` text null, `confidence` double null, `risk_check_result` json null, `strategy_id` integer null, `trade_idea_id` integer null, `snapshot_ref` text null, `human_override` integer not null default false, `test_mode` integer not null default false, `bot_version` text null, constraint `decision_history_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete restrict, constraint `decision_history_asset_id_foreign` foreign key (`asset_id`) references `assets` (`id`) on delete restrict, constraint `decision_history_strategy_id_foreign` foreign key (`strategy_id`) references `strategies` (`id`) on delete restrict, constraint `decision_history_trade_idea_id_foreign` foreign key (`trade_idea_id`) references `trade_ideas` (`id`) on delete restrict, constraint `decision_history_confidence_check` check (confidence >= '0' and confidence <= '1'));
create index `decision_history_strategy_id_index` on `decision_history` (`strategy_id`);
create index `decision_history_trade_idea_id_index` on `decision_history` (`trade_idea_id`);
create index `decision_history_portfolio_id_occurred_at_index` on `decision_history` (`portfolio_id`, `occurred_at`);
create index `decision_history_asset_id_occurred_at_index` on `decision_history` (`asset_id`, `occurred_at`);
create index `decision_history_action_occurred_at_index` on `decision_history` (`action`, `occurred_at`);
create index `decision_history_occurred_at_index` on `decision_history` (`occurred_at`);
create index `decision_history_test_mode_occurred_at_index` on `decision_history` (`test_mode`, `occurred_at`);

create table `account_snapshots` (`id` integer not null primary key autoincrement, `portfolio_id` integer null, `account_ref` text null, `balance` text not null, `equity` text not null, `margin_used` text not null, `margin_free` text not null, `open_pl` text not null, `open_positions` integer not null, `captured_at` datetime not null, `test_mode` integer not null default false, `bot_version` text null, constraint `account_snapshots_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete cascade);
create index `account_snapshots_portfolio_id_captured_at_index` on `account_snapshots` (`portfolio_id`, `captured_at`);
create index `account_snapshots_captured_at_index` on `account_snapshots` (`captured_at`);
create index `account_snapshots_test_mode_captured_at_index` on `account_snapshots` (`test_mode`, `captured_at`);

-- migrate:down
drop table if exists `assets`;
drop table if exists `bot_status`;
drop table if exists `calendar_events`;
drop table if exists `candles`;
drop table if exists `error_logs`;
drop table if exists `indicator_snapshots`;
drop table if exists `news_feeds`;
drop table if exists `news_items`;
drop table if exists `prediction_events`;
drop table if exists `prediction_markets`;
drop table if exists `market_snapshots`;
drop table if exists `strategies`;
drop table if exists `strategy_versions`;
drop table if exists `learning_entries`;
drop table if exists `ingestion_tasks`;
drop table if exists `backtest_runs`;
drop table if exists `backtest_results`;
drop table if exists `ticks`;
drop table if exists `users`;
drop table if exists `portfolios`;
drop table if exists `strategy_performance`;
drop table if exists `signals`;
drop table if exists `trade_ideas`;
drop table if exists `trades`;
drop table if exists `risk_configs`;
drop table if exists `positions`;
drop table if exists `portfolio_snapshots`;
drop table if exists `orders`;
drop table if exists `fills`;
drop table if exists `decision_history`;
drop table if exists `account_snapshots`;
