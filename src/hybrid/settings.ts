/**
 * Hybrid storage (seed 004's HybridStorage): the settings a bot cannot run without — strategies,
 * risk configs and bot status — mirrored to CSV files so a bot can still read them while the
 * database is unreachable.
 *
 * - Writes go to the database through the ordinary services; after the commit, the affected table
 *   is written whole to its file (temp file, fsync, rename: a reader never sees half a file).
 * - Reads come from the database. When it cannot be reached, they are served from the files and
 *   `health()` reports `status: degraded`; the next read that reaches the database again serves
 *   from it (and `healthy`).
 * - Writes while the database is unreachable are refused with `SettingsUnavailableError`: a
 *   setting changed only in a file would be lost, or silently overwritten, when the database returns.
 *
 * The files hold every column as tradestore exports it (src/exports/formats.ts): exact decimals as
 * strings, ISO-8601 UTC times, JSON as text; an unquoted empty field is NULL, `""` an empty string.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import type { Store } from '../db/store.ts';
import { reading, type Row } from '../db/transaction.ts';
import { recordSink } from '../exports/formats.ts';
import { withOutput, writeText } from '../exports/output.ts';
import { NotFoundError } from '../input/errors.ts';
import {
  deleteBotStatus,
  getBotStatus,
  listBotStatus,
  setBotStatus,
  type BotStatusView,
} from '../operations/bot-status.ts';
import { type Health, health } from '../operations/inspect.ts';
import {
  getRiskConfig,
  haltAiTrading,
  type HaltInput,
  type PortfolioRiskConfigInput,
  removePortfolioRiskConfig,
  resumeAiTrading,
  riskConfigs,
  type RiskConfigPatch,
  type RiskConfigView,
  setGlobalRiskConfig,
  setPortfolioRiskConfig,
} from '../portfolios/risk-configs.ts';
import {
  activateStrategy,
  deactivateStrategy,
  getStrategy,
  listStrategies,
  type RegisterStrategyInput,
  registerStrategy,
  SELECT_STRATEGY,
  strategyFromRow,
  type StrategyView,
  type UpdateStrategyInput,
  updateStrategy,
} from '../strategies/strategies.ts';
import {
  type Canonical,
  type Column,
  type ColumnKind,
  entityColumnKinds,
  fromTx,
  toSqlite,
} from '../transfer/columns.ts';

/**
 * A settings write refused because the database cannot be reached; nothing was changed. Not a
 * RefusedError: the caller did nothing wrong, and the same call succeeds once the database is back.
 */
export class SettingsUnavailableError extends Error {
  override name = 'SettingsUnavailableError';
  /** The HTTP layer's code for it (503): the service is unavailable, the request was fine. */
  readonly code = 'unavailable';
}

/** The settings tables a hybrid store mirrors, each to its own file. */
export type Mirror = 'strategies' | 'risk_configs' | 'bot_status';

const FILES: Record<Mirror, string> = {
  strategies: 'strategies.csv',
  risk_configs: 'risk_config.csv',
  bot_status: 'bot_status.csv',
};

// Strategies are read with their current version's hash and config (what StrategyView carries).
const EXTRA: Record<Mirror, Column[]> = {
  strategies: [
    { name: 'version_hash', kind: 'text' },
    { name: 'version_config', kind: 'json' },
  ],
  risk_configs: [],
  bot_status: [],
};

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
]);

/** True when `error` (or what it wraps) says the database could not be reached, not that it refused. */
export function isUnreachable(error: unknown): boolean {
  for (
    let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    const code = String(e.code ?? '');
    if (CONNECTION_CODES.has(code) || code.startsWith('08')) return true;
    if (
      /Connection terminated|connection error|timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET/i.test(
        String(e.message ?? ''),
      )
    )
      return true;
  }
  return false;
}

export interface StorageStatus {
  mode: 'hybrid';
  dir: string;
  /** Where reads are served from now. */
  serving: 'database' | 'files';
  /** Since when reads come from the files (ISO), while they do. */
  since: string | null;
  /** Why the database was last unreachable. */
  reason: string | null;
  /** The mirror files and when each was last written (ISO), null when missing. */
  files: Record<string, string | null>;
  /** The last mirror write that failed after a committed change (the files are older than the database). */
  mirrorError: string | null;
}

export type HybridHealth = Omit<Health, 'status'> & {
  status: 'healthy' | 'degraded' | 'unhealthy';
  storage: StorageStatus;
};

/** A CSV field of a mirror file back to its canonical value. */
function fromCsv(kind: ColumnKind, text: string | null): Canonical {
  if (text === null) return null;
  switch (kind) {
    case 'timestamp':
      return Date.parse(text);
    case 'boolean':
      return text === 'true';
    case 'integer':
    case 'float':
      return Number(text);
    default:
      return text;
  }
}

export class HybridSettings {
  readonly dir: string;
  private readonly store: Store;
  private readonly columns: Record<Mirror, Column[]>;
  private down: { since: Date; reason: string } | null = null;
  private mirrorError: string | null = null;

  constructor(store: Store, dir: string) {
    this.store = store;
    this.dir = resolve(dir);
    const kinds = entityColumnKinds(store.orm.getMetadata());
    const own = (table: string) => [...kinds.get(table)!].map(([name, kind]) => ({ name, kind }));
    this.columns = {
      strategies: [...own('strategies'), ...EXTRA.strategies],
      risk_configs: own('risk_configs'),
      bot_status: own('bot_status'),
    };
  }

  /**
   * Writes every mirror file from the database now (at start, and after changes made by other
   * processes); a no-op that reports the database down when it is unreachable.
   */
  async refresh(): Promise<void> {
    try {
      for (const m of Object.keys(FILES) as Mirror[]) await this.mirror(m);
      this.down = null;
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      this.markDown(error);
    }
  }

  status(): StorageStatus {
    const files: Record<string, string | null> = {};
    for (const file of Object.values(FILES)) {
      const path = join(this.dir, file);
      files[file] = existsSync(path) ? statSync(path).mtime.toISOString() : null;
    }
    return {
      mode: 'hybrid',
      dir: this.dir,
      serving: this.down ? 'files' : 'database',
      since: this.down?.since.toISOString() ?? null,
      reason: this.down?.reason ?? null,
      files,
      mirrorError: this.mirrorError,
    };
  }

  /** The database's health, `degraded` while the files serve the reads in its place. */
  async health(): Promise<HybridHealth> {
    const h = await health(this.store);
    if (h.status === 'healthy') {
      this.down = null;
      return { ...h, storage: this.status() };
    }
    this.markDown(new Error(h.error ?? 'unreachable'));
    const storage = this.status();
    const haveFiles = Object.values(storage.files).every((f) => f !== null);
    return { ...h, status: haveFiles ? 'degraded' : 'unhealthy', storage };
  }

  // ---- writes: the database first, then the mirror --------------------------------------------

  registerStrategy(input: RegisterStrategyInput) {
    return this.write('strategies', () => registerStrategy(this.store, input));
  }

  updateStrategy(input: UpdateStrategyInput) {
    return this.write('strategies', () => updateStrategy(this.store, input));
  }

  activateStrategy(strategy: number | string) {
    return this.write('strategies', () => activateStrategy(this.store, strategy));
  }

  deactivateStrategy(strategy: number | string) {
    return this.write('strategies', () => deactivateStrategy(this.store, strategy));
  }

  setGlobalRiskConfig(patch: RiskConfigPatch) {
    return this.write('risk_configs', () => setGlobalRiskConfig(this.store, patch));
  }

  setPortfolioRiskConfig(input: PortfolioRiskConfigInput) {
    return this.write('risk_configs', () => setPortfolioRiskConfig(this.store, input));
  }

  removePortfolioRiskConfig(input: { portfolioId: number }) {
    return this.write('risk_configs', () => removePortfolioRiskConfig(this.store, input));
  }

  haltAiTrading(input: HaltInput) {
    return this.write('risk_configs', () => haltAiTrading(this.store, input));
  }

  resumeAiTrading(input: HaltInput) {
    return this.write('risk_configs', () => resumeAiTrading(this.store, input));
  }

  setBotStatus(key: string, value: unknown, options: { botVersion?: string | null } = {}) {
    return this.write('bot_status', () => setBotStatus(this.store, key, value, options));
  }

  deleteBotStatus(key: string) {
    return this.write('bot_status', () => deleteBotStatus(this.store, key));
  }

  // ---- reads: the database, or the files while it is unreachable ------------------------------

  async listStrategies(query: { active?: boolean } = {}): Promise<StrategyView[]> {
    return this.read(
      () => listStrategies(this.store, query),
      () =>
        this.fileRows('strategies')
          .map(strategyFromRow)
          .filter((s) => query.active === undefined || s.isActive === query.active)
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    );
  }

  async getStrategy(strategy: number | string): Promise<StrategyView> {
    return this.read(
      () => getStrategy(this.store, strategy),
      () => {
        const found = this.fileRows('strategies')
          .map(strategyFromRow)
          .find((s) => (typeof strategy === 'number' ? s.id === strategy : s.name === strategy));
        if (!found)
          throw new NotFoundError(
            `strategy ${strategy} is not in ${FILES.strategies} (the database is unreachable)`,
          );
        return found;
      },
    );
  }

  async getRiskConfig(input: { portfolioId?: number | null } = {}): Promise<RiskConfigView | null> {
    const portfolioId = input.portfolioId ?? null;
    return this.read(
      () => getRiskConfig(this.store, input),
      () =>
        this.fileRows('risk_configs')
          .map(riskConfigs.fromRow)
          .find((r) => r.portfolioId === portfolioId) ?? null,
    );
  }

  async listBotStatus(options: { prefix?: string } = {}): Promise<BotStatusView[]> {
    return this.read(
      () => listBotStatus(this.store, options),
      () =>
        this.fileEntries()
          .filter((e) => options.prefix === undefined || e.key.startsWith(options.prefix))
          .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    );
  }

  async getBotStatus(key: string): Promise<BotStatusView | null> {
    return this.read(
      () => getBotStatus(this.store, key),
      () => this.fileEntries().find((e) => e.key === key) ?? null,
    );
  }

  // ---- machinery ------------------------------------------------------------------------------

  private markDown(error: unknown): void {
    this.down ??= { since: new Date(), reason: String((error as Error).message ?? error) };
  }

  /**
   * Runs one settings change and mirrors its table after the commit: the one path every writer
   * (these methods, the HTTP routes, the CLI) takes, so no write of a mirrored table skips its file.
   */
  async write<T>(mirror: Mirror, change: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await change();
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      this.markDown(error);
      throw new SettingsUnavailableError(
        `the database is unreachable (${(error as Error).message}): ${mirror.replace('_', ' ')} cannot be changed until it is back; the files in ${this.dir} are read-only copies. The change was not made.`,
      );
    }
    this.down = null;
    try {
      await this.mirror(mirror);
      this.mirrorError = null;
    } catch (error) {
      // The change is committed; only its copy is behind. Said in status(), fixed by the next write or refresh().
      this.mirrorError = `${FILES[mirror]}: ${(error as Error).message}`;
    }
    return result;
  }

  private async read<T>(fromDb: () => Promise<T>, fromFiles: () => T): Promise<T> {
    try {
      const result = await fromDb();
      this.down = null;
      return result;
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      this.markDown(error);
      return fromFiles();
    }
  }

  /** The table as its file holds it, each row in the form the services' row readers take. */
  private fileRows(mirror: Mirror): Row[] {
    const path = join(this.dir, FILES[mirror]);
    if (!existsSync(path)) {
      throw new SettingsUnavailableError(
        `the database is unreachable and ${path} does not exist (nothing was mirrored yet)`,
      );
    }
    const records = parse(readFileSync(path, 'utf8'), {
      columns: true,
      cast: (value, context) => (value === '' && !context.quoting ? null : value),
    }) as Array<Record<string, string | null>>;
    const columns = this.columns[mirror];
    return records.map((record) =>
      Object.fromEntries(
        columns.map((c) => [c.name, toSqlite(c.kind, fromCsv(c.kind, record[c.name] ?? null))]),
      ),
    );
  }

  private fileEntries(): BotStatusView[] {
    return this.fileRows('bot_status').map((r) => ({
      key: String(r.key),
      value: r.value === null ? null : JSON.parse(String(r.value)),
      botVersion: r.bot_version === null ? null : String(r.bot_version),
      updatedAt: new Date(Number(r.updated_at)),
    }));
  }

  private async mirror(mirror: Mirror): Promise<void> {
    const columns = this.columns[mirror];
    const own = columns.length - EXTRA[mirror].length;
    const select =
      mirror === 'strategies'
        ? `${SELECT_STRATEGY} order by s.id`
        : `select ${columns
            .slice(0, own)
            .map((c) => c.name)
            .join(', ')} from ${mirror} order by ${mirror === 'bot_status' ? 'key' : 'id'}`;
    const raw = await reading(this.store, (tx) => tx.all(select));
    const rows = raw.map((r) => columns.map((c) => fromTx(this.store.dialect, c.kind, r[c.name])));
    // The settings tables are small: the file is built in memory and rewritten only when it changed.
    const buffer = new PassThrough();
    const chunks: Buffer[] = [];
    buffer.on('data', (c: Buffer) => chunks.push(c));
    const sink = recordSink('csv', columns, buffer);
    await sink.rows(rows);
    await sink.end();
    const text = Buffer.concat(chunks);
    const path = join(this.dir, FILES[mirror]);
    if (existsSync(path) && readFileSync(path).equals(text)) return;
    mkdirSync(this.dir, { recursive: true });
    await withOutput(path, (out) => writeText(out, text));
  }

  /**
   * Refreshes the files from the database every `intervalMs`, so changes made around this object
   * (other processes, the CLI, routes calling the services directly) reach them too. Returns the stop.
   */
  startRefresh(intervalMs: number): () => void {
    const timer = setInterval(() => {
      this.refresh().catch((error: Error) => {
        this.mirrorError = `refresh: ${error.message}`;
      });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
