-- tradestore migration: accounts_and_sync
-- Generated from the entities by `tradestore migrate create`; review before committing.

-- migrate:up
create table `portfolio_access` (`id` integer not null primary key autoincrement, `portfolio_id` integer not null, `user_id` integer not null, `role` text check (`role` in ('viewer', 'trader')) not null, `granted_by` text not null, `created_at` datetime not null, constraint `portfolio_access_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete cascade, constraint `portfolio_access_user_id_foreign` foreign key (`user_id`) references `users` (`id`) on delete cascade);
create index `portfolio_access_user_id_index` on `portfolio_access` (`user_id`);
create unique index `portfolio_access_portfolio_id_user_id_unique` on `portfolio_access` (`portfolio_id`, `user_id`);

create table `auth_sessions` (`id` integer not null primary key autoincrement, `user_id` integer not null, `created_at` datetime not null, `revoked_at` datetime null, `revoked_reason` text null, constraint `auth_sessions_user_id_foreign` foreign key (`user_id`) references `users` (`id`) on delete cascade);
create index `auth_sessions_user_id_index` on `auth_sessions` (`user_id`);

create table `refresh_tokens` (`id` integer not null primary key autoincrement, `session_id` integer not null, `token_hash` text not null, `expires_at` datetime not null, `used_at` datetime null, `created_at` datetime not null, constraint `refresh_tokens_session_id_foreign` foreign key (`session_id`) references `auth_sessions` (`id`) on delete cascade);
create index `refresh_tokens_session_id_index` on `refresh_tokens` (`session_id`);
create unique index `refresh_tokens_token_hash_unique` on `refresh_tokens` (`token_hash`);

create table `api_keys` (`id` integer not null primary key autoincrement, `user_id` integer not null, `name` text not null, `prefix` text not null, `key_hash` text not null, `scopes` json not null, `portfolio_ids` json null, `expires_at` datetime null, `last_used_at` datetime null, `created_at` datetime not null, constraint `api_keys_user_id_foreign` foreign key (`user_id`) references `users` (`id`) on delete cascade);
create index `api_keys_user_id_index` on `api_keys` (`user_id`);
create unique index `api_keys_key_hash_unique` on `api_keys` (`key_hash`);

create index `trade_ideas_portfolio_id_updated_at_index` on `trade_ideas` (`portfolio_id`, `updated_at`);

create index `trades_portfolio_id_updated_at_index` on `trades` (`portfolio_id`, `updated_at`);

create index `positions_portfolio_id_updated_at_index` on `positions` (`portfolio_id`, `updated_at`);

create index `orders_portfolio_id_updated_at_index` on `orders` (`portfolio_id`, `updated_at`);

-- migrate:down
drop table if exists `portfolio_access`;
drop table if exists `auth_sessions`;
drop table if exists `refresh_tokens`;
drop table if exists `api_keys`;

drop index `orders_portfolio_id_updated_at_index`;

drop index `positions_portfolio_id_updated_at_index`;

drop index `trade_ideas_portfolio_id_updated_at_index`;

drop index `trades_portfolio_id_updated_at_index`;
