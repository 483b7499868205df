/** `tradestore serve`: migrate (unless MIGRATE_ON_START=false), then serve HTTP until SIGINT/SIGTERM. */
import type { Command } from 'commander';
import { openStore } from '../db/store.ts';
import { migrateUp } from '../migrate/runner.ts';
import { backupBeforeMigrate } from '../migrate/safety-backup.ts';
import { configFor } from './context.ts';
import { info } from './output.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP API (http://HOST:PORT)')
    .option('--port <port>', 'port, 0 to 65535, 0 for any free one (overrides PORT)')
    .option('--host <host>', 'IP address or host name to listen on (overrides HOST)')
    .action(async (_opts: { port?: string; host?: string }, cmd: Command) => {
      // --port and --host are checked by PORT's and HOST's schema here, before the database is touched.
      const config = configFor(cmd);
      // The HTTP stack loads only for `serve`: other commands stay fast to start. The secret is
      // settled first: a production server without one must refuse before touching the database.
      const { buildApp, resolveSecretKey } = await import('../api/app.ts');
      const secret = resolveSecretKey(config, (message) => info(`warning: ${message}`));
      const store = await openStore(config.DATABASE_URL, {
        poolSize: config.DB_POOL_SIZE,
        statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
        ...(config.REDIS_URL === undefined ? {} : { redisUrl: config.REDIS_URL }),
      });
      if (config.MIGRATE_ON_START) {
        const { applied, backupPath } = await migrateUp(store, { backup: backupBeforeMigrate });
        if (backupPath) info(`backup of the database before migrating: ${backupPath}`);
        if (applied.length > 0) info(`applied ${applied.length} migrations`);
      }
      // Publishes to Redis (REDIS_URL) what any process commits, including what others could not.
      const { runRedisPublisher } = await import('../events/redis-publisher.ts');
      const stopPublisher = runRedisPublisher(store);
      const hybrid =
        config.STORAGE_MODE === 'hybrid'
          ? new (await import('../hybrid/settings.ts')).HybridSettings(store, config.HYBRID_DIR)
          : undefined;
      await hybrid?.refresh();
      const stopRefresh = hybrid?.startRefresh(config.HYBRID_REFRESH_SECONDS * 1000);
      const app = buildApp({
        store,
        config: { ...config, SECRET_KEY: secret },
        ...(hybrid ? { hybrid } : {}),
      });
      await app.listen({ port: config.PORT, host: config.HOST });
      await new Promise<void>((resolve) => {
        const stop = async (signal: string) => {
          app.log.info({ signal }, 'shutting down');
          stopRefresh?.();
          stopPublisher();
          await app.close();
          await store.close();
          resolve();
        };
        process.once('SIGINT', () => void stop('SIGINT'));
        process.once('SIGTERM', () => void stop('SIGTERM'));
      });
    });
}
