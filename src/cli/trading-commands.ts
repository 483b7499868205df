/**
 * `tradestore strategies|ideas|positions|performance …`: the trading services from the command line.
 * Every command takes --json; exact values print as decimal strings.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type * as Ideas from '../execution/ideas.ts';
import { id, limit, userRef } from '../input/fields.ts';
import type * as Portfolios from '../portfolios/portfolios.ts';
import type * as Positions from '../portfolios/positions.ts';
import type * as Strategies from '../strategies/strategies.ts';
import type { RegisterStrategyInput } from '../strategies/strategies.ts';
import type * as Performance from '../strategies/strategy-performance.ts';
import { TRADE_IDEA_STATUSES } from '../trading/transitions.ts';
import { settingsWrite, UsageError, withStore } from './context.ts';
import { checkFlag, intFlag } from './flags.ts';
import { loadModule } from './lazy.ts';
import { info, printJson, printTable } from './output.ts';

// The services and their input schemas, loaded when a command runs: `--help` needs none of them.
const strategyServices = () => loadModule<typeof Strategies>('../strategies/strategies');
const performanceServices = () => loadModule<typeof Performance>('../strategies/strategy-performance');
const ideaServices = () => loadModule<typeof Ideas>('../execution/ideas');
const portfolioServices = () => loadModule<typeof Portfolios>('../portfolios/portfolios');
const positionServices = () => loadModule<typeof Positions>('../portfolios/positions');

/**
 * A strategy named on the command line: a plain reference reads digits as an id and anything else
 * as a name; `--id`/`--name` say which, so a strategy named "42" can be addressed (`--name 42`).
 */
type StrategyForm = [flag: string, value: string | undefined, reads: 'id or name' | 'id' | 'name'];

function strategyFrom(...forms: StrategyForm[]): number | string | undefined {
  const given = forms.filter((f): f is [string, string, StrategyForm[2]] => f[1] !== undefined);
  if (given.length === 0) return undefined;
  if (given.length > 1)
    throw new UsageError(
      `give one of ${forms.map((f) => f[0]).join(', ')}, not ${given.map((f) => f[0]).join(' and ')}`,
    );
  const [flag, value, reads] = given[0]!;
  if (reads === 'id' || (reads === 'id or name' && /^\d+$/.test(value))) return intFlag(id, value, flag);
  return checkFlag(strategyServices().StrategyName, value, flag);
}

/** A user by id (digits) or email, as the services take it. */
const userFlag = (value: string) => checkFlag(userRef, /^\d+$/.test(value) ? Number(value) : value, '--user');

const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

export function registerTrading(program: Command): void {
  const strategies = program.command('strategies').description('trading strategies and their versions');
  strategiesListCommand(strategies);
  strategiesRegisterCommand(strategies);
  strategiesActivateDeactivateCommand(strategies);
  const ideas = program.command('ideas').description('AI trade ideas and their approval');
  ideasListCommand(ideas);
  ideasEvaluateCommand(ideas);
  ideasApproveRejectCommand(ideas);
  positionsCommand(program);
  performanceCommand(program);
}

/** `tradestore strategies list`. */
function strategiesListCommand(strategies: Command): void {
  strategies
    .command('list')
    .description('strategies with their current config version')
    .option('--active', 'only active strategies')
    .option('--inactive', 'only inactive strategies')
    .option('--json', 'print JSON')
    .action(async (opts: { active?: boolean; inactive?: boolean; json?: boolean }, cmd: Command) => {
      if (opts.active && opts.inactive) throw new UsageError('--active and --inactive exclude each other');
      return withStore(cmd, async (store) => {
        const rows = await strategyServices().listStrategies(
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
      });
    });
}

/** `tradestore strategies register`. */
function strategiesRegisterCommand(strategies: Command): void {
  strategies
    .command('register <file>')
    .description(
      'register or update a strategy from a JSON file ({ "name": …, config fields … }); an update gives the whole config unless --merge',
    )
    .option(
      '--merge',
      'keep the config fields the file does not give (default: the file is the whole config)',
    )
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { merge?: boolean; json?: boolean }, cmd: Command) => {
      let input: RegisterStrategyInput;
      try {
        input = JSON.parse(readFileSync(file, 'utf8')) as RegisterStrategyInput;
      } catch (error) {
        throw new UsageError(`cannot read strategy file ${file}: ${(error as Error).message}`);
      }
      return withStore(cmd, async (store, config) => {
        const change = await settingsWrite(store, config, 'strategies', () =>
          strategyServices().registerStrategy(store, input, { merge: opts.merge === true }),
        );
        if (opts.json) printJson(change);
        else {
          const config =
            change.configUpdate === 'merged'
              ? `config merged${change.kept?.length ? ` (kept: ${change.kept.join(', ')})` : ' (nothing to keep)'}`
              : change.configUpdate === 'replaced'
                ? 'config replaced by the file'
                : 'new config';
          process.stdout.write(
            `${change.created ? 'registered' : 'updated'} ${change.strategy.name} (id ${change.strategy.id}), ${config}, version ` +
              `${change.strategy.currentVersionHash?.slice(0, 12)}${change.versionCreated ? ' (new)' : change.versionChanged ? ' (earlier version)' : ' (unchanged)'}\n`,
          );
        }
      });
    });
}

/** `tradestore strategies activate/deactivate`. */
function strategiesActivateDeactivateCommand(strategies: Command): void {
  for (const [name, fn] of [
    ['activate', 'activateStrategy'],
    ['deactivate', 'deactivateStrategy'],
  ] as const) {
    strategies
      .command(`${name} [strategy]`)
      .description(`${name} a strategy: <strategy> (digits are an id, else a name), --id or --name`)
      .option('--id <id>', 'the strategy with this id')
      .option('--name <name>', 'the strategy with this name (also one made of digits)')
      .option('--json', 'print JSON')
      .action(
        async (
          ref: string | undefined,
          opts: { id?: string; name?: string; json?: boolean },
          cmd: Command,
        ) => {
          const strategy = strategyFrom(
            ['<strategy>', ref, 'id or name'],
            ['--id', opts.id, 'id'],
            ['--name', opts.name, 'name'],
          );
          if (strategy === undefined) throw new UsageError('give the strategy: <strategy>, --id or --name');
          return withStore(cmd, async (store, config) => {
            const s = await settingsWrite(store, config, 'strategies', () =>
              strategyServices()[fn](store, strategy),
            );
            if (opts.json) printJson(s);
            else process.stdout.write(`${s.name} is ${s.isActive ? 'active' : 'inactive'}\n`);
          });
        },
      );
  }
}

/** `tradestore ideas list`. */
function ideasListCommand(ideas: Command): void {
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
      ) => {
        if (opts.status && !(TRADE_IDEA_STATUSES as readonly string[]).includes(opts.status)) {
          throw new UsageError(`--status must be one of ${TRADE_IDEA_STATUSES.join(', ')}`);
        }
        const portfolioId =
          opts.portfolio === undefined ? undefined : intFlag(id, opts.portfolio, '--portfolio');
        const max = intFlag(limit, opts.limit, '--limit');
        return withStore(cmd, async (store) => {
          // A filter on a portfolio that does not exist is a mistake, not an empty list.
          if (portfolioId !== undefined) await portfolioServices().getPortfolio(store, portfolioId);
          const listing = await ideaServices().listTradeIdeas(store, {
            ...(opts.status ? { status: opts.status as (typeof TRADE_IDEA_STATUSES)[number] } : {}),
            ...(portfolioId === undefined ? {} : { portfolioId }),
            includeTest: opts.includeTest === true,
            limit: max,
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
          info(`${listing.counts.production} production, ${listing.counts.test} test ideas match`);
        });
      },
    );
}

/** `tradestore ideas evaluate`. */
function ideasEvaluateCommand(ideas: Command): void {
  ideas
    .command('evaluate <id>')
    .description('run the risk gate on a waiting trade idea')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { json?: boolean }, cmd: Command) => {
      const ideaId = intFlag(id, ref, 'idea id');
      return withStore(cmd, async (store) => {
        const result = await ideaServices().evaluateTradeIdea(store, { ideaId });
        if (opts.json) printJson(result);
        else {
          process.stdout.write(`idea ${result.idea.id} is ${result.idea.status}\n`);
          for (const rule of result.risk.rules.filter((r) => !r.passed))
            process.stdout.write(`  ${rule.rule}: ${rule.detail}\n`);
        }
      });
    });
}

/** `tradestore ideas approve/reject`. */
function ideasApproveRejectCommand(ideas: Command): void {
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
      .action(async (ref: string, opts: { user: string; note?: string; json?: boolean }, cmd: Command) => {
        const ideaId = intFlag(id, ref, 'idea id');
        const user = userFlag(opts.user);
        return withStore(cmd, async (store) => {
          const result = await ideaServices()[fn](store, {
            ideaId,
            user,
            ...(opts.note ? { rationale: opts.note } : {}),
          });
          if (opts.json) printJson(result);
          else
            process.stdout.write(
              `idea ${result.idea.id} is ${result.idea.status} (by ${result.idea.decidedBy})\n`,
            );
          // The gate re-ran at approval and halted it: a script asking for approval must notice.
          if (name === 'approve' && result.idea.status !== 'approved') {
            info(`not approved: ${result.decision.rationale ?? result.idea.status}`);
            process.exitCode = 1;
          }
        });
      });
  }
}

/** `tradestore positions`. */
function positionsCommand(program: Command): void {
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
      ) => {
        const portfolioId = intFlag(id, portfolio, 'portfolio id');
        return withStore(cmd, async (store) => {
          await portfolioServices().getPortfolio(store, portfolioId);
          const listing = await positionServices().listPositions(store, {
            portfolioId,
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
        });
      },
    );
}

/** `tradestore performance`. */
function performanceCommand(program: Command): void {
  program
    .command('performance')
    .description('recompute and show performance from trades (per strategy, per portfolio, or both)')
    .option('--strategy <strategy>', 'strategy id (digits) or name')
    .option('--strategy-id <id>', 'strategy id')
    .option('--strategy-name <name>', 'strategy name (also one made of digits)')
    .option('--portfolio <id>', 'portfolio id')
    .option('--window <window>', "'all' or <n>h / <n>d / <n>w", 'all')
    .option('--backtest', 'backtest trades instead of live ones')
    .option('--json', 'print JSON')
    .action(
      async (
        opts: {
          strategy?: string;
          strategyId?: string;
          strategyName?: string;
          portfolio?: string;
          window: string;
          backtest?: boolean;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const strategy = strategyFrom(
          ['--strategy', opts.strategy, 'id or name'],
          ['--strategy-id', opts.strategyId, 'id'],
          ['--strategy-name', opts.strategyName, 'name'],
        );
        const portfolioId =
          opts.portfolio === undefined ? undefined : intFlag(id, opts.portfolio, '--portfolio');
        if (strategy === undefined && portfolioId === undefined)
          throw new UsageError(
            'give a strategy (--strategy, --strategy-id or --strategy-name), --portfolio or both',
          );
        const scope = {
          window: checkFlag(performanceServices().PerformanceWindow, opts.window, '--window'),
          backtest: opts.backtest === true,
          ...(portfolioId === undefined ? {} : { portfolioId }),
        };
        return withStore(cmd, async (store) => {
          const rows = await performanceServices().recomputePerformance(store, {
            ...scope,
            ...(strategy === undefined ? {} : { strategy }),
          });
          const portfolio =
            portfolioId !== undefined && strategy === undefined
              ? await performanceServices().computePortfolioPerformance(store, { ...scope, portfolioId })
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
        });
      },
    );
}
