/**
 * The dashboard end to end, in a real browser: Debian's Chromium driven by playwright-core against
 * a real `tradestore serve` process on `db seed --demo` data, once per database. One browser for
 * the whole run (a fresh profile), one server per database; the steps run in order on one page, so
 * a step that needs no reload proves it by a marker set on `window` at sign-in surviving.
 *
 * Every page visited is checked with axe-core (no serious or critical violation, named by rule and
 * target) and saved as a screenshot under test-artifacts/web/ (git-ignored). Without Chromium the
 * suite is skipped (scripts/test.ts says so in one line), and under CI=true it fails there.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { assertAccessible, type Browser, launchBrowser, screenshot } from '../support/browser.ts';
import { ENABLE_CHROMIUM, testChromium } from '../support/chromium.ts';
import { runCli, type Served, startServe, stopServe } from '../support/cli.ts';
import { eachDialect } from '../support/dialects.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const chromiumPath = testChromium();
const ADMIN = 'e2e-admin@example.com';
const PASSWORD = 'end to end passphrase';
const NO_RELOAD = '__tradestoreNoReload';

let browser: Browser | undefined;

describe(
  'the dashboard in Chromium',
  { skip: chromiumPath ? false : `no chromium: ${ENABLE_CHROMIUM}` },
  () => {
    before(async () => {
      // The app as `serve` ships it: built once per run from web/.
      const build = spawnSync('npm', ['run', '-s', 'build:web'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(build.status, 0, `npm run build:web failed:\n${build.stdout}\n${build.stderr}`);
      browser = await launchBrowser(chromiumPath!);
    });
    after(() => browser?.close());

    eachDialect('dashboard', (ctx) => {
      let served: Served;
      let page: Page;
      let token: string;
      const ids = {} as {
        crypto: number;
        btc: number;
        seededIdea: number;
        liveIdea: number;
        testTrade: number;
      };

      async function call(method: string, url: string, body?: unknown) {
        const res = await fetch(`${served.base}${url}`, {
          method,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        assert.ok(res.ok, `${method} ${url}: ${res.status} ${text}`);
        return text ? JSON.parse(text) : null;
      }

      /** axe and a screenshot of the page as it is now. */
      async function visited(name: string) {
        await assertAccessible(page, `${name} [${ctx.dialect}]`);
        await screenshot(page, `${ctx.dialect}-${name}`);
      }

      const nav = (name: string) =>
        page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
      const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
      const stillSamePage = async () =>
        assert.equal(await page.evaluate(`globalThis.${NO_RELOAD}`), true, 'the page was reloaded');

      before(async () => {
        for (const args of [
          ['db', 'seed', '--demo'],
          ['users', 'create', '--email', ADMIN, '--role', 'admin'],
        ]) {
          const r = runCli(['--db', ctx.url, ...args], { stdin: `${PASSWORD}\n` });
          assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        }
        served = await startServe(ctx.url, { SECRET_KEY: 'e2e-secret-key-0123456789abcdef-0123456789' });
        token = (await call('POST', '/auth/login', { email: ADMIN, password: PASSWORD })).access_token;

        // What the demo lacks for these flows: a second idea waiting for a human (approved from
        // outside the browser, so only a live event can show it) and a test-mode trade.
        const portfolios = (await call('GET', '/portfolios')).data as { id: number; name: string }[];
        ids.crypto = portfolios.find((p) => p.name === 'Crypto Paper')!.id;
        const assets = (await call('GET', '/assets?limit=1000')).data as { id: number; symbol: string }[];
        ids.btc = assets.find((a) => a.symbol === 'BTC/USDT')!.id;
        const waiting = (await call('GET', '/trade-ideas?status=needs_approval')).data as { id: number }[];
        assert.equal(waiting.length, 1, 'the demo has one idea needing approval');
        ids.seededIdea = waiting[0]!.id;
        const strategies = (await call('GET', '/strategies?limit=1000')).data as {
          id: number;
          name: string;
        }[];
        const live = await call('POST', '/signals', {
          portfolio_id: ids.crypto,
          strategy_id: strategies.find((s) => s.name === 'Crypto Momentum')!.id,
          asset_id: ids.btc,
          action: 'buy',
          price: '43000',
          quantity: '0.05',
          confidence: 0.3,
          reason: 'e2e: a weak signal the gate sends to a human',
          act: true,
        });
        assert.equal(live.verdict, 'needs_approval', JSON.stringify(live));
        ids.liveIdea = live.idea.id;
        const order = await call('POST', '/orders', {
          portfolio_id: ids.crypto,
          asset_id: ids.btc,
          side: 'buy',
          type: 'market',
          quantity: '0.01',
          test_mode: true,
        });
        await call('POST', `/orders/${order.id}/fills`, { quantity: '0.01', price: '43000' });
        const testTrades = (await call('GET', `/trades?portfolio_id=${ids.crypto}&test_mode=true`)).data;
        assert.equal(testTrades.length, 1, JSON.stringify(testTrades));
        ids.testTrade = testTrades[0].id;

        page = await browser!.context.newPage();
        page.setDefaultTimeout(15_000);
      });
      after(async () => {
        await page?.close();
        if (served) assert.equal(await stopServe(served.child), 0, 'serve stopped cleanly');
      });

      test('sign in: the sign-in form, then the overview of every portfolio', async () => {
        await page.goto(`${served.base}/`);
        await heading(/sign in/i).waitFor();
        await visited('sign-in');
        await page.getByLabel('Email').fill(ADMIN);
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await heading('Overview').waitFor();
        const portfolios = page.getByRole('table', { name: 'Portfolios' });
        await portfolios.getByRole('row', { name: /Crypto Paper/ }).waitFor();
        await portfolios.getByRole('row', { name: /Equities Paper/ }).waitFor();
        await page.evaluate(`globalThis.${NO_RELOAD} = true`);
        await visited('overview');
      });

      test('market: candles of a seeded asset with its trades as markers', async () => {
        await nav('Market').click();
        await heading('Market').waitFor();
        await page.getByLabel('Asset').selectOption({ label: 'BTC/USDT (binance)' });
        const status = page.getByRole('status').filter({ hasText: /candles of BTC\/USDT/ });
        await status.filter({ hasText: /bars with trade markers/ }).waitFor();
        const summary = (await status.textContent()) ?? '';
        const [, candles, marked] =
          /(\d+) \S+ candles of BTC\/USDT.*?(\d+) bars with trade markers/.exec(summary) ?? [];
        assert.ok(Number(candles) > 100, `candles drawn: ${summary}`);
        assert.ok(Number(marked) > 0, `trade markers placed: ${summary}`);
        // lightweight-charts draws into canvases of the chart's size.
        const size = await page
          .locator('.chart canvas')
          .first()
          .evaluate((c) => [
            (c as unknown as { width: number }).width,
            (c as unknown as { height: number }).height,
          ]);
        assert.ok(
          size.every((n) => n > 100),
          `chart canvas ${JSON.stringify(size)}`,
        );
        const trades = page.getByRole('table', { name: 'Trades on the BTC/USDT chart' });
        assert.ok((await trades.getByRole('row').count()) > 1, 'the markers are listed for keyboard users');
        await visited('market');

        // A marker's trade opens the chain behind it: signal → idea → decisions → orders → fills → trade.
        await trades.getByRole('link').first().click();
        await heading(/^Trade #\d+: the chain behind it$/).waitFor();
        for (const step of ['Signal', 'Idea', 'Decisions', 'Orders', 'Fills', 'Trade'])
          await page.getByRole('heading', { level: 2, name: step, exact: true }).waitFor();
        await visited('trade-chain');
      });

      test('trade ideas: approve the queued idea; an approval from elsewhere arrives live', async () => {
        await nav('Trade ideas').click();
        await heading('Trade ideas').waitFor();
        const card = page.getByRole('article', { name: new RegExp(`^Idea #${ids.seededIdea}:`) });
        await card.waitFor();
        await visited('trade-ideas');
        const timeline = page.getByRole('list', { name: /^Decisions/ });
        await card.getByLabel(`Reason for idea #${ids.seededIdea}`).fill('e2e: checked by hand');
        await card.getByRole('button', { name: 'Approve' }).click();
        await timeline
          .getByRole('listitem')
          .filter({ hasText: `idea #${ids.seededIdea}` })
          .filter({ hasText: /approved/ })
          .filter({ hasText: 'e2e: checked by hand' })
          .waitFor();
        await card.waitFor({ state: 'detached' });

        // Another client approves the second idea: the page hears it through /events.
        await call('POST', `/trade-ideas/${ids.liveIdea}/approve`, { reason: 'e2e: approved over the API' });
        await timeline
          .getByRole('listitem')
          .filter({ hasText: `idea #${ids.liveIdea}` })
          .filter({ hasText: 'e2e: approved over the API' })
          .waitFor();
        await page
          .getByRole('article', { name: new RegExp(`^Idea #${ids.liveIdea}:`) })
          .waitFor({ state: 'detached' });
        await stillSamePage();
        await visited('trade-ideas-decided');
      });

      test('tables: the test-data toggle shows and hides test-mode trades', async () => {
        await nav('Tables').click();
        await heading('Tables').waitFor();
        const trades = page.getByRole('table', { name: 'Trades' });
        const testRow = trades
          .getByRole('row')
          .filter({ has: page.getByRole('link', { name: `Trade ${ids.testTrade}: its chain` }) });
        await trades.getByRole('row').nth(1).waitFor();
        assert.equal(await testRow.count(), 0, 'test data is hidden by default');
        const toggle = page.getByRole('checkbox', { name: 'Show test data' });
        await toggle.check();
        await testRow.waitFor();
        await visited('tables-test-data');
        await toggle.uncheck();
        await testRow.waitFor({ state: 'detached' });
        await stillSamePage();
      });

      test('settings: switching the time zone is stored on the server and changes every displayed time', async () => {
        const trades = page.getByRole('table', { name: 'Trades' });
        const firstTime = () =>
          trades
            .getByRole('row')
            .nth(1)
            .getByRole('cell')
            .filter({ hasText: /\d{2}:\d{2}:\d{2}/ })
            .first()
            .textContent();
        const inUtc = await firstTime();
        assert.match(inUtc ?? '', /UTC/, `times start in UTC: ${inUtc}`);

        await nav('Settings').click();
        await heading('Settings').waitFor();
        await page.getByRole('combobox', { name: 'Time zone' }).selectOption('Asia/Tokyo');
        await page.getByRole('button', { name: 'Save time zone' }).click();
        await page.getByRole('status').filter({ hasText: 'Time zone saved: Asia/Tokyo' }).waitFor();
        await visited('settings');
        assert.equal(
          (await call('GET', '/auth/me')).time_zone,
          'Asia/Tokyo',
          'the zone is stored server-side',
        );

        await nav('Tables').click();
        await trades.getByRole('row').nth(1).waitFor();
        const afterSwitch = await firstTime();
        assert.notEqual(afterSwitch, inUtc);
        assert.match(afterSwitch ?? '', /GMT\+9|JST/, `times are shown in Tokyo time: ${afterSwitch}`);
        await stillSamePage();
      });

      test('a phone-wide viewport (390 px): the overview fits without sideways scrolling', async () => {
        await page.setViewportSize({ width: 390, height: 844 });
        try {
          await page.getByRole('button', { name: 'Menu' }).click();
          await nav('Overview').click();
          await heading('Overview').waitFor();
          const width = await page.evaluate('document.documentElement.scrollWidth');
          assert.ok((width as number) <= 390, `the page is ${width} px wide at a 390 px viewport`);
          await visited('overview-phone');
        } finally {
          await page.setViewportSize({ width: 1280, height: 800 });
        }
      });
    });
  },
);
