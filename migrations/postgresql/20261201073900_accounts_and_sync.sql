-- tradestore migration: accounts_and_sync
-- Generated from the entities by `tradestore migrate create`; review before committing.

-- migrate:up
create table "portfolio_access" ("id" serial primary key, "portfolio_id" int not null, "user_id" int not null, "role" text not null, "granted_by" varchar(320) not null, "created_at" timestamptz not null);
create index "portfolio_access_user_id_index" on "portfolio_access" ("user_id");
alter table "portfolio_access" add constraint "portfolio_access_portfolio_id_user_id_unique" unique ("portfolio_id", "user_id");

create table "auth_sessions" ("id" serial primary key, "user_id" int not null, "created_at" timestamptz not null, "revoked_at" timestamptz null, "revoked_reason" varchar(32) null);
create index "auth_sessions_user_id_index" on "auth_sessions" ("user_id");

create table "refresh_tokens" ("id" serial primary key, "session_id" int not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null);
create index "refresh_tokens_session_id_index" on "refresh_tokens" ("session_id");
alter table "refresh_tokens" add constraint "refresh_tokens_token_hash_unique" unique ("token_hash");

create table "api_keys" ("id" serial primary key, "user_id" int not null, "name" varchar(255) not null, "prefix" varchar(16) not null, "key_hash" varchar(64) not null, "scopes" jsonb not null, "portfolio_ids" jsonb null, "expires_at" timestamptz null, "last_used_at" timestamptz null, "created_at" timestamptz not null);
create index "api_keys_user_id_index" on "api_keys" ("user_id");
alter table "api_keys" add constraint "api_keys_key_hash_unique" unique ("key_hash");

create index "trade_ideas_portfolio_id_updated_at_index" on "trade_ideas" ("portfolio_id", "updated_at");

create index "trades_portfolio_id_updated_at_index" on "trades" ("portfolio_id", "updated_at");

create index "positions_portfolio_id_updated_at_index" on "positions" ("portfolio_id", "updated_at");

create index "orders_portfolio_id_updated_at_index" on "orders" ("portfolio_id", "updated_at");

alter table "portfolio_access" add constraint "portfolio_access_portfolio_id_foreign" foreign key ("portfolio_id") references "portfolios" ("id") on delete cascade;
alter table "portfolio_access" add constraint "portfolio_access_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;
alter table "portfolio_access" add constraint "portfolio_access_role_check" check ("role" in ('viewer', 'trader'));

alter table "auth_sessions" add constraint "auth_sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;

alter table "refresh_tokens" add constraint "refresh_tokens_session_id_foreign" foreign key ("session_id") references "auth_sessions" ("id") on delete cascade;

alter table "api_keys" add constraint "api_keys_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;

-- migrate:down
alter table "refresh_tokens" drop constraint "refresh_tokens_session_id_foreign";

drop table if exists "portfolio_access" cascade;
drop table if exists "auth_sessions" cascade;
drop table if exists "refresh_tokens" cascade;
drop table if exists "api_keys" cascade;

drop index "orders_portfolio_id_updated_at_index";

drop index "positions_portfolio_id_updated_at_index";

drop index "trade_ideas_portfolio_id_updated_at_index";

drop index "trades_portfolio_id_updated_at_index";
