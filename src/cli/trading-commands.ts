/**
 * `tradestore strategies|ideas|positions|performance …`: the trading services from the command line.
 * Every command takes --json; exact values print as decimal strings.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { RegisterStrategyInput } from '../strategies/strategies.ts';
import { TRADE_IDEA_STATUSES } from '../trading/transitions.ts';
import { UsageError, withStore } from './context.ts';
import { printJson, printTable } from './output.ts';

function positiveInt(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new UsageError(`${what} must be a positive integer, got "${value}"`);
  return n;
}

/** A strategy by id (all digits) or name. */
function strategyRef(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}

const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

export function registerTrading(program: Command): void {
  const strategies = program.command('strategies').description('trading strategies and their versions');

  strategies
    .command('list')
    .description('strategies with their current config version')
    .option('--active', 'only active strategies')
    .option('--inactive', 'only inactive strategies')
    .option('--json', 'print JSON')
    .action(async (opts: { active?: boolean; inactive?: boolean; json?: boolean }, cmd: Command) =>
      withStore(cmd, async (store) => {
        if (opts.active && opts.inactive) throw new UsageError('--active and --inactive exclude each other');
        const { listStrategies } = await import('../strategies/strategies.ts');
        const rows = await listStrategies(
          store,
          opts.active ? { active: true } : opts.inactive ? { active: false } : {},
        );
        if (opts.json) printJson(rows);
        else
          printTable(
            rows.map((s) => ({
              id: s.id,
              name: s.name,
              active: s.isActive,
              source: s.sourceType,
              version: s.currentVersionHash?.slice(0, 12) ?? null,
              symbols: s.config.allowedSymbols?.join(',') ?? null,
            })),
          );
      }),
    );

  strategies
    .command('register <file>')
    .description('register or update a strategy from a JSON file ({ "name": …, config fields … })')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { json?: boolean }, cmd: Command) => {
      let input: RegisterStrategyInput;
      try {
        input = JSON.parse(readFileSync(file, 'utf8')) as RegisterStrategyInput;
      } catch (error) {
        throw new UsageError(`cannot read strategy file ${file}: ${(error as Error).message}`);
      }
      return withStore(cmd, async (store) => {
        const { registerStrategy } = await import('../strategies/strategies.ts');
        const change = await registerStrategy(store, input);
        if (opts.json) printJson(change);
        else
          process.stdout.write(
            `${change.created ? 'registered' : 'updated'} ${change.strategy.name} (id ${change.strategy.id}), version ` +
              `${change.strategy.currentVersionHash?.slice(0, 12)}${change.versionCreated ? ' (new)' : change.versionChanged ? ' (earlier version)' : ' (unchanged)'}\n`,
          );
      });
    });

  for (const [name, fn] of [
    ['activate', 'activateStrategy'],
    ['deactivate', 'deactivateStrategy'],
  ] as const) {
    strategies
      .command(`${name} <strategy>`)
      .description(`${name} a strategy (id or name)`)
      .option('--json', 'print JSON')
      .action(async (ref: string, opts: { json?: boolean }, cmd: Command) =>
        withStore(cmd, async (store) => {
          const s = await (await import('../strategies/strategies.ts'))[fn](store, strategyRef(ref));
          if (opts.json) printJson(s);
          else process.stdout.write(`${s.name} is ${s.isActive ? 'active' : 'inactive'}\n`);
        }),
      );
  }

  const ideas = program.command('ideas').description('AI trade ideas and their approval');

  ideas
    .command('list')
    .description('trade ideas, newest first (production only unless --include-test)')
    .option('--status <status>', `one of ${TRADE_IDEA_STATUSES.join(', ')}`)
    .option('--portfolio <id>', 'portfolio id')
    .option('--include-test', 'include test-mode ideas')
    .option('--limit <n>', 'at most n ideas', '50')
    .option('--json', 'print JSON')
    .action(
      async (
        opts: { status?: string; portfolio?: string; includeTest?: boolean; limit: string; json?: boolean },
        cmd: Command,
      ) =>
        withStore(cmd, async (store) => {
          if (opts.status && !(TRADE_IDEA_STATUSES as readonly string[]).includes(opts.status)) {
            throw new UsageError(`--status must be one of ${TRADE_IDEA_STATUSES.join(', ')}`);
          }
          const { listTradeIdeas } = await import('../execution/ideas.ts');
          const listing = await listTradeIdeas(store, {
            ...(opts.status ? { status: opts.status as (typeof TRADE_IDEA_STATUSES)[number] } : {}),
            ...(opts.portfolio ? { portfolioId: positiveInt(opts.portfolio, '--portfolio') } : {}),
            includeTest: opts.includeTest === true,
            limit: positiveInt(opts.limit, '--limit'),
          });
          if (opts.json) {
            printJson(listing);
            return;
          }
          printTable(
            listing.items.map((i) => ({
              id: i.id,
              status: i.status,
              portfolio: i.portfolioId,
              asset: i.assetId,
              direction: i.direction,
              entry: text(i.entryPrice),
              stop: text(i.stopLoss),
              confidence: i.confidence,
              decided_by: i.decidedBy,
              created: i.createdAt.toISOString(),
            })),
          );
          process.stderr.write(
            `${listing.counts.production} production, ${listing.counts.test} test ideas match\n`,
          );
        }),
    );

  ideas
    .command('evaluate <id>')
    .description('run the risk gate on a waiting trade idea')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) =>
      withStore(cmd, async (store) => {
        const { evaluateTradeIdea } = await import('../execution/ideas.ts');
        const result = await evaluateTradeIdea(store, { ideaId: positiveInt(id, 'idea id') });
        if (opts.json) printJson(result);
        else {
          process.stdout.write(`idea ${result.idea.id} is ${result.idea.status}\n`);
          for (const rule of result.risk.rules.filter((r) => !r.passed))
            process.stdout.write(`  ${rule.rule}: ${rule.detail}\n`);
        }
      }),
    );

  for (const [name, fn] of [
    ['approve', 'approveTradeIdea'],
    ['reject', 'rejectTradeIdea'],
  ] as const) {
    ideas
      .command(`${name} <id>`)
      .description(`${name} a trade idea as a user`)
      .requiredOption('--user <email>', 'the deciding user (trader or admin)')
      .option('--note <text>', 'rationale for the audit trail')
      .option('--json', 'print JSON')
      .action(async (id: string, opts: { user: string; note?: string; json?: boolean }, cmd: Command) =>
        withStore(cmd, async (store) => {
          const result = await (
            await import('../execution/ideas.ts')
          )[fn](store, {
            ideaId: positiveInt(id, 'idea id'),
            user: opts.user,
            ...(opts.note ? { rationale: opts.note } : {}),
          });
          if (opts.json) printJson(result);
          else
            process.stdout.write(
              `idea ${result.idea.id} is ${result.idea.status} (by ${result.idea.decidedBy})\n`,
            );
          // The gate re-ran at approval and halted it: a script asking for approval must notice.
          if (name === 'approve' && result.idea.status !== 'approved') {
            process.stderr.write(`not approved: ${result.decision.rationale ?? result.idea.status}\n`);
            process.exitCode = 1;
          }
        }),
      );
  }

  program
    .command('positions <portfolio>')
    .description("a portfolio's open positions (--all for closed ones too)")
    .option('--all', 'open and closed positions')
    .option('--include-test', 'include test-mode positions')
    .option('--json', 'print JSON')
    .action(
      async (
        portfolio: string,
        opts: { all?: boolean; includeTest?: boolean; json?: boolean },
        cmd: Command,
      ) =>
        withStore(cmd, async (store) => {
          const { listPositions } = await import('../portfolios/positions.ts');
          const listing = await listPositions(store, {
            portfolioId: positiveInt(portfolio, 'portfolio id'),
            status: opts.all ? 'all' : 'open',
            includeTest: opts.includeTest === true,
            limit: 10_000,
          });
          if (opts.json) printJson(listing);
          else
            printTable(
              listing.items.map((p) => ({
                id: p.id,
                asset: p.assetId,
                side: p.side,
                quantity: p.quantity.toString(),
                avg_entry: p.averageEntryPrice.toString(),
                realized: p.realizedPnl.toString(),
                unrealized: text(p.unrealizedPnl),
                status: p.status,
              })),
            );
        }),
    );

  program
    .command('performance')
    .description('recompute and show performance from trades (per strategy, per portfolio, or both)')
    .option('--strategy <strategy>', 'strategy id or name')
    .option('--portfolio <id>', 'portfolio id')
    .option('--window <window>', "'all' or <n>h / <n>d / <n>w", 'all')
    .option('--backtest', 'backtest trades instead of live ones')
    .option('--json', 'print JSON')
    .action(
      async (
        opts: { strategy?: string; portfolio?: string; window: string; backtest?: boolean; json?: boolean },
        cmd: Command,
      ) =>
        withStore(cmd, async (store) => {
          if (!opts.strategy && !opts.portfolio) throw new UsageError('give --strategy, --portfolio or both');
          const portfolioId = opts.portfolio ? positiveInt(opts.portfolio, '--portfolio') : undefined;
          const scope = {
            window: opts.window,
            backtest: opts.backtest === true,
            ...(portfolioId === undefined ? {} : { portfolioId }),
          };
          const { computePortfolioPerformance, recomputePerformance } =
            await import('../strategies/strategy-performance.ts');
          const rows = await recomputePerformance(store, {
            ...scope,
            ...(opts.strategy ? { strategy: strategyRef(opts.strategy) } : {}),
          });
          const portfolio =
            portfolioId !== undefined && !opts.strategy
              ? await computePortfolioPerformance(store, { ...scope, portfolioId })
              : null;
          if (opts.json) {
            printJson(portfolio ? { strategies: rows, portfolio } : rows);
            return;
          }
          printTable(
            rows.map((r) => ({
              strategy: r.strategyId,
              portfolio: r.portfolioId ?? 'all',
              window: r.window,
              trades: r.tradeCount,
              win_rate: r.winRate === null ? null : r.winRate.toFixed(3),
              avg_r: r.avgRMultiple?.toDecimalPlaces(4).toString() ?? null,
              profit_factor: r.profitFactor?.toDecimalPlaces(4).toString() ?? null,
              total_pnl: r.totalPnl?.toString() ?? null,
              max_dd: r.maxDrawdown?.toString() ?? null,
              sharpe: r.sharpe === null ? null : r.sharpe.toFixed(3),
              sortino: r.sortino === null ? null : r.sortino.toFixed(3),
            })),
          );
          if (portfolio) {
            process.stdout.write(
              `portfolio ${portfolioId}: ${portfolio.tradeCount} trades, total pnl ${portfolio.totalPnl}, ` +
                `max drawdown ${portfolio.maxDrawdown}, sharpe ${portfolio.sharpe?.toFixed(3) ?? '-'}\n`,
            );
          }
        }),
    );
}
