/** `tradestore migrate …`: status, history, up, down, create, check, stamp, sql. */
import type { Command } from 'commander';
import { DIALECTS, type Dialect } from '../db/url.ts';
import type { DroppedData } from '../migrate/history.ts';
import type { ProgressEvent } from '../migrate/runner.ts';
import { configFor, UsageError, withStore } from './context.ts';
import { info, printJson, printTable } from './output.ts';

const json = ['--json', 'print JSON'] as const;

/** The migration services, loaded when a migrate command runs: `--help` needs none of them. */
async function services() {
  return {
    ...(await import('../migrate/files.ts')),
    ...(await import('../migrate/runner.ts')),
    ...(await import('../migrate/safety-backup.ts')),
  };
}

function stepLine(verb: string, e: ProgressEvent, describeDropped: (d: DroppedData[]) => string): string {
  const dropped = e.dropped.length > 0 ? `; dropped data: ${describeDropped(e.dropped)}` : '';
  return `${verb} ${e.name} (${e.ms} ms)${dropped}`;
}

export function registerMigrate(program: Command): void {
  const migrate = program.command('migrate').description('schema migrations (one folder per dialect)');
  migrateStatusCommand(migrate);
  migrateHistoryCommand(migrate);
  migrateUpCommand(migrate);
  migrateDownCommand(migrate);
  migrateCreateCommand(migrate);
  migrateCheckCommand(migrate);
  migrateStampCommand(migrate);
  migrateSqlCommand(migrate);
}

/** `tradestore migrate status`. */
function migrateStatusCommand(migrate: Command): void {
  migrate
    .command('status')
    .description('applied, pending and current migration')
    .option(...json)
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      withStore(cmd, async (store) => {
        const { migrationState } = await services();
        const s = await migrationState(store);
        const out = {
          dialect: store.dialect,
          current: s.current,
          applied: s.applied.length,
          pending: s.pending.map((p) => p.name),
          edited: s.edited.map((e) => e.name),
          unknown: s.unknown,
        };
        if (opts.json) printJson(out);
        else {
          info(
            `${store.dialect} ${store.target.display}: current ${s.current ?? '(none)'}, ${s.applied.length} applied, ${s.pending.length} pending`,
          );
          for (const p of s.pending) info(`  pending  ${p.name}`);
          for (const e of s.edited) info(`  EDITED   ${e.name} (changed after it was applied)`);
          for (const u of s.unknown) info(`  unknown  ${u} (applied, no file here)`);
        }
        if (s.edited.length > 0) process.exitCode = 1;
      }),
    );
}

/** `tradestore migrate history`. */
function migrateHistoryCommand(migrate: Command): void {
  migrate
    .command('history')
    .description('applied migrations with time and duration')
    .option(...json)
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      withStore(cmd, async (store) => {
        const { migrationState } = await services();
        const s = await migrationState(store);
        const rows = s.applied.map((a) => ({
          name: a.name,
          applied_at: a.appliedAt,
          ms: a.executionMs,
          checksum: a.checksum.slice(0, 12),
        }));
        if (opts.json) printJson(rows);
        else printTable(rows);
      }),
    );
}

/** `tradestore migrate up`. */
function migrateUpCommand(migrate: Command): void {
  migrate
    .command('up')
    .description('apply pending migrations')
    .option('--to <name>', 'stop after this migration')
    .option('--no-backup', 'skip the backup of a non-empty SQLite file')
    .option(...json)
    .action(async (opts: { to?: string; backup: boolean; json?: boolean }, cmd: Command) =>
      withStore(
        cmd,
        async (store) => {
          const { backupBeforeMigrate, describeDropped, migrateUp } = await services();
          const result = await migrateUp(store, {
            ...(opts.to ? { to: opts.to } : {}),
            ...(opts.backup ? { backup: backupBeforeMigrate } : {}),
            onBackup: (path) => opts.json || info(`backup of the database before migrating: ${path}`),
            onStep: (e) => opts.json || info(stepLine('applied', e, describeDropped)),
          });
          if (opts.json) printJson(result);
          else if (result.applied.length === 0) info('nothing to apply: the database is up to date');
        },
        { creates: true },
      ),
    );
}

/** `tradestore migrate down`. */
function migrateDownCommand(migrate: Command): void {
  migrate
    .command('down')
    .description('revert migrations (default: the last one)')
    .option('--to <name>', 'revert everything after this migration')
    .option('--step <n>', 'revert the last n migrations', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1)
        throw new UsageError(`--step ${v}: accepted: a whole number, 1 or more`);
      return n;
    })
    .option('--all', 'revert every migration')
    .option(
      '--no-backup',
      'skip the backup of a database holding data (SQLite beside the file, PostgreSQL pg_dump)',
    )
    .option(...json)
    .action(
      async (
        opts: { to?: string; step?: number; all?: boolean; backup: boolean; json?: boolean },
        cmd: Command,
      ) => {
        if ([opts.to, opts.step, opts.all].filter((v) => v !== undefined).length > 1) {
          throw new UsageError('migrate down takes one of --to, --step or --all');
        }
        await withStore(cmd, async (store) => {
          const { describeDropped, migrateDown, safetyBackup } = await services();
          const result = await migrateDown(store, {
            ...(opts.to !== undefined ? { to: opts.to } : {}),
            ...(opts.step !== undefined ? { step: opts.step } : {}),
            ...(opts.all ? { all: true } : {}),
            ...(opts.backup ? { backup: (s) => safetyBackup(s, 'migrate') } : {}),
            onBackup: (path) => opts.json || info(`backup of the database before reverting: ${path}`),
            onStep: (e) => opts.json || info(stepLine('reverted', e, describeDropped)),
          });
          if (opts.json) printJson(result);
          else if (result.reverted.length === 0) info('nothing to revert');
        });
      },
    );
}

/** `tradestore migrate create`. */
function migrateCreateCommand(migrate: Command): void {
  migrate
    .command('create <name>')
    .description('generate the migration for both dialects from entity changes')
    .option('--pg <url>', 'PostgreSQL server for the scratch database (default TEST_DATABASE_URL)')
    .option('--dialect <dialect>', 'only this dialect (sqlite or postgresql)')
    .option(...json)
    .action(async (name: string, opts: { pg?: string; dialect?: string; json?: boolean }) => {
      const { loadConfig } = await import('../config/env.ts');
      loadConfig();
      if (opts.dialect && !DIALECTS.includes(opts.dialect as Dialect)) {
        throw new UsageError(`--dialect ${opts.dialect}: accepted: sqlite or postgresql`);
      }
      // The schema generator loads the ORM and the pg driver: only these two commands need it.
      const { createMigrations } = await import('../migrate/generate.ts');
      const created = await createMigrations(name, {
        ...(opts.pg ? { serverUrl: opts.pg } : {}),
        ...(opts.dialect ? { dialects: [opts.dialect as Dialect] } : {}),
      });
      if (opts.json) printJson(created);
      else if (created.length === 0) info('no changes: the entities match the migrations, nothing written');
      else for (const c of created) info(`wrote ${c.path} (${c.statements} statements)`);
    });
}

/** `tradestore migrate check`. */
function migrateCheckCommand(migrate: Command): void {
  migrate
    .command('check')
    .description('exit 1 when entities changed without a migration or the live database differs')
    .option('--pg <url>', 'PostgreSQL server for the scratch database (default TEST_DATABASE_URL)')
    .option(...json)
    .action(async (opts: { pg?: string; json?: boolean }, cmd: Command) =>
      withStore(cmd, async (store) => {
        const { checkSchema } = await import('../migrate/generate.ts');
        const report = await checkSchema(store, opts.pg ? { serverUrl: opts.pg } : {});
        const ok =
          !report.unmigrated &&
          report.live.extra.length === 0 &&
          report.live.missing.length === 0 &&
          report.edited.length === 0;
        if (opts.json) printJson({ ok, ...report });
        else {
          for (const e of report.edited) info(e);
          if (report.unmigrated)
            info(
              `entities changed without a migration; \`migrate create\` would write:\n${report.unmigrated}`,
            );
          for (const f of report.live.missing) info(`- expected, not in the live database: ${f}`);
          for (const f of report.live.extra) info(`+ in the live database, not in the migrations: ${f}`);
          if (ok) info('ok: entities, migrations and the live database agree');
        }
        if (!ok) process.exitCode = 1;
      }),
    );
}

/** `tradestore migrate stamp`. */
function migrateStampCommand(migrate: Command): void {
  migrate
    .command('stamp [name]')
    .description('mark migrations as applied without running them (adopt an existing database)')
    .option('--initial', 'stamp only the first migration')
    .option(...json)
    .action(async (name: string | undefined, opts: { initial?: boolean; json?: boolean }, cmd: Command) => {
      if (!name && !opts.initial) throw new UsageError('migrate stamp needs a migration name or --initial');
      await withStore(cmd, async (store) => {
        const { stampMigrations } = await services();
        const result = await stampMigrations(store, {
          ...(name ? { name } : {}),
          initial: Boolean(opts.initial),
        });
        if (opts.json) printJson(result);
        else info(result.stamped.length ? `stamped ${result.stamped.join(', ')}` : 'nothing to stamp');
      });
    });
}

/** `tradestore migrate sql`. */
function migrateSqlCommand(migrate: Command): void {
  migrate
    .command('sql')
    .description('print migration SQL offline (no database, no files written)')
    .option('--from <name>', 'after this migration')
    .option('--to <name>', 'through this migration')
    .option('--dialect <dialect>', 'sqlite or postgresql (default: from --db / DATABASE_URL)')
    .action(async (opts: { from?: string; to?: string; dialect?: string }, cmd: Command) => {
      const dialect = (opts.dialect ??
        (configFor(cmd).DATABASE_URL.startsWith('sqlite:') ? 'sqlite' : 'postgresql')) as Dialect;
      if (!DIALECTS.includes(dialect))
        throw new UsageError(`--dialect ${dialect}: accepted: sqlite or postgresql`);
      const { migrationSql, readMigrations } = await services();
      for (const m of migrationSql(readMigrations(dialect), opts)) {
        process.stdout.write(`-- ${m.name}\n${m.sql}\n\n`);
      }
    });
}
