-- tradestore migration: length_checks_after_accounts
-- Generated from the entities by `tradestore migrate create`; review before committing.

-- migrate:up
alter table "portfolio_access" add constraint "portfolio_access_granted_by_length_check" check (length("granted_by") <= 320);

alter table "auth_sessions" add constraint "auth_sessions_revoked_reason_length_check" check (length("revoked_reason") <= 32);

alter table "refresh_tokens" add constraint "refresh_tokens_token_hash_length_check" check (length("token_hash") <= 64);

alter table "api_keys" add constraint "api_keys_name_length_check" check (length("name") <= 255);
alter table "api_keys" add constraint "api_keys_prefix_length_check" check (length("prefix") <= 16);
alter table "api_keys" add constraint "api_keys_key_hash_length_check" check (length("key_hash") <= 64);

-- migrate:down
alter table "api_keys" drop constraint "api_keys_name_length_check";
alter table "api_keys" drop constraint "api_keys_prefix_length_check";
alter table "api_keys" drop constraint "api_keys_key_hash_length_check";

alter table "auth_sessions" drop constraint "auth_sessions_revoked_reason_length_check";

alter table "portfolio_access" drop constraint "portfolio_access_granted_by_length_check";

alter table "refresh_tokens" drop constraint "refresh_tokens_token_hash_length_check";
