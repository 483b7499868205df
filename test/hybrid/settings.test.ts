/**
 * Hybrid storage: writes of strategies, risk configs and bot status are mirrored to CSV files after
 * their commit (both databases); and, with PostgreSQL behind a TCP proxy the test stops and
 * starts, reads are served from the files during the outage, /health says degraded, settings
 * writes are refused, and nothing is lost when the database returns.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../../src/api/app.ts';
import { openStore, type Store } from '../../src/db/store.ts';
import { HybridSettings, SettingsUnavailableError } from '../../src/hybrid/settings.ts';
import { migrateUp } from '../../src/migrate/runner.ts';
import { setBotStatus } from '../../src/operations/bot-status.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { eachDialect, PG_ENABLED, scratchUrl } from '../support/dialects.ts';

const snapshot = async (h: HybridSettings) => ({
  strategies: await h.listStrategies(),
  active: await h.listStrategies({ active: true }),
  one: await h.getStrategy('hybrid-breakout'),
  global: await h.getRiskConfig(),
  status: await h.listBotStatus(),
  heartbeat: await h.getBotStatus('heartbeat'),
});

async function writeSome(h: HybridSettings) {
  await h.registerStrategy({
    name: 'hybrid-breakout',
    sourceType: 'manual',
    allowedSymbols: ['BTC/USDT'],
    riskCaps: { maxRisk: '0.02' },
  });
  await h.setGlobalRiskConfig({ maxLotSize: '0.123456789012345678', dailyProfitTarget: '2500.5' });
  await h.setBotStatus('heartbeat', { at: '2026-12-01T08:00:00Z', ok: true, note: '' });
  await h.setBotStatus('empty', '');
}

eachDialect('hybrid storage mirrors settings writes', (ctx) => {
  let hybrid: HybridSettings;
  before(async () => {
    await seedDemo(ctx.store);
    hybrid = new HybridSettings(ctx.store, mkdtempSync(join(tmpdir(), 'tradestore-hybrid-')));
  });

  test('each write lands in the database and its file; the files read back to the same settings', async () => {
    await writeSome(hybrid);
    const csv = readFileSync(join(hybrid.dir, 'strategies.csv'), 'utf8');
    assert.match(csv, /hybrid-breakout/);
    assert.match(readFileSync(join(hybrid.dir, 'risk_config.csv'), 'utf8'), /0\.123456789012345678/);
    const fromDb = await snapshot(hybrid);
    // The same reads served from the files (as during an outage) give the same values.
    const files = hybrid as unknown as { read: (db: unknown, files: () => unknown) => Promise<unknown> };
    const original = files.read;
    files.read = async (_db, fromFiles) => fromFiles();
    try {
      assert.deepEqual(await snapshot(hybrid), fromDb);
    } finally {
      files.read = original;
    }
    assert.equal(fromDb.heartbeat?.value && (fromDb.heartbeat.value as { note: string }).note, '');
    assert.equal((await hybrid.getBotStatus('empty'))?.value, '');
  });

  test('refresh() brings in changes made around it, and leaves an unchanged file alone', async () => {
    const path = join(hybrid.dir, 'bot_status.csv');
    await setBotStatus(ctx.store, 'written-elsewhere', { by: 'another process' });
    assert.doesNotMatch(readFileSync(path, 'utf8'), /written-elsewhere/);
    await hybrid.refresh();
    assert.match(readFileSync(path, 'utf8'), /written-elsewhere/);
    const inode = statSync(path).ino;
    await hybrid.refresh();
    assert.equal(statSync(path).ino, inode, 'not rewritten when nothing changed');
  });

  test('a refused write (bad input) changes neither the database nor the files', async () => {
    const before = readFileSync(join(hybrid.dir, 'risk_config.csv'), 'utf8');
    await assert.rejects(hybrid.setGlobalRiskConfig({ maxLotSize: '-1' }));
    assert.equal(readFileSync(join(hybrid.dir, 'risk_config.csv'), 'utf8'), before);
  });
});

/** A TCP proxy on loopback in front of PostgreSQL that the test stops (refusing and cutting connections) and starts. */
class Proxy {
  port = 0;
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private readonly upstream: { host: string; port: number };

  constructor(upstream: { host: string; port: number }) {
    this.upstream = upstream;
  }

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const server = net.connect(this.upstream.port, this.upstream.host);
      for (const s of [client, server]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(server).pipe(client);
    });
    await new Promise<void>((ok) => server.listen(this.port, '127.0.0.1', ok));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((ok) => server.close(() => ok()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

describe(
  'hybrid storage through a database outage [postgresql]',
  { skip: PG_ENABLED ? false : 'PostgreSQL not available' },
  () => {
    let scratch: { url: string; dispose: () => Promise<void> };
    let proxy: Proxy;
    let store: Store;
    let hybrid: HybridSettings;
    before(async () => {
      scratch = await scratchUrl('postgresql');
      const direct = new URL(scratch.url);
      proxy = new Proxy({ host: direct.hostname, port: Number(direct.port || 5432) });
      await proxy.start();
      const viaProxy = new URL(scratch.url);
      viaProxy.port = String(proxy.port);
      store = await openStore(viaProxy.toString());
      await migrateUp(store);
      await seedDemo(store);
      hybrid = new HybridSettings(store, mkdtempSync(join(tmpdir(), 'tradestore-hybrid-outage-')));
      await hybrid.refresh();
    });
    after(async () => {
      await store?.close().catch(() => {});
      await proxy?.stop();
      await scratch?.dispose();
    });

    test('reads come from the files while the database is down; writes are refused; nothing is lost', async () => {
      const app = buildApp({ store, config: { LOG_LEVEL: 'silent' }, hybrid });
      await writeSome(hybrid);
      const before = await snapshot(hybrid);
      let res = await app.inject('/health');
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().status, 'healthy');
      assert.equal(res.json().storage.serving, 'database');
      const fileHash = () =>
        ['strategies.csv', 'risk_config.csv', 'bot_status.csv']
          .map((f) =>
            createHash('sha256')
              .update(readFileSync(join(hybrid.dir, f)))
              .digest('hex'),
          )
          .join();
      const filesBefore = fileHash();

      await proxy.stop();
      assert.deepEqual(await snapshot(hybrid), before, 'the files serve the same settings');
      assert.equal(hybrid.status().serving, 'files');
      res = await app.inject('/health');
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().status, 'degraded');
      assert.equal(res.json().storage.serving, 'files');
      await assert.rejects(hybrid.setBotStatus('heartbeat', { ok: false }), (e: Error) => {
        assert.ok(e instanceof SettingsUnavailableError);
        assert.match(
          e.message,
          /database is unreachable.*bot status cannot be changed.*The change was not made/s,
        );
        return true;
      });
      await assert.rejects(
        hybrid.registerStrategy({ name: 'during-outage', sourceType: 'manual' }),
        SettingsUnavailableError,
      );
      await assert.rejects(hybrid.setGlobalRiskConfig({ maxLotSize: '9' }), SettingsUnavailableError);
      assert.equal(fileHash(), filesBefore, 'the refused writes did not touch the files');

      await proxy.start();
      assert.deepEqual(await snapshot(hybrid), before, 'the database kept every setting');
      assert.equal(hybrid.status().serving, 'database');
      res = await app.inject('/health');
      assert.equal(res.json().status, 'healthy');
      assert.equal(
        (await hybrid.listStrategies()).some((s) => s.name === 'during-outage'),
        false,
      );
      // Writes work again and are mirrored.
      await hybrid.setBotStatus('heartbeat', { ok: 'back' });
      assert.match(readFileSync(join(hybrid.dir, 'bot_status.csv'), 'utf8'), /back/);
      await app.close();
    });
  },
);
