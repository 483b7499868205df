/** `tradestore strategies|ideas|positions|performance` against both databases. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { main } from '../../src/cli/main.ts';
import { actOnSignal } from '../../src/execution/chain.ts';
import { queueTradeIdea } from '../../src/execution/ideas.ts';
import { eachDialect } from '../support/dialects.ts';
import { createAssets, createTestPortfolio, createUser, openGate } from './fixtures.ts';

/** Runs the CLI in this process (a child process per call costs seconds), capturing its output. */
async function tradestore(
  url: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const listeners = process.stdout.listeners('error');
  const out = process.stdout.write;
  const err = process.stderr.write;
  // The CLI writes strings; the test runner's own protocol goes through as bytes, untouched.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== 'string') return out.call(process.stdout, chunk, ...rest);
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== 'string') return err.call(process.stderr, chunk, ...rest);
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'tradestore', '--db', url, ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = undefined;
    // main() adds an EPIPE handler per run; drop ours so repeated runs do not pile them up.
    for (const l of process.stdout.listeners('error')) {
      if (!listeners.includes(l)) process.stdout.removeListener('error', l as (...a: unknown[]) => void);
    }
  }
}

eachDialect('trading CLI', (ctx) => {
  let trader = { id: 0, email: '' };
  let portfolioId = 0;
  let asset = 0;

  before(async () => {
    trader = await createUser(ctx.store);
    portfolioId = (await createTestPortfolio(ctx.store, trader.id)).id;
    [asset] = (await createAssets(ctx.store, ['BTC/USDT'], `cli-${ctx.dialect}`)) as [number];
  });

  test('strategies register, list, deactivate', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tradestore-strategy-')), 'trend.json');
    writeFileSync(
      file,
      JSON.stringify({ name: 'cli-trend', allowedSymbols: ['BTC/USDT'], rrExpectation: 2 }),
    );
    const first = await tradestore(ctx.url, ['strategies', 'register', file, '--json']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).versionCreated, true);
    const again = await tradestore(ctx.url, ['strategies', 'register', file]);
    assert.match(again.stdout, /updated cli-trend .*\(unchanged\)/);
    const list = await tradestore(ctx.url, ['strategies', 'list', '--json']);
    const rows = JSON.parse(list.stdout) as Array<{ name: string; isActive: boolean }>;
    assert.ok(rows.some((r) => r.name === 'cli-trend' && r.isActive));
    assert.equal((await tradestore(ctx.url, ['strategies', 'deactivate', 'cli-trend'])).code, 0);
    const inactive = JSON.parse(
      (await tradestore(ctx.url, ['strategies', 'list', '--inactive', '--json'])).stdout,
    );
    assert.deepEqual(
      inactive.map((r: { name: string }) => r.name),
      ['cli-trend'],
    );
    await tradestore(ctx.url, ['strategies', 'activate', 'cli-trend']);
  });

  test('ideas list and approve; positions; performance', async () => {
    await openGate(ctx.store, { aiTradingEnabled: false });
    const strategyId = (
      JSON.parse((await tradestore(ctx.url, ['strategies', 'list', '--json'])).stdout) as Array<{
        id: number;
        name: string;
      }>
    ).find((s) => s.name === 'cli-trend')!.id;
    const pending = await actOnSignal(ctx.store, {
      signal: {
        portfolioId,
        strategyId,
        assetId: asset,
        price: '100',
        action: 'buy',
        confidence: 0.9,
        quantity: '1',
      },
    });
    const list = await tradestore(ctx.url, ['ideas', 'list', '--status', 'needs_approval', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const ids = JSON.parse(list.stdout).items.map((i: { id: number }) => i.id);
    assert.ok(ids.includes(pending.proposal!.idea.id));
    const refused = await tradestore(ctx.url, ['ideas', 'approve', String(pending.proposal!.idea.id)]);
    assert.equal(refused.code, 2, 'missing --user is a usage error');
    const approved = await tradestore(ctx.url, [
      'ideas',
      'approve',
      String(pending.proposal!.idea.id),
      '--user',
      trader.email,
      '--json',
    ]);
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal(JSON.parse(approved.stdout).idea.status, 'approved');
    const twice = await tradestore(ctx.url, [
      'ideas',
      'reject',
      String(pending.proposal!.idea.id),
      '--user',
      trader.email,
    ]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /illegal trade_idea status transition 'approved' -> 'rejected'/);

    // Approval re-runs the hard limits: tightened since the proposal, the idea is halted, exit 1.
    await openGate(ctx.store, { aiTradingEnabled: false, maxLotSize: '5' });
    const sized = await actOnSignal(ctx.store, {
      signal: {
        portfolioId,
        strategyId,
        assetId: asset,
        price: '100',
        action: 'buy',
        confidence: 0.9,
        quantity: '2',
      },
    });
    await openGate(ctx.store, { aiTradingEnabled: false, maxLotSize: '1' });
    const halted = await tradestore(ctx.url, [
      'ideas',
      'approve',
      String(sized.proposal!.idea.id),
      '--user',
      trader.email,
    ]);
    assert.equal(halted.code, 1);
    assert.match(halted.stdout, /is halted_by_risk \(by risk\)/);
    assert.match(halted.stderr, /not approved: .*max_lot_size: quantity 2 > max lot size 1/);

    // A queued idea is evaluated from the shell: the failed rule is printed.
    const queued = await queueTradeIdea(ctx.store, {
      portfolioId,
      assetId: asset,
      direction: 'long',
      quantity: '2',
      confidence: 0.9,
    });
    const evaluated = await tradestore(ctx.url, ['ideas', 'evaluate', String(queued.id)]);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    assert.match(
      evaluated.stdout,
      /is halted_by_risk\n(.*\n)* {2}max_lot_size: quantity 2 > max lot size 1\n/,
    );
    const again = await tradestore(ctx.url, ['ideas', 'evaluate', String(queued.id)]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /only waiting ideas are evaluated/);

    await openGate(ctx.store);
    for (const [action, price] of [
      ['buy', '100'],
      ['sell', '125'],
    ] as const) {
      await actOnSignal(ctx.store, {
        signal: { portfolioId, strategyId, assetId: asset, price, action, confidence: 0.9, quantity: '2' },
        idea: { stopLoss: action === 'buy' ? '90' : '130' },
        fill: {},
      });
    }
    const positions = await tradestore(ctx.url, ['positions', String(portfolioId), '--all', '--json']);
    assert.equal(JSON.parse(positions.stdout).items[0].status, 'closed');
    const perf = await tradestore(ctx.url, ['performance', '--strategy', 'cli-trend', '--json']);
    assert.equal(perf.code, 0, perf.stderr);
    const [row] = JSON.parse(perf.stdout);
    assert.equal(row.tradeCount, 1);
    assert.equal(row.totalPnl, '50');
    assert.equal(row.avgRMultiple, '2.5');
    const text = await tradestore(ctx.url, ['performance', '--portfolio', String(portfolioId)]);
    assert.match(text.stdout, /total pnl 50/);
  });
});
