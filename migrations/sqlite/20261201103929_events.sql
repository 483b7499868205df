-- tradestore migration: events
-- Generated from the entities by `tradestore migrate create`; review before committing.

-- migrate:up
create table `events` (`seq` integer not null primary key, `occurred_at` datetime not null, `topic` text check (`topic` in ('signal', 'idea', 'order', 'fill', 'position', 'trade', 'decision', 'candles', 'risk', 'bot_status')) not null, `portfolio_id` integer null, `payload` json not null);

create table `event_counter` (`id` integer not null primary key, `seq` integer not null);

-- migrate:down
drop table if exists `events`;
drop table if exists `event_counter`;
