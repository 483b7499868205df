-- tradestore migration: user_time_zone
-- Generated from the entities by `tradestore migrate create`; review before committing.

-- migrate:up
pragma foreign_keys = off;
create table `users__temp_alter` (`id` integer not null primary key autoincrement, `email` text not null, `password_hash` text not null, `role` text check (`role` in ('admin', 'trader', 'viewer')) not null default 'viewer', `is_active` integer not null default true, `time_zone` text not null default 'UTC', `created_at` datetime not null, `updated_at` datetime not null, constraint `users_email_lower_check` check (email = lower(email)), constraint `users_email_length_check` check (length("email") <= 320), constraint `users_password_hash_length_check` check (length("password_hash") <= 255), constraint `users_time_zone_length_check` check (length("time_zone") <= 64));
insert into `users__temp_alter` select `id`, `email`, `password_hash`, `role`, `is_active`, 'UTC' as `time_zone`, `created_at`, `updated_at` from `users`;
drop table `users`;
alter table `users__temp_alter` rename to `users`;
create unique index `users_email_unique` on `users` (`email`);
pragma foreign_keys = on;

-- migrate:down
pragma foreign_keys = off;
create table `users__temp_alter` (`id` integer not null primary key autoincrement, `email` TEXT not null, `password_hash` TEXT not null, `role` TEXT check (`role` in ('admin', 'trader', 'viewer')) not null default 'viewer', `is_active` INTEGER not null default true, `created_at` datetime not null, `updated_at` datetime not null, constraint `users_email_lower_check` check (email = lower(email)), constraint `users_email_length_check` check (length("email") <= 320), constraint `users_password_hash_length_check` check (length("password_hash") <= 255));
insert into `users__temp_alter` select `id`, `email`, `password_hash`, `role`, `is_active`, `created_at`, `updated_at` from `users`;
drop table `users`;
alter table `users__temp_alter` rename to `users`;
create unique index `users_email_unique` on `users` (`email`);
pragma foreign_keys = on;
