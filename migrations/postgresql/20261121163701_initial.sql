-- tradestore migration: initial
-- Generated from the entities by `tradestore migrate create`; review before committing.

-- migrate:up
create table "assets" ("id" serial primary key, "symbol" varchar(64) not null, "venue" varchar(64) not null, "kind" text not null, "base" varchar(32) null, "quote" varchar(32) null, "tick_size" numeric(38,18) null, "lot_size" numeric(38,18) null, "is_active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null);
create index "assets_kind_is_active_index" on "assets" ("kind", "is_active");
alter table "assets" add constraint "assets_venue_symbol_unique" unique ("venue", "symbol");

create table "bot_status" ("key" varchar(128) not null, "value" jsonb null, "bot_version" varchar(64) null, "updated_at" timestamptz not null, primary key ("key"));

create table "calendar_events" ("id" serial primary key, "event_time" timestamptz not null, "currency" varchar(16) not null, "impact_level" text not null, "title" varchar(255) not null, "previous" varchar(64) null, "forecast" varchar(64) null, "actual" varchar(64) null, "captured_at" timestamptz not null);
create index "calendar_events_currency_event_time_index" on "calendar_events" ("currency", "event_time");
create index "calendar_events_event_time_index" on "calendar_events" ("event_time");
create index "calendar_events_captured_at_index" on "calendar_events" ("captured_at");

create table "candles" ("asset_id" int not null, "timeframe" text not null, "ts" bigint not null, "open" double precision not null, "high" double precision not null, "low" double precision not null, "close" double precision not null, "volume" double precision not null, primary key ("asset_id", "timeframe", "ts"));

create table "error_logs" ("id" serial primary key, "ts" timestamptz not null, "level" text not null, "source" varchar(128) not null, "message" text not null, "stack" text null, "context" jsonb null, "test_mode" boolean not null default false, "bot_version" varchar(64) null);
create index "error_logs_ts_index" on "error_logs" ("ts");
create index "error_logs_level_ts_index" on "error_logs" ("level", "ts");
create index "error_logs_source_ts_index" on "error_logs" ("source", "ts");
create index "error_logs_test_mode_ts_index" on "error_logs" ("test_mode", "ts");

create table "indicator_snapshots" ("id" bigserial primary key, "asset_id" int not null, "timeframe" text not null, "ts" bigint not null, "rsi_14" double precision null, "sma_50" double precision null, "sma_200" double precision null, "macd" double precision null, "atr" double precision null, "others" jsonb null);
alter table "indicator_snapshots" add constraint "indicator_snapshots_asset_id_timeframe_ts_unique" unique ("asset_id", "timeframe", "ts");

create table "news_feeds" ("id" serial primary key, "url" varchar(2048) not null, "name" varchar(255) not null, "is_active" boolean not null default true, "last_polled_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null);
alter table "news_feeds" add constraint "news_feeds_url_unique" unique ("url");

create table "news_items" ("id" serial primary key, "feed_id" int null, "dedup_key" varchar(255) not null, "guid" varchar(1024) null, "headline" text not null, "summary" text null, "url" varchar(2048) null, "source" varchar(255) null, "symbols" jsonb null, "published_at" timestamptz null, "captured_at" timestamptz not null);
alter table "news_items" add constraint "news_items_dedup_key_unique" unique ("dedup_key");
create index "news_items_feed_id_index" on "news_items" ("feed_id");
create index "news_items_published_at_index" on "news_items" ("published_at");
create index "news_items_captured_at_index" on "news_items" ("captured_at");

create table "prediction_events" ("id" serial primary key, "venue" varchar(64) not null default 'polymarket', "external_id" varchar(255) not null, "title" text not null, "slug" varchar(255) null, "description" text null, "start_date" timestamptz null, "end_date" timestamptz null, "image_url" text null, "icon" text null, "active" boolean not null default true, "closed" boolean not null default false, "archived" boolean not null default false, "is_new" boolean not null default false, "featured" boolean not null default false, "restricted" boolean not null default false, "liquidity" numeric(38,18) null, "volume" numeric(38,18) null, "tags" jsonb null, "is_filtered" boolean not null default false, "created_at" timestamptz not null, "updated_at" timestamptz not null);
create index "prediction_events_end_date_index" on "prediction_events" ("end_date");
alter table "prediction_events" add constraint "prediction_events_venue_external_id_unique" unique ("venue", "external_id");

create table "prediction_markets" ("id" serial primary key, "event_id" int null, "asset_id" int null, "venue" varchar(64) not null default 'polymarket', "external_id" varchar(255) not null, "question" text not null, "description" text null, "outcomes" jsonb null, "outcome_prices" jsonb null, "yes_price" numeric(38,18) null, "no_price" numeric(38,18) null, "liquidity" numeric(38,18) null, "volume" numeric(38,18) null, "volume_24hr" numeric(38,18) null, "market_conviction" double precision null, "end_date" timestamptz null, "game_start_time" timestamptz null, "seconds_delay" int null, "active" boolean not null default true, "closed" boolean not null default false, "archived" boolean not null default false, "is_new" boolean not null default false, "featured" boolean not null default false, "submitted_by" varchar(255) null, "resolved" boolean not null default false, "resolved_outcome" varchar(255) null, "last_price_update" timestamptz null, "is_filtered" boolean not null default false, "created_at" timestamptz not null, "updated_at" timestamptz not null);
alter table "prediction_markets" add constraint "prediction_markets_asset_id_unique" unique ("asset_id");
create index "prediction_markets_event_id_index" on "prediction_markets" ("event_id");
create index "prediction_markets_resolved_end_date_index" on "prediction_markets" ("resolved", "end_date");
alter table "prediction_markets" add constraint "prediction_markets_venue_external_id_unique" unique ("venue", "external_id");

create table "market_snapshots" ("id" bigserial primary key, "market_id" int not null, "captured_at" timestamptz not null, "yes_price" numeric(38,18) null, "no_price" numeric(38,18) null, "liquidity" numeric(38,18) null, "volume" numeric(38,18) null, "volume_24hr" numeric(38,18) null, "market_conviction" double precision null);
create index "market_snapshots_market_id_captured_at_index" on "market_snapshots" ("market_id", "captured_at");

create table "strategies" ("id" serial primary key, "name" varchar(255) not null, "description" text null, "source_type" text not null default 'manual', "source_ref" text null, "is_active" boolean not null default true, "entry_type" varchar(100) null, "allowed_symbols" jsonb null, "session_windows" jsonb null, "entry_conditions" jsonb null, "exit_rules" jsonb null, "forbidden_conditions" jsonb null, "risk_caps" jsonb null, "confluence_required" jsonb null, "rr_expectation" double precision null, "confidence" double precision null, "current_version_id" int null, "created_at" timestamptz not null, "updated_at" timestamptz not null);
alter table "strategies" add constraint "strategies_name_unique" unique ("name");
create index "strategies_current_version_id_index" on "strategies" ("current_version_id");
create index "strategies_is_active_index" on "strategies" ("is_active");

create table "strategy_versions" ("id" serial primary key, "strategy_id" int not null, "version_hash" varchar(64) not null, "config" jsonb not null, "created_at" timestamptz not null);
create index "strategy_versions_version_hash_index" on "strategy_versions" ("version_hash");
alter table "strategy_versions" add constraint "strategy_versions_strategy_id_version_hash_unique" unique ("strategy_id", "version_hash");

create table "learning_entries" ("id" serial primary key, "strategy_id" int null, "insight" text not null, "supporting_trades" jsonb null, "confidence" double precision null, "impact_type" varchar(64) null, "market_conditions" jsonb null, "validation_count" int not null default 0, "test_mode" boolean not null default false, "bot_version" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null);
create index "learning_entries_strategy_id_index" on "learning_entries" ("strategy_id");
create index "learning_entries_validation_count_confidence_index" on "learning_entries" ("validation_count", "confidence");

create table "ingestion_tasks" ("id" serial primary key, "source_type" text not null, "source_ref" text not null, "status" text not null default 'queued', "progress" double precision not null default 0, "error" text null, "strategy_id" int null, "started_at" timestamptz null, "finished_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null);
create index "ingestion_tasks_strategy_id_index" on "ingestion_tasks" ("strategy_id");
create index "ingestion_tasks_status_created_at_index" on "ingestion_tasks" ("status", "created_at");

create table "backtest_runs" ("id" serial primary key, "strategy_id" int not null, "strategy_version_id" int null, "name" varchar(255) not null, "assets" jsonb not null, "timeframe" text not null, "period_start" timestamptz not null, "period_end" timestamptz not null, "initial_balance" numeric(56,36) not null, "fee_model" jsonb null, "parameters" jsonb null, "status" text not null default 'queued', "error" text null, "started_at" timestamptz null, "finished_at" timestamptz null, "bot_version" varchar(64) null, "created_at" timestamptz not null);
create index "backtest_runs_strategy_version_id_index" on "backtest_runs" ("strategy_version_id");
create index "backtest_runs_strategy_id_created_at_index" on "backtest_runs" ("strategy_id", "created_at");
create index "backtest_runs_status_index" on "backtest_runs" ("status");

create table "backtest_results" ("id" serial primary key, "run_id" int not null, "total_return" double precision null, "cagr" double precision null, "sharpe" double precision null, "sortino" double precision null, "max_drawdown" numeric(56,36) null, "win_rate" double precision null, "profit_factor" numeric(38,18) null, "trade_count" int not null default 0, "final_balance" numeric(56,36) null, "net_profit" numeric(56,36) null, "metrics" jsonb null, "equity_curve" jsonb null, "created_at" timestamptz not null);
alter table "backtest_results" add constraint "backtest_results_run_id_unique" unique ("run_id");

create table "ticks" ("id" bigserial primary key, "asset_id" int not null, "ts" bigint not null, "trade_id" varchar(128) not null, "side" text null, "price" double precision not null, "amount" double precision not null);
create index "ticks_asset_id_ts_index" on "ticks" ("asset_id", "ts");
alter table "ticks" add constraint "ticks_asset_id_trade_id_unique" unique ("asset_id", "trade_id");

create table "users" ("id" serial primary key, "email" varchar(320) not null, "password_hash" varchar(255) not null, "role" text not null default 'viewer', "is_active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null);
alter table "users" add constraint "users_email_unique" unique ("email");

create table "portfolios" ("id" serial primary key, "owner_id" int not null, "name" varchar(255) not null, "description" text null, "base_currency" varchar(16) not null default 'USD', "strategy_type" varchar(100) null, "mode" text not null default 'paper', "status" text not null default 'active', "initial_balance" numeric(56,36) not null, "cash_balance" numeric(56,36) not null, "max_position_size" numeric(56,36) null, "max_total_exposure" numeric(56,36) null, "max_positions" int null, "strategy_config" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null);
create index "portfolios_status_strategy_type_index" on "portfolios" ("status", "strategy_type");
alter table "portfolios" add constraint "portfolios_owner_id_name_unique" unique ("owner_id", "name");

create table "strategy_performance" ("id" serial primary key, "strategy_id" int not null, "portfolio_id" int null, "window" varchar(16) not null default 'all', "is_backtest" boolean not null default false, "test_mode" boolean not null default false, "trade_count" int not null default 0, "win_count" int not null default 0, "loss_count" int not null default 0, "win_rate" double precision null, "avg_rmultiple" numeric(38,18) null, "profit_factor" numeric(38,18) null, "expectancy" numeric(56,36) null, "total_pnl" numeric(56,36) null, "max_drawdown" numeric(56,36) null, "sharpe" double precision null, "sortino" double precision null, "updated_at" timestamptz not null);
create index "strategy_performance_portfolio_id_index" on "strategy_performance" ("portfolio_id");
create unique index "strategy_performance_scope_unique" on "strategy_performance" ("strategy_id", (coalesce("portfolio_id", 0)), "window", "is_backtest", "test_mode");

create table "signals" ("id" serial primary key, "portfolio_id" int null, "strategy_id" int null, "strategy_version" varchar(64) not null, "asset_id" int not null, "ts" timestamptz not null, "price" numeric(38,18) not null, "action" text not null, "confidence" double precision not null, "aggregation_method" varchar(64) null, "components" jsonb null, "reason" text null, "target_price" numeric(38,18) null, "quantity" numeric(38,18) null, "executed" boolean not null default false, "executed_at" timestamptz null, "test_mode" boolean not null default false, "bot_version" varchar(64) null);
create index "signals_portfolio_id_ts_index" on "signals" ("portfolio_id", "ts");
create index "signals_strategy_id_ts_index" on "signals" ("strategy_id", "ts");
create index "signals_asset_id_ts_index" on "signals" ("asset_id", "ts");
create index "signals_test_mode_ts_index" on "signals" ("test_mode", "ts");
create index "signals_portfolio_id_executed_index" on "signals" ("portfolio_id", "executed");

create table "trade_ideas" ("id" serial primary key, "portfolio_id" int null, "signal_id" int null, "strategy_id" int null, "asset_id" int not null, "direction" text not null, "entry_price" numeric(38,18) null, "entry_range_low" numeric(38,18) null, "entry_range_high" numeric(38,18) null, "stop_loss" numeric(38,18) null, "take_profit" numeric(38,18) null, "expected_hold" varchar(32) null, "rationale" text null, "confidence" double precision null, "status" text not null default 'waiting', "snapshot_ref" varchar(255) null, "decided_by" varchar(320) null, "decided_at" timestamptz null, "expires_at" timestamptz null, "test_mode" boolean not null default false, "bot_version" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null);
create index "trade_ideas_signal_id_index" on "trade_ideas" ("signal_id");
create index "trade_ideas_strategy_id_index" on "trade_ideas" ("strategy_id");
create index "trade_ideas_status_created_at_index" on "trade_ideas" ("status", "created_at");
create index "trade_ideas_portfolio_id_status_index" on "trade_ideas" ("portfolio_id", "status");
create index "trade_ideas_asset_id_created_at_index" on "trade_ideas" ("asset_id", "created_at");
create index "trade_ideas_test_mode_created_at_index" on "trade_ideas" ("test_mode", "created_at");

create table "trades" ("id" serial primary key, "portfolio_id" int null, "strategy_id" int null, "signal_id" int null, "trade_idea_id" int null, "asset_id" int not null, "direction" text not null, "entry_price" numeric(38,18) not null, "exit_price" numeric(38,18) null, "entry_time" timestamptz not null, "exit_time" timestamptz null, "quantity" numeric(38,18) not null, "stop_loss" numeric(38,18) null, "take_profit" numeric(38,18) null, "fees" numeric(56,36) not null default 0, "pnl" numeric(56,36) null, "pnl_r" numeric(38,18) null, "entry_value" numeric(56,36) null, "exit_quantity" numeric(38,18) null, "exit_value" numeric(56,36) null, "outcome" text not null default 'open', "reasoning" text null, "confidence" double precision null, "is_backtest" boolean not null default false, "backtest_run_id" int null, "external_ref" varchar(255) null, "test_mode" boolean not null default false, "bot_version" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null);
create index "trades_signal_id_index" on "trades" ("signal_id");
create index "trades_trade_idea_id_index" on "trades" ("trade_idea_id");
create index "trades_backtest_run_id_index" on "trades" ("backtest_run_id");
create index "trades_portfolio_id_entry_time_index" on "trades" ("portfolio_id", "entry_time");
create index "trades_strategy_id_entry_time_index" on "trades" ("strategy_id", "entry_time");
create index "trades_asset_id_entry_time_index" on "trades" ("asset_id", "entry_time");
create index "trades_test_mode_entry_time_index" on "trades" ("test_mode", "entry_time");
create index "trades_is_backtest_entry_time_index" on "trades" ("is_backtest", "entry_time");
create index "trades_outcome_index" on "trades" ("outcome");

create table "risk_configs" ("id" serial primary key, "portfolio_id" int null, "ai_trading_enabled" boolean not null default false, "min_confidence_threshold" double precision not null default 0.7, "max_lot_size" numeric(38,18) null, "max_concurrent_trades" int null, "daily_profit_target" numeric(56,36) null, "stop_after_target" boolean not null default false, "max_drawdown_amount" numeric(56,36) null, "halt_on_drawdown" boolean not null default true, "allow_off_watchlist_autotrade" boolean not null default false, "last_halt_reason" text null, "last_halt_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null);
create index "risk_configs_portfolio_id_index" on "risk_configs" ("portfolio_id");
create unique index "risk_configs_scope_unique" on "risk_configs" ((coalesce("portfolio_id", 0)));

create table "positions" ("id" serial primary key, "portfolio_id" int not null, "asset_id" int not null, "side" text not null, "quantity" numeric(38,18) not null, "average_entry_price" numeric(38,18) not null, "average_exit_price" numeric(38,18) null, "cost_basis" numeric(56,36) not null, "realized_pnl" numeric(56,36) not null default 0, "unrealized_pnl" numeric(56,36) null, "mark_price" numeric(38,18) null, "marked_at" timestamptz null, "opened_at" timestamptz not null, "closed_at" timestamptz null, "status" text not null default 'open', "test_mode" boolean not null default false, "bot_version" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null);
create index "positions_asset_id_index" on "positions" ("asset_id");
create index "positions_portfolio_id_status_index" on "positions" ("portfolio_id", "status");
create index "positions_test_mode_status_index" on "positions" ("test_mode", "status");
create unique index "positions_one_open_per_asset_side_unique" on "positions" ("portfolio_id", "asset_id", "side", "test_mode") where status = 'open';

create table "portfolio_snapshots" ("id" serial primary key, "portfolio_id" int not null, "taken_at" timestamptz not null, "cash" numeric(56,36) not null, "equity" numeric(56,36) not null, "invested" numeric(56,36) not null, "realized_pnl" numeric(56,36) not null, "unrealized_pnl" numeric(56,36) not null, "open_positions" int not null, "trade_count" int not null, "test_mode" boolean not null default false, "bot_version" varchar(64) null);
create index "portfolio_snapshots_portfolio_id_taken_at_index" on "portfolio_snapshots" ("portfolio_id", "taken_at");
create index "portfolio_snapshots_test_mode_taken_at_index" on "portfolio_snapshots" ("test_mode", "taken_at");

create table "orders" ("id" serial primary key, "portfolio_id" int not null, "trade_idea_id" int null, "signal_id" int null, "asset_id" int not null, "side" text not null, "type" text not null, "time_in_force" text null, "quantity" numeric(38,18) not null, "limit_price" numeric(38,18) null, "stop_price" numeric(38,18) null, "status" text not null default 'new', "client_order_id" varchar(64) not null, "exchange_order_id" varchar(128) null, "reject_reason" text null, "submitted_at" timestamptz null, "test_mode" boolean not null default false, "bot_version" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null);
create index "orders_trade_idea_id_index" on "orders" ("trade_idea_id");
create index "orders_signal_id_index" on "orders" ("signal_id");
alter table "orders" add constraint "orders_client_order_id_unique" unique ("client_order_id");
create index "orders_exchange_order_id_index" on "orders" ("exchange_order_id");
create index "orders_portfolio_id_status_index" on "orders" ("portfolio_id", "status");
create index "orders_asset_id_created_at_index" on "orders" ("asset_id", "created_at");
create index "orders_test_mode_created_at_index" on "orders" ("test_mode", "created_at");

create table "fills" ("id" serial primary key, "order_id" int not null, "venue" varchar(64) not null, "quantity" numeric(38,18) not null, "price" numeric(38,18) not null, "fee" numeric(56,36) not null default 0, "fee_currency" varchar(16) null, "liquidity" text null, "ts" timestamptz not null, "exchange_trade_id" varchar(128) null, "test_mode" boolean not null default false, "bot_version" varchar(64) null, "created_at" timestamptz not null);
create index "fills_order_id_index" on "fills" ("order_id");
create index "fills_ts_index" on "fills" ("ts");
create index "fills_test_mode_ts_index" on "fills" ("test_mode", "ts");
alter table "fills" add constraint "fills_venue_exchange_trade_id_unique" unique ("venue", "exchange_trade_id");

create table "decision_history" ("id" serial primary key, "occurred_at" timestamptz not null, "portfolio_id" int null, "asset_id" int null, "action" text not null, "actor" varchar(320) not null, "rationale" text null, "confidence" double precision null, "risk_check_result" jsonb null, "strategy_id" int null, "trade_idea_id" int null, "snapshot_ref" varchar(255) null, "human_override" boolean not null default false, "test_mode" boolean not null default false, "bot_version" varchar(64) null);
create index "decision_history_strategy_id_index" on "decision_history" ("strategy_id");
create index "decision_history_trade_idea_id_index" on "decision_history" ("trade_idea_id");
create index "decision_history_portfolio_id_occurred_at_index" on "decision_history" ("portfolio_id", "occurred_at");
create index "decision_history_asset_id_occurred_at_index" on "decision_history" ("asset_id", "occurred_at");
create index "decision_history_action_occurred_at_index" on "decision_history" ("action", "occurred_at");
create index "decision_history_occurred_at_index" on "decision_history" ("occurred_at");
create index "decision_history_test_mode_occurred_at_index" on "decision_history" ("test_mode", "occurred_at");

create table "account_snapshots" ("id" serial primary key, "portfolio_id" int null, "account_ref" varchar(128) null, "balance" numeric(56,36) not null, "equity" numeric(56,36) not null, "margin_used" numeric(56,36) not null, "margin_free" numeric(56,36) not null, "open_pl" numeric(56,36) not null, "open_positions" int not null, "captured_at" timestamptz not null, "test_mode" boolean not null default false, "bot_version" varchar(64) null);
create index "account_snapshots_portfolio_id_captured_at_index" on "account_snapshots" ("portfolio_id", "captured_at");
create index "account_snapshots_captured_at_index" on "account_snapshots" ("captured_at");
create index "account_snapshots_test_mode_captured_at_index" on "account_snapshots" ("test_mode", "captured_at");

alter table "assets" add constraint "assets_kind_check" check ("kind" in ('crypto', 'equity', 'future', 'fx', 'prediction'));

alter table "calendar_events" add constraint "calendar_events_impact_level_check" check ("impact_level" in ('holiday', 'low', 'medium', 'high'));

alter table "candles" add constraint "candles_asset_id_foreign" foreign key ("asset_id") references "assets" ("id") on delete restrict;
alter table "candles" add constraint "candles_timeframe_check" check ("timeframe" in ('1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M'));

alter table "error_logs" add constraint "error_logs_level_check" check ("level" in ('debug', 'info', 'warning', 'error', 'critical'));

alter table "indicator_snapshots" add constraint "indicator_snapshots_asset_id_foreign" foreign key ("asset_id") references "assets" ("id") on delete restrict;
alter table "indicator_snapshots" add constraint "indicator_snapshots_timeframe_check" check ("timeframe" in ('1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M'));

alter table "news_items" add constraint "news_items_feed_id_foreign" foreign key ("feed_id") references "news_feeds" ("id") on delete set null;

alter table "prediction_markets" add constraint "prediction_markets_event_id_foreign" foreign key ("event_id") references "prediction_events" ("id") on delete cascade;
alter table "prediction_markets" add constraint "prediction_markets_asset_id_foreign" foreign key ("asset_id") references "assets" ("id") on delete set null;

alter table "market_snapshots" add constraint "market_snapshots_market_id_foreign" foreign key ("market_id") references "prediction_markets" ("id") on delete cascade;

alter table "strategies" add constraint "strategies_current_version_id_foreign" foreign key ("current_version_id") references "strategy_versions" ("id") on delete set null;
alter table "strategies" add constraint "strategies_confidence_check" check (confidence >= '0' and confidence <= '1');
alter table "strategies" add constraint "strategies_source_type_check" check ("source_type" in ('pdf', 'youtube', 'manual', 'code'));

alter table "strategy_versions" add constraint "strategy_versions_strategy_id_foreign" foreign key ("strategy_id") references "strategies" ("id") on delete cascade;

alter table "learning_entries" add constraint "learning_entries_strategy_id_foreign" foreign key ("strategy_id") references "strategies" ("id") on delete set null;
alter table "learning_entries" add constraint "learning_entries_confidence_check" check (confidence >= '0' and confidence <= '1');

alter table "ingestion_tasks" add constraint "ingestion_tasks_strategy_id_foreign" foreign key ("strategy_id") references "strategies" ("id") on delete set null;
alter table "ingestion_tasks" add constraint "ingestion_tasks_progress_check" check (progress >= '0' and progress <= '1');
alter table "ingestion_tasks" add constraint "ingestion_tasks_source_type_check" check ("source_type" in ('pdf', 'youtube', 'manual', 'code'));
alter table "ingestion_tasks" add constraint "ingestion_tasks_status_check" check ("status" in ('queued', 'running', 'done', 'failed'));

alter table "backtest_runs" add constraint "backtest_runs_strategy_id_foreign" foreign key ("strategy_id") references "strategies" ("id") on delete restrict;
alter table "backtest_runs" add constraint "backtest_runs_strategy_version_id_foreign" foreign key ("strategy_version_id") references "strategy_versions" ("id") on delete restrict;
alter table "backtest_runs" add constraint "backtest_runs_period_check" check (period_end > period_start);
alter table "backtest_runs" add constraint "backtest_runs_timeframe_check" check ("timeframe" in ('1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M'));
alter table "backtest_runs" add constraint "backtest_runs_status_check" check ("status" in ('queued', 'running', 'done', 'failed', 'canceled'));

alter table "backtest_results" add constraint "backtest_results_run_id_foreign" foreign key ("run_id") references "backtest_runs" ("id") on delete cascade;
alter table "backtest_results" add constraint "backtest_results_win_rate_check" check (win_rate >= '0' and win_rate <= '1');
alter table "backtest_results" add constraint "backtest_results_max_drawdown_check" check (max_drawdown >= '0');

alter table "ticks" add constraint "ticks_asset_id_foreign" foreign key ("asset_id") references "assets" ("id") on delete restrict;
alter table "ticks" add constraint "ticks_side_check" check ("side" in ('buy', 'sell'));

alter table "users" add constraint "users_email_lower_check" check (email = lower(email));
alter table "users" add constraint "users_role_check" check ("role" in ('admin', 'trader', 'viewer'));

alter table "portfolios" add constraint "portfolios_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on delete restrict;
alter table "portfolios" add constraint "portfolios_mode_check" check ("mode" in ('live', 'paper', 'backtest'));
alter table "portfolios" add constraint "portfolios_status_check" check ("status" in ('active', 'paused', 'closed'));

alter table "strategy_performance" add constraint "strategy_performance_strategy_id_foreign" foreign key ("strategy_id") references "strategies" ("id") on delete cascade;
alter table "strategy_performance" add constraint "strategy_performance_portfolio_id_foreign" foreign key ("portfolio_id") references "portfolios" ("id") on delete cascade;
alter table "strategy_performance" add constraint "strategy_performance_win_rate_check" check (win_rate >= '0' and win_rate <= '1');
alter table "strategy_performance" add constraint "strategy_performance_max_drawdown_check" check (max_drawdown >= '0');

alter table "signals" add constraint "signals_portfolio_id_foreign" foreign key ("portfolio_id") references "portfolios" ("id") on delete restrict;
alter table "signals" add constraint "signals_strategy_id_foreign" foreign key ("strategy_id") references "strategies" ("id") on delete restrict;
alter table "signals" add constraint "signals_asset_id_foreign" foreign key ("asset_id") references "assets" ("id") on delete restrict;
alter table "signals" add constraint "signals_confidence_check" check (confidence >= '0' and confidence <= '1');
alter table "signals" add constraint "signals_action_check" check ("action" in ('buy', 'sell', 'hold'));

alter table "trade_ideas" add constraint "trade_ideas_portfolio_id_foreign" foreign key ("portfolio_id") references "portfolios" ("id") on delete restrict;
alter table "trade_ideas" add constraint "trade_ideas_signal_id_foreign" foreign key ("signal_id") references "signals" ("id") on delete set null;
alter table "trade_ideas" add constraint "trade_ideas_strategy_id_foreign" foreign key ("strategy_id") references "strategies" ("id") on delete restrict;
alter table "trade_ideas" add constraint "trade_ideas_asset_id_foreign" foreign key ("asset_id") references "assets" ("id") on delete restrict;
alter table "trade_ideas" add constraint "trade_ideas_confidence_check" check (confidence >= '0' and confidence <= '1');
alter table "trade_ideas" add constraint "trade_ideas_direction_check" check ("direction" in ('long', 'short'));
alter table "trade_ideas" add constraint "trade_ideas_status_check" check ("status" in ('waiting', 'needs_approval', 'approved', 'auto_executed', 'rejected', 'halted_by_risk', 'expired'));

alter table "trades" add constraint "trades_portfolio_id_foreign" foreign key ("portfolio_id") references "portfolios" ("id") on delete restrict;
alter table "trades" add constraint "trades_strategy_id_foreign" foreign key ("strategy_id") references "strategies" ("id") on delete restrict;
alter table "trades" add constraint "trades_signal_id_foreign" foreign key ("signal_id") references "signals" ("id") on delete set null;
alter table "trades" add constraint "trades_trade_idea_id_foreign" foreign key ("trade_idea_id") references "trade_ideas" ("id") on delete set null;
alter table "trades" add constraint "trades_asset_id_foreign" foreign key ("asset_id") references "assets" ("id") on delete restrict;
alter table "trades" add constraint "trades_backtest_run_id_foreign" foreign key ("backtest_run_id") references "backtest_runs" ("id") on delete cascade;
alter table "trades" add constraint "trades_quantity_check" check (quantity > '0');
alter table "trades" add constraint "trades_confidence_check" check (confidence >= '0' and confidence <= '1');
alter table "trades" add constraint "trades_backtest_run_check" check ((is_backtest = true and backtest_run_id is not null) or (is_backtest = false and backtest_run_id is null));
alter table "trades" add constraint "trades_portfolio_check" check (portfolio_id is not null or is_backtest = true);
alter table "trades" add constraint "trades_exit_check" check ((outcome = 'open' and exit_time is null) or (outcome <> 'open' and exit_time is not null and exit_price is not null));
alter table "trades" add constraint "trades_direction_check" check ("direction" in ('long', 'short'));
alter table "trades" add constraint "trades_outcome_check" check ("outcome" in ('win', 'loss', 'breakeven', 'open'));

alter table "risk_configs" add constraint "risk_configs_portfolio_id_foreign" foreign key ("portfolio_id") references "portfolios" ("id") on delete cascade;
alter table "risk_configs" add constraint "risk_configs_min_confidence_threshold_check" check (min_confidence_threshold >= '0' and min_confidence_threshold <= '1');

alter table "positions" add constraint "positions_portfolio_id_foreign" foreign key ("portfolio_id") references "portfolios" ("id") on delete cascade;
alter table "positions" add constraint "positions_asset_id_foreign" foreign key ("asset_id") references "assets" ("id") on delete restrict;
alter table "positions" add constraint "positions_quantity_check" check (quantity >= '0');
alter table "positions" add constraint "positions_closed_at_check" check ((status = 'open' and closed_at is null) or (status = 'closed' and closed_at is not null));
alter table "positions" add constraint "positions_side_check" check ("side" in ('long', 'short'));
alter table "positions" add constraint "positions_status_check" check ("status" in ('open', 'closed'));

alter table "portfolio_snapshots" add constraint "portfolio_snapshots_portfolio_id_foreign" foreign key ("portfolio_id") references "portfolios" ("id") on delete cascade;

alter table "orders" add constraint "orders_portfolio_id_foreign" foreign key ("portfolio_id") references "portfolios" ("id") on delete restrict;
alter table "orders" add constraint "orders_trade_idea_id_foreign" foreign key ("trade_idea_id") references "trade_ideas" ("id") on delete set null;
alter table "orders" add constraint "orders_signal_id_foreign" foreign key ("signal_id") references "signals" ("id") on delete set null;
alter table "orders" add constraint "orders_asset_id_foreign" foreign key ("asset_id") references "assets" ("id") on delete restrict;
alter table "orders" add constraint "orders_quantity_check" check (quantity > '0');
alter table "orders" add constraint "orders_limit_price_check" check (limit_price is not null or type in ('market','stop'));
alter table "orders" add constraint "orders_stop_price_check" check (stop_price is not null or type in ('market','limit'));
alter table "orders" add constraint "orders_side_check" check ("side" in ('buy', 'sell'));
alter table "orders" add constraint "orders_type_check" check ("type" in ('market', 'limit', 'stop', 'stop_limit'));
alter table "orders" add constraint "orders_time_in_force_check" check ("time_in_force" in ('gtc', 'ioc', 'fok', 'day'));
alter table "orders" add constraint "orders_status_check" check ("status" in ('new', 'open', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired'));

alter table "fills" add constraint "fills_order_id_foreign" foreign key ("order_id") references "orders" ("id") on delete cascade;
alter table "fills" add constraint "fills_quantity_check" check (quantity > '0');
alter table "fills" add constraint "fills_liquidity_check" check ("liquidity" in ('maker', 'taker'));

alter table "decision_history" add constraint "decision_history_portfolio_id_foreign" foreign key ("portfolio_id") references "portfolios" ("id") on delete restrict;
alter table "decision_history" add constraint "decision_history_asset_id_foreign" foreign key ("asset_id") references "assets" ("id") on delete restrict;
alter table "decision_history" add constraint "decision_history_strategy_id_foreign" foreign key ("strategy_id") references "strategies" ("id") on delete restrict;
alter table "decision_history" add constraint "decision_history_trade_idea_id_foreign" foreign key ("trade_idea_id") references "trade_ideas" ("id") on delete restrict;
alter table "decision_history" add constraint "decision_history_confidence_check" check (confidence >= '0' and confidence <= '1');
alter table "decision_history" add constraint "decision_history_action_check" check ("action" in ('ai_proposed', 'ai_auto_executed', 'human_approved', 'human_rejected', 'risk_rejected', 'ai_halted', 'ai_resumed'));

alter table "account_snapshots" add constraint "account_snapshots_portfolio_id_foreign" foreign key ("portfolio_id") references "portfolios" ("id") on delete cascade;

-- migrate:down
alter table "candles" drop constraint "candles_asset_id_foreign";
alter table "indicator_snapshots" drop constraint "indicator_snapshots_asset_id_foreign";
alter table "prediction_markets" drop constraint "prediction_markets_asset_id_foreign";
alter table "ticks" drop constraint "ticks_asset_id_foreign";
alter table "signals" drop constraint "signals_asset_id_foreign";
alter table "trade_ideas" drop constraint "trade_ideas_asset_id_foreign";
alter table "trades" drop constraint "trades_asset_id_foreign";
alter table "positions" drop constraint "positions_asset_id_foreign";
alter table "orders" drop constraint "orders_asset_id_foreign";
alter table "decision_history" drop constraint "decision_history_asset_id_foreign";
alter table "news_items" drop constraint "news_items_feed_id_foreign";
alter table "prediction_markets" drop constraint "prediction_markets_event_id_foreign";
alter table "market_snapshots" drop constraint "market_snapshots_market_id_foreign";
alter table "strategy_versions" drop constraint "strategy_versions_strategy_id_foreign";
alter table "learning_entries" drop constraint "learning_entries_strategy_id_foreign";
alter table "ingestion_tasks" drop constraint "ingestion_tasks_strategy_id_foreign";
alter table "backtest_runs" drop constraint "backtest_runs_strategy_id_foreign";
alter table "strategy_performance" drop constraint "strategy_performance_strategy_id_foreign";
alter table "signals" drop constraint "signals_strategy_id_foreign";
alter table "trade_ideas" drop constraint "trade_ideas_strategy_id_foreign";
alter table "trades" drop constraint "trades_strategy_id_foreign";
alter table "decision_history" drop constraint "decision_history_strategy_id_foreign";
alter table "strategies" drop constraint "strategies_current_version_id_foreign";
alter table "backtest_runs" drop constraint "backtest_runs_strategy_version_id_foreign";
alter table "backtest_results" drop constraint "backtest_results_run_id_foreign";
alter table "trades" drop constraint "trades_backtest_run_id_foreign";
alter table "portfolios" drop constraint "portfolios_owner_id_foreign";
alter table "strategy_performance" drop constraint "strategy_performance_portfolio_id_foreign";
alter table "signals" drop constraint "signals_portfolio_id_foreign";
alter table "trade_ideas" drop constraint "trade_ideas_portfolio_id_foreign";
alter table "trades" drop constraint "trades_portfolio_id_foreign";
alter table "risk_configs" drop constraint "risk_configs_portfolio_id_foreign";
alter table "positions" drop constraint "positions_portfolio_id_foreign";
alter table "portfolio_snapshots" drop constraint "portfolio_snapshots_portfolio_id_foreign";
alter table "orders" drop constraint "orders_portfolio_id_foreign";
alter table "decision_history" drop constraint "decision_history_portfolio_id_foreign";
alter table "account_snapshots" drop constraint "account_snapshots_portfolio_id_foreign";
alter table "trade_ideas" drop constraint "trade_ideas_signal_id_foreign";
alter table "trades" drop constraint "trades_signal_id_foreign";
alter table "orders" drop constraint "orders_signal_id_foreign";
alter table "trades" drop constraint "trades_trade_idea_id_foreign";
alter table "orders" drop constraint "orders_trade_idea_id_foreign";
alter table "decision_history" drop constraint "decision_history_trade_idea_id_foreign";
alter table "fills" drop constraint "fills_order_id_foreign";

drop table if exists "assets" cascade;
drop table if exists "bot_status" cascade;
drop table if exists "calendar_events" cascade;
drop table if exists "candles" cascade;
drop table if exists "error_logs" cascade;
drop table if exists "indicator_snapshots" cascade;
drop table if exists "news_feeds" cascade;
drop table if exists "news_items" cascade;
drop table if exists "prediction_events" cascade;
drop table if exists "prediction_markets" cascade;
drop table if exists "market_snapshots" cascade;
drop table if exists "strategies" cascade;
drop table if exists "strategy_versions" cascade;
drop table if exists "learning_entries" cascade;
drop table if exists "ingestion_tasks" cascade;
drop table if exists "backtest_runs" cascade;
drop table if exists "backtest_results" cascade;
drop table if exists "ticks" cascade;
drop table if exists "users" cascade;
drop table if exists "portfolios" cascade;
drop table if exists "strategy_performance" cascade;
drop table if exists "signals" cascade;
drop table if exists "trade_ideas" cascade;
drop table if exists "trades" cascade;
drop table if exists "risk_configs" cascade;
drop table if exists "positions" cascade;
drop table if exists "portfolio_snapshots" cascade;
drop table if exists "orders" cascade;
drop table if exists "fills" cascade;
drop table if exists "decision_history" cascade;
drop table if exists "account_snapshots" cascade;
