-- tradestore migration: nothing_changed
-- Generated from the entities by `tradestore migrate create`; review before committing.

-- migrate:up
create index `trade_ideas_portfolio_id_updated_at_index` on `trade_ideas` (`portfolio_id`, `updated_at`);

create index `trades_portfolio_id_updated_at_index` on `trades` (`portfolio_id`, `updated_at`);

create index `positions_portfolio_id_updated_at_index` on `positions` (`portfolio_id`, `updated_at`);

pragma foreign_keys = off;
create table `portfolio_access__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` integer not null, `user_id` integer not null, `role` text check (`role` in ('viewer', 'trader')) not null, `granted_by` text not null, `created_at` datetime not null, constraint `portfolio_access_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on delete cascade, constraint `portfolio_access_user_id_foreign` foreign key (`user_id`) references `users` (`id`) on delete cascade, constraint `portfolio_access_granted_by_length_check` check (length("granted_by") <= 320));
insert into `portfolio_access__temp_alter` select `id`, `portfolio_id`, `user_id`, `role`, `granted_by`, `created_at` from `portfolio_access`;
drop table `portfolio_access`;
alter table `portfolio_access__temp_alter` rename to `portfolio_access`;
create index `portfolio_access_user_id_index` on `portfolio_access` (`user_id`);
create unique index `portfolio_access_portfolio_id_user_id_unique` on `portfolio_access` (`portfolio_id`, `user_id`);
pragma foreign_keys = on;

create index `orders_portfolio_id_updated_at_index` on `orders` (`portfolio_id`, `updated_at`);

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
create table `api_keys__temp_alter` (`id` integer not null primary key autoincrement, `user_id` INTEGER not null, `name` TEXT not null, `prefix` TEXT not null, `key_hash` TEXT not null, `scopes` json not null, `portfolio_ids` json null, `expires_at` datetime null, `last_used_at` datetime null, `created_at` datetime not null, constraint `api_keys_user_id_foreign` foreign key (`user_id`) references `users` (`id`) on update no action on delete cascade);
insert into `api_keys__temp_alter` select `id`, `user_id`, `name`, `prefix`, `key_hash`, `scopes`, `portfolio_ids`, `expires_at`, `last_used_at`, `created_at` from `api_keys`;
drop table `api_keys`;
alter table `api_keys__temp_alter` rename to `api_keys`;
create unique index `api_keys_key_hash_unique` on `api_keys` (`key_hash`);
create index `api_keys_user_id_index` on `api_keys` (`user_id`);
pragma foreign_keys = on;

pragma foreign_keys = off;
create table `auth_sessions__temp_alter` (`id` integer not null primary key autoincrement, `user_id` INTEGER not null, `created_at` datetime not null, `revoked_at` datetime null, `revoked_reason` TEXT null, constraint `auth_sessions_user_id_foreign` foreign key (`user_id`) references `users` (`id`) on update no action on delete cascade);
insert into `auth_sessions__temp_alter` select `id`, `user_id`, `created_at`, `revoked_at`, `revoked_reason` from `auth_sessions`;
drop table `auth_sessions`;
alter table `auth_sessions__temp_alter` rename to `auth_sessions`;
create index `auth_sessions_user_id_index` on `auth_sessions` (`user_id`);
pragma foreign_keys = on;

drop index `orders_portfolio_id_updated_at_index`;

pragma foreign_keys = off;
create table `portfolio_access__temp_alter` (`id` integer not null primary key autoincrement, `portfolio_id` INTEGER not null, `user_id` INTEGER not null, `role` TEXT check (`role` in ('viewer', 'trader')) not null, `granted_by` TEXT not null, `created_at` datetime not null, constraint `portfolio_access_user_id_foreign` foreign key (`user_id`) references `users` (`id`) on update no action on delete cascade, constraint `portfolio_access_portfolio_id_foreign` foreign key (`portfolio_id`) references `portfolios` (`id`) on update no action on delete cascade);
insert into `portfolio_access__temp_alter` select `id`, `portfolio_id`, `user_id`, `role`, `granted_by`, `created_at` from `portfolio_access`;
drop table `portfolio_access`;
alter table `portfolio_access__temp_alter` rename to `portfolio_access`;
create unique index `portfolio_access_portfolio_id_user_id_unique` on `portfolio_access` (`portfolio_id`, `user_id`);
create index `portfolio_access_user_id_index` on `portfolio_access` (`user_id`);
pragma foreign_keys = on;

drop index `positions_portfolio_id_updated_at_index`;

pragma foreign_keys = off;
create table `refresh_tokens__temp_alter` (`id` integer not null primary key autoincrement, `session_id` INTEGER not null, `token_hash` TEXT not null, `expires_at` datetime not null, `used_at` datetime null, `created_at` datetime not null, constraint `refresh_tokens_session_id_foreign` foreign key (`session_id`) references `auth_sessions` (`id`) on update no action on delete cascade);
insert into `refresh_tokens__temp_alter` select `id`, `session_id`, `token_hash`, `expires_at`, `used_at`, `created_at` from `refresh_tokens`;
drop table `refresh_tokens`;
alter table `refresh_tokens__temp_alter` rename to `refresh_tokens`;
create unique index `refresh_tokens_token_hash_unique` on `refresh_tokens` (`token_hash`);
create index `refresh_tokens_session_id_index` on `refresh_tokens` (`session_id`);
pragma foreign_keys = on;

drop index `trade_ideas_portfolio_id_updated_at_index`;

drop index `trades_portfolio_id_updated_at_index`;
