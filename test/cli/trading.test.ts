/**
 * The trading commands in child processes, as a shell runs them: one exit code per kind of
 * mistake (2 for a bad flag, before the database is opened; 1 for a portfolio, strategy or idea
 * that does not exist), strategies addressed by --id/--name, and re-registration that says
 * whether it replaced or merged the config.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { getStrategy, listStrategyVersions, registerStrategy } from '../../src/strategies/strategies.ts';
import { unique } from '../execution/fixtures.ts';
import { type CliResult, spawnCli } from '../support/cli.ts';
import { eachDialect } from '../support/dialects.ts';

const MISSING = '987654';

eachDialect('trading CLI: exit codes and strategies', (ctx) => {
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-trading-cli-'));
  const cli = (...args: string[]) => spawnCli(['--db', ctx.url, ...args]);
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };

  test('a portfolio, strategy or idea that does not exist is exit 1 with a clear message, everywhere', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['positions', MISSING], new RegExp(`portfolio ${MISSING} does not exist`)],
      [['positions', MISSING, '--all'], new RegExp(`portfolio ${MISSING} does not exist`)],
      [['ideas', 'list', '--portfolio', MISSING], new RegExp(`portfolio ${MISSING} does not exist`)],
      [['performance', '--portfolio', MISSING], new RegExp(`portfolio ${MISSING} does not exist`)],
      [['ideas', 'evaluate', MISSING], new RegExp(`trade idea ${MISSING} does not exist`)],
      [['ideas', 'reject', MISSING, '--user', 'nobody@example.com'], /does not exist/],
      [['strategies', 'activate', '--id', MISSING], new RegExp(`strategy ${MISSING} does not exist`)],
      [['strategies', 'deactivate', '--name', 'no-such'], /strategy named "no-such" does not exist/],
      [['performance', '--strategy-name', 'no-such'], /strategy named "no-such" does not exist/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(...args)));
    results.forEach((r, i) => {
      const [args, message] = cases[i]!;
      assert.equal(r.code, 1, `${args.join(' ')}: exit ${r.code}, ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '', `${args.join(' ')} printed a result`);
    });
  });

  test('a strategy named "42" is addressed with --name; a digit reference still means an id', async () => {
    const name = String(40_000 + Math.floor(Math.random() * 9_999));
    const { strategy } = await registerStrategy(ctx.store, { name });
    const off = await cli('strategies', 'deactivate', '--name', name);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(off.stdout, `${name} is inactive\n`);
    assert.equal((await getStrategy(ctx.store, strategy.id)).isActive, false);
    const byDigits = await cli('strategies', 'activate', name);
    assert.equal(byDigits.code, 1);
    assert.match(byDigits.stderr, new RegExp(`strategy ${name} does not exist`));
    const byId = await cli('strategies', 'activate', '--id', String(strategy.id), '--json');
    assert.equal(byId.code, 0, byId.stderr);
    assert.equal(JSON.parse(byId.stdout).name, name);
    const perf = await cli('performance', '--strategy-name', name, '--json');
    assert.equal(perf.code, 0, perf.stderr);
    assert.equal(JSON.parse(perf.stdout)[0].strategyId, strategy.id);
  });

  test('re-registering gives the whole config or merges with --merge, and says which', async () => {
    const name = unique('rereg');
    const whole = {
      name,
      entryConditions: { rsi: { below: 30 } },
      riskCaps: { maxNotional: 1000 },
      rrExpectation: 2,
    };
    const created = await cli('strategies', 'register', file('whole.json', whole));
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, new RegExp(`registered ${name} .*new config`));

    const partial = file('partial.json', { name, rrExpectation: 3 });
    const refused = await cli('strategies', 'register', partial);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /give its whole config .* or merge \(--merge\)/);
    assert.match(refused.stderr, /entryConditions: set in the config in force, not given/);
    assert.match(refused.stderr, /riskCaps: set in the config in force, not given/);
    const unchanged = await getStrategy(ctx.store, name);
    assert.deepEqual(unchanged.config, {
      entryConditions: whole.entryConditions,
      riskCaps: whole.riskCaps,
      rrExpectation: 2,
    });
    assert.equal((await listStrategyVersions(ctx.store, name)).length, 1);

    const merged = await cli('strategies', 'register', partial, '--merge');
    assert.equal(merged.code, 0, merged.stderr);
    assert.match(merged.stdout, /config merged \(kept: entryConditions, riskCaps\), version \w+ \(new\)/);
    assert.deepEqual((await getStrategy(ctx.store, name)).config, { ...unchanged.config, rrExpectation: 3 });

    // The whole config, a field cleared with null: replaced, and said so.
    const replaced = await cli(
      'strategies',
      'register',
      file('replace.json', { ...whole, riskCaps: null }),
      '--json',
    );
    assert.equal(replaced.code, 0, replaced.stderr);
    const change = JSON.parse(replaced.stdout);
    assert.equal(change.configUpdate, 'replaced');
    assert.deepEqual(change.strategy.config, { entryConditions: whole.entryConditions, rrExpectation: 2 });
  });

  test('register refuses a negative R:R expectation or risk cap, naming the field; nothing is stored', async () => {
    const name = unique('negative');
    const r = await cli(
      'strategies',
      'register',
      file('negative.json', {
        name,
        rrExpectation: -3,
        riskCaps: { maxNotional: 1000, perTrade: { maxLossPct: -2 }, maxDrawdown: '-500' },
      }),
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /rrExpectation: a reward-to-risk ratio is above 0/);
    assert.match(r.stderr, /riskCaps\.perTrade\.maxLossPct: a risk cap cannot be negative \(got -2\)/);
    assert.match(r.stderr, /riskCaps\.maxDrawdown: a risk cap cannot be negative \(got -500\)/);
    assert.doesNotMatch(r.stderr, /maxNotional/);
    await assert.rejects(getStrategy(ctx.store, name), /does not exist/);
  });

  test('with STORAGE_MODE=hybrid, strategies register/deactivate rewrite strategies.csv as they commit', async () => {
    const hybridDir = join(dir, 'hybrid');
    const env = { STORAGE_MODE: 'hybrid', HYBRID_DIR: hybridDir };
    const name = unique('mirrored');
    const spec = file('mirrored.json', { name, rrExpectation: 2 });
    const registered = await spawnCli(['--db', ctx.url, 'strategies', 'register', spec], { env });
    assert.equal(registered.code, 0, registered.stderr);
    const csv = () => readFileSync(join(hybridDir, 'strategies.csv'), 'utf8');
    const row = () =>
      csv()
        .split('\n')
        .find((line) => line.includes(name)) ?? '';
    assert.match(row(), /,true,/, 'registered active');
    const deactivated = await spawnCli(['--db', ctx.url, 'strategies', 'deactivate', '--name', name], {
      env,
    });
    assert.equal(deactivated.code, 0, deactivated.stderr);
    assert.match(row(), /,false,/, 'the file follows the deactivation');
    assert.doesNotMatch(row(), /,true,/);
  });
});

// The flags are checked before any database is opened: one run covers both dialects.
test('every bad flag is a usage error (exit 2) naming the flag, before the database is opened', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-trading-cli-'));
  const db = join(dir, 'never.db');
  const p = '1';
  const cases: Array<[string[], RegExp]> = [
    [['performance', '--portfolio', p, '--window', '3x'], /--window "3x" is invalid: window is 'all' or/],
    [['performance', '--portfolio', p, '--window', '0d'], /--window "0d" is invalid/],
    [['performance', '--portfolio', 'abc'], /--portfolio "abc" is invalid/],
    [['performance', '--strategy', 'a', '--strategy-id', '1'], /give one of --strategy, --strategy-id/],
    [['performance'], /give a strategy/],
    [['positions', '1e3'], /portfolio id "1e3" is invalid/],
    [['positions', '0'], /portfolio id 0 is invalid/],
    [['ideas', 'list', '--limit', '20000'], /--limit 20000 is invalid/],
    [['ideas', 'list', '--status', 'maybe'], /--status must be one of/],
    [['ideas', 'approve', '1', '--user', 'not-an-email'], /--user "not-an-email" is invalid/],
    [['ideas', 'evaluate', '-1'], /idea id -1 is invalid/],
    [['strategies', 'activate', '--id', 'x'], /--id "x" is invalid/],
    [['strategies', 'activate', 'a', '--name', 'b'], /give one of <strategy>, --id, --name/],
    [['strategies', 'activate'], /give the strategy/],
  ];
  const results: CliResult[] = await Promise.all(
    cases.map(([args]) => spawnCli(['--db', `sqlite:${db}`, ...args], { cwd: dir })),
  );
  results.forEach((r, i) => {
    const [args, message] = cases[i]!;
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}, ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  });

  assert.equal(existsSync(db), false, 'a command with a bad flag opened the database');
});
