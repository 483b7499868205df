-- tradestore migration: text_length_checks
-- Generated from the entities by `tradestore migrate create`; review before committing.

-- migrate:up
alter table "assets" add constraint "assets_symbol_length_check" check (length("symbol") <= 64);
alter table "assets" add constraint "assets_venue_length_check" check (length("venue") <= 64);
alter table "assets" add constraint "assets_base_length_check" check (length("base") <= 32);
alter table "assets" add constraint "assets_quote_length_check" check (length("quote") <= 32);

alter table "bot_status" add constraint "bot_status_key_length_check" check (length("key") <= 128);
alter table "bot_status" add constraint "bot_status_bot_version_length_check" check (length("bot_version") <= 64);

alter table "calendar_events" add constraint "calendar_events_currency_length_check" check (length("currency") <= 16);
alter table "calendar_events" add constraint "calendar_events_title_length_check" check (length("title") <= 255);
alter table "calendar_events" add constraint "calendar_events_previous_length_check" check (length("previous") <= 64);
alter table "calendar_events" add constraint "calendar_events_forecast_length_check" check (length("forecast") <= 64);
alter table "calendar_events" add constraint "calendar_events_actual_length_check" check (length("actual") <= 64);

alter table "decision_history_archive" add constraint "decision_history_archive_action_length_check" check (length("action") <= 32);
alter table "decision_history_archive" add constraint "decision_history_archive_actor_length_check" check (length("actor") <= 320);
alter table "decision_history_archive" add constraint "decision_history_archive_snapshot_ref_length_check" check (length("snapshot_ref") <= 255);
alter table "decision_history_archive" add constraint "decision_history_archive_bot_version_length_check" check (length("bot_version") <= 64);

alter table "error_logs" add constraint "error_logs_source_length_check" check (length("source") <= 128);
alter table "error_logs" add constraint "error_logs_bot_version_length_check" check (length("bot_version") <= 64);

alter table "news_feeds" add constraint "news_feeds_url_length_check" check (length("url") <= 2048);
alter table "news_feeds" add constraint "news_feeds_name_length_check" check (length("name") <= 255);

alter table "news_items" add constraint "news_items_dedup_key_length_check" check (length("dedup_key") <= 255);
alter table "news_items" add constraint "news_items_guid_length_check" check (length("guid") <= 1024);
alter table "news_items" add constraint "news_items_url_length_check" check (length("url") <= 2048);
alter table "news_items" add constraint "news_items_source_length_check" check (length("source") <= 255);

alter table "prediction_events" add constraint "prediction_events_venue_length_check" check (length("venue") <= 64);
alter table "prediction_events" add constraint "prediction_events_external_id_length_check" check (length("external_id") <= 255);
alter table "prediction_events" add constraint "prediction_events_slug_length_check" check (length("slug") <= 255);

alter table "prediction_markets" add constraint "prediction_markets_venue_length_check" check (length("venue") <= 64);
alter table "prediction_markets" add constraint "prediction_markets_external_id_length_check" check (length("external_id") <= 255);
alter table "prediction_markets" add constraint "prediction_markets_submitted_by_length_check" check (length("submitted_by") <= 255);
alter table "prediction_markets" add constraint "prediction_markets_resolved_outcome_length_check" check (length("resolved_outcome") <= 255);

alter table "strategies" add constraint "strategies_name_length_check" check (length("name") <= 255);
alter table "strategies" add constraint "strategies_entry_type_length_check" check (length("entry_type") <= 100);

alter table "strategy_versions" add constraint "strategy_versions_version_hash_length_check" check (length("version_hash") <= 64);

alter table "learning_entries" add constraint "learning_entries_impact_type_length_check" check (length("impact_type") <= 64);
alter table "learning_entries" add constraint "learning_entries_bot_version_length_check" check (length("bot_version") <= 64);

alter table "backtest_runs" add constraint "backtest_runs_name_length_check" check (length("name") <= 255);
alter table "backtest_runs" add constraint "backtest_runs_bot_version_length_check" check (length("bot_version") <= 64);

alter table "ticks" add constraint "ticks_trade_id_length_check" check (length("trade_id") <= 128);

alter table "users" add constraint "users_email_length_check" check (length("email") <= 320);
alter table "users" add constraint "users_password_hash_length_check" check (length("password_hash") <= 255);

alter table "portfolios" add constraint "portfolios_name_length_check" check (length("name") <= 255);
alter table "portfolios" add constraint "portfolios_base_currency_length_check" check (length("base_currency") <= 16);
alter table "portfolios" add constraint "portfolios_strategy_type_length_check" check (length("strategy_type") <= 100);

alter table "signals" add constraint "signals_strategy_version_length_check" check (length("strategy_version") <= 64);
alter table "signals" add constraint "signals_aggregation_method_length_check" check (length("aggregation_method") <= 64);
alter table "signals" add constraint "signals_bot_version_length_check" check (length("bot_version") <= 64);

alter table "trade_ideas" add constraint "trade_ideas_expected_hold_length_check" check (length("expected_hold") <= 32);
alter table "trade_ideas" add constraint "trade_ideas_snapshot_ref_length_check" check (length("snapshot_ref") <= 255);
alter table "trade_ideas" add constraint "trade_ideas_decided_by_length_check" check (length("decided_by") <= 320);
alter table "trade_ideas" add constraint "trade_ideas_bot_version_length_check" check (length("bot_version") <= 64);

alter table "trades" add constraint "trades_external_ref_length_check" check (length("external_ref") <= 255);
alter table "trades" add constraint "trades_bot_version_length_check" check (length("bot_version") <= 64);

alter table "positions" add constraint "positions_bot_version_length_check" check (length("bot_version") <= 64);

alter table "portfolio_snapshots" add constraint "portfolio_snapshots_bot_version_length_check" check (length("bot_version") <= 64);

alter table "portfolio_access" add constraint "portfolio_access_granted_by_length_check" check (length("granted_by") <= 320);

alter table "orders" add constraint "orders_client_order_id_length_check" check (length("client_order_id") <= 64);
alter table "orders" add constraint "orders_exchange_order_id_length_check" check (length("exchange_order_id") <= 128);
alter table "orders" add constraint "orders_bot_version_length_check" check (length("bot_version") <= 64);

alter table "fills" add constraint "fills_venue_length_check" check (length("venue") <= 64);
alter table "fills" add constraint "fills_fee_currency_length_check" check (length("fee_currency") <= 16);
alter table "fills" add constraint "fills_exchange_trade_id_length_check" check (length("exchange_trade_id") <= 128);
alter table "fills" add constraint "fills_bot_version_length_check" check (length("bot_version") <= 64);

alter table "decision_history" add constraint "decision_history_actor_length_check" check (length("actor") <= 320);
alter table "decision_history" add constraint "decision_history_snapshot_ref_length_check" check (length("snapshot_ref") <= 255);
alter table "decision_history" add constraint "decision_history_bot_version_length_check" check (length("bot_version") <= 64);

alter table "account_snapshots" add constraint "account_snapshots_account_ref_length_check" check (length("account_ref") <= 128);
alter table "account_snapshots" add constraint "account_snapshots_bot_version_length_check" check (length("bot_version") <= 64);

alter table "auth_sessions" add constraint "auth_sessions_revoked_reason_length_check" check (length("revoked_reason") <= 32);

alter table "refresh_tokens" add constraint "refresh_tokens_token_hash_length_check" check (length("token_hash") <= 64);

alter table "api_keys" add constraint "api_keys_name_length_check" check (length("name") <= 255);
alter table "api_keys" add constraint "api_keys_prefix_length_check" check (length("prefix") <= 16);
alter table "api_keys" add constraint "api_keys_key_hash_length_check" check (length("key_hash") <= 64);

-- migrate:down
alter table "account_snapshots" drop constraint "account_snapshots_account_ref_length_check";
alter table "account_snapshots" drop constraint "account_snapshots_bot_version_length_check";

alter table "api_keys" drop constraint "api_keys_name_length_check";
alter table "api_keys" drop constraint "api_keys_prefix_length_check";
alter table "api_keys" drop constraint "api_keys_key_hash_length_check";

alter table "assets" drop constraint "assets_symbol_length_check";
alter table "assets" drop constraint "assets_venue_length_check";
alter table "assets" drop constraint "assets_base_length_check";
alter table "assets" drop constraint "assets_quote_length_check";

alter table "auth_sessions" drop constraint "auth_sessions_revoked_reason_length_check";

alter table "backtest_runs" drop constraint "backtest_runs_name_length_check";
alter table "backtest_runs" drop constraint "backtest_runs_bot_version_length_check";

alter table "bot_status" drop constraint "bot_status_key_length_check";
alter table "bot_status" drop constraint "bot_status_bot_version_length_check";

alter table "calendar_events" drop constraint "calendar_events_currency_length_check";
alter table "calendar_events" drop constraint "calendar_events_title_length_check";
alter table "calendar_events" drop constraint "calendar_events_previous_length_check";
alter table "calendar_events" drop constraint "calendar_events_forecast_length_check";
alter table "calendar_events" drop constraint "calendar_events_actual_length_check";

alter table "decision_history" drop constraint "decision_history_actor_length_check";
alter table "decision_history" drop constraint "decision_history_snapshot_ref_length_check";
alter table "decision_history" drop constraint "decision_history_bot_version_length_check";

alter table "decision_history_archive" drop constraint "decision_history_archive_action_length_check";
alter table "decision_history_archive" drop constraint "decision_history_archive_actor_length_check";
alter table "decision_history_archive" drop constraint "decision_history_archive_snapshot_ref_length_check";
alter table "decision_history_archive" drop constraint "decision_history_archive_bot_version_length_check";

alter table "error_logs" drop constraint "error_logs_source_length_check";
alter table "error_logs" drop constraint "error_logs_bot_version_length_check";

alter table "fills" drop constraint "fills_venue_length_check";
alter table "fills" drop constraint "fills_fee_currency_length_check";
alter table "fills" drop constraint "fills_exchange_trade_id_length_check";
alter table "fills" drop constraint "fills_bot_version_length_check";

alter table "learning_entries" drop constraint "learning_entries_impact_type_length_check";
alter table "learning_entries" drop constraint "learning_entries_bot_version_length_check";

alter table "news_feeds" drop constraint "news_feeds_url_length_check";
alter table "news_feeds" drop constraint "news_feeds_name_length_check";

alter table "news_items" drop constraint "news_items_dedup_key_length_check";
alter table "news_items" drop constraint "news_items_guid_length_check";
alter table "news_items" drop constraint "news_items_url_length_check";
alter table "news_items" drop constraint "news_items_source_length_check";

alter table "orders" drop constraint "orders_client_order_id_length_check";
alter table "orders" drop constraint "orders_exchange_order_id_length_check";
alter table "orders" drop constraint "orders_bot_version_length_check";

alter table "portfolio_access" drop constraint "portfolio_access_granted_by_length_check";

alter table "portfolio_snapshots" drop constraint "portfolio_snapshots_bot_version_length_check";

alter table "portfolios" drop constraint "portfolios_name_length_check";
alter table "portfolios" drop constraint "portfolios_base_currency_length_check";
alter table "portfolios" drop constraint "portfolios_strategy_type_length_check";

alter table "positions" drop constraint "positions_bot_version_length_check";

alter table "prediction_events" drop constraint "prediction_events_venue_length_check";
alter table "prediction_events" drop constraint "prediction_events_external_id_length_check";
alter table "prediction_events" drop constraint "prediction_events_slug_length_check";

alter table "prediction_markets" drop constraint "prediction_markets_venue_length_check";
alter table "prediction_markets" drop constraint "prediction_markets_external_id_length_check";
alter table "prediction_markets" drop constraint "prediction_markets_submitted_by_length_check";
alter table "prediction_markets" drop constraint "prediction_markets_resolved_outcome_length_check";

alter table "refresh_tokens" drop constraint "refresh_tokens_token_hash_length_check";

alter table "signals" drop constraint "signals_strategy_version_length_check";
alter table "signals" drop constraint "signals_aggregation_method_length_check";
alter table "signals" drop constraint "signals_bot_version_length_check";

alter table "strategies" drop constraint "strategies_name_length_check";
alter table "strategies" drop constraint "strategies_entry_type_length_check";

alter table "strategy_versions" drop constraint "strategy_versions_version_hash_length_check";

alter table "ticks" drop constraint "ticks_trade_id_length_check";

alter table "trade_ideas" drop constraint "trade_ideas_expected_hold_length_check";
alter table "trade_ideas" drop constraint "trade_ideas_snapshot_ref_length_check";
alter table "trade_ideas" drop constraint "trade_ideas_decided_by_length_check";
alter table "trade_ideas" drop constraint "trade_ideas_bot_version_length_check";

alter table "trades" drop constraint "trades_external_ref_length_check";
alter table "trades" drop constraint "trades_bot_version_length_check";

alter table "users" drop constraint "users_email_length_check";
alter table "users" drop constraint "users_password_hash_length_check";
