-- tradestore migration: trade_idea_quantity
-- Generated from the entities by `tradestore migrate create`; review before committing.

-- migrate:up
alter table "trade_ideas" add "quantity" numeric(38,18) null;

-- migrate:down
alter table "trade_ideas" drop column "quantity";
