-- tradestore migration: closed_positions_unrealized
-- Data only: positions closed before fills zeroed unrealized_pnl kept their last mark's value.
-- A closed position has no unrealized P&L; the stale values were wrong, so down restores nothing.

-- migrate:up
update positions set unrealized_pnl = 0 where status = 'closed' and unrealized_pnl is not null and unrealized_pnl <> 0;

-- migrate:down
select 1;
