/**
 * The app's shell: the header with the navigation, the live-events indicator and sign-out; the
 * page in `<main>`; the sign-in (or first-run) page while nobody is signed in.
 */
import './styles.css';
import { onSignedOut, signOut, signedIn } from './api.ts';
import { h, fill } from './dom.ts';
import { onLiveState, startLive, stopLive } from './live.ts';
import { href, onNavigate, resolve, route, startPage, startRouter, stopPage, appPath } from './router.ts';
import { clearMe, isAdmin, loadMe, me } from './state.ts';
import { signInPage } from './pages/signin.ts';
import { overviewPage } from './pages/overview.ts';
import { marketPage } from './pages/market.ts';
import { ideasPage, chainPage } from './pages/ideas.ts';
import { tablesPage } from './pages/tables.ts';
import { strategiesPage } from './pages/strategies.ts';
import { settingsPage } from './pages/settings.ts';
import { apiKeysPage } from './pages/api-keys.ts';
import { usersPage } from './pages/users.ts';

const root = document.getElementById('app')!;

route('/', 'Overview', overviewPage);
route('/overview', 'Overview', overviewPage);
route('/market', 'Market', marketPage);
route('/ideas', 'Trade ideas', ideasPage);
route('/trades/:id/chain', 'Trade chain', chainPage);
route('/tables', 'Tables', tablesPage);
route('/tables/:kind', 'Tables', tablesPage);
route('/strategies', 'Strategies', strategiesPage);
route('/settings', 'Settings', settingsPage);
route('/api-keys', 'API keys', apiKeysPage);
route('/users', 'Users', usersPage);
route('/.*', 'Not found', ({ main }) => {
  fill(
    main,
    h('h1', null, 'Page not found'),
    h('p', null, h('a', { href: href('/') }, 'Back to the overview')),
  );
});

const NAV: Array<[path: string, label: string, adminOnly?: boolean]> = [
  ['/', 'Overview'],
  ['/market', 'Market'],
  ['/ideas', 'Trade ideas'],
  ['/tables', 'Tables'],
  ['/strategies', 'Strategies'],
  ['/settings', 'Settings'],
  ['/api-keys', 'API keys'],
  ['/users', 'Users', true],
];

function shell(): { main: HTMLElement; nav: HTMLElement } {
  const nav = h('ul', { class: 'nav-links' });
  const live = h('span', { class: 'live', attrs: { role: 'status' } });
  onLiveState((s) => {
    live.textContent = s === 'live' ? 'Live' : s === 'off' ? 'Offline' : 'Connecting…';
    live.dataset.state = s;
  });
  const menu = h(
    'button',
    { type: 'button', class: 'menu', attrs: { 'aria-expanded': 'false', 'aria-controls': 'nav' } },
    'Menu',
  );
  const navEl = h('nav', { id: 'nav', attrs: { 'aria-label': 'Main' } }, nav);
  menu.addEventListener('click', () => {
    const open = menu.getAttribute('aria-expanded') !== 'true';
    menu.setAttribute('aria-expanded', String(open));
    navEl.classList.toggle('open', open);
  });
  nav.addEventListener('click', (e) => {
    if ((e.target as Element).closest('a')) {
      menu.setAttribute('aria-expanded', 'false');
      navEl.classList.remove('open');
    }
  });
  const main = h('main', { id: 'main', tabIndex: -1 });
  fill(
    root,
    h('a', { class: 'skip', href: '#main' }, 'Skip to content'),
    h(
      'header',
      null,
      h('a', { class: 'brand', href: href('/') }, 'tradestore'),
      menu,
      navEl,
      h(
        'div',
        { class: 'who' },
        live,
        h('span', { class: 'email' }, me?.email ?? ''),
        h('button', { type: 'button', onclick: () => void signOut() }, 'Sign out'),
      ),
    ),
    main,
    h(
      'footer',
      null,
      h('a', { href: '/docs' }, 'API documentation'),
      ' · ',
      h('a', { href: '/openapi.json' }, 'OpenAPI document'),
      ' · Charts by ',
      h('a', { href: 'https://www.tradingview.com/lightweight-charts/' }, 'TradingView Lightweight Charts'),
    ),
  );
  return { main, nav };
}

function renderNav(nav: HTMLElement): void {
  const here = appPath();
  fill(
    nav,
    NAV.filter(([, , adminOnly]) => !adminOnly || isAdmin()).map(([path, label]) => {
      const active = path === '/' ? here === '/' || here === '/overview' : here.startsWith(path);
      return h(
        'li',
        null,
        h('a', { href: href(path), attrs: { 'aria-current': active ? 'page' : undefined } }, label),
      );
    }),
  );
}

async function boot(): Promise<void> {
  stopPage();
  if (!signedIn()) {
    stopLive();
    clearMe();
    const main = h('main', { id: 'main', tabIndex: -1 });
    fill(root, main);
    const { cleanup, signal } = startPage();
    document.title = 'Sign in · tradestore';
    await signInPage(
      { main, params: {}, query: new URLSearchParams(location.search), cleanup, signal },
      boot,
    );
    return;
  }
  try {
    await loadMe();
  } catch {
    // Signed out meanwhile (a refused refresh); onSignedOut re-boots.
    if (!signedIn()) return boot();
  }
  const { main, nav } = shell();
  startLive();
  let first = true;
  onNavigate(async (page, title, params) => {
    const { cleanup, signal } = startPage();
    renderNav(nav);
    document.title = `${title} · tradestore`;
    main.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
    try {
      await page({ main, params, query: new URLSearchParams(location.search), cleanup, signal });
      // After a navigation (not the first load) focus goes to the new page's heading, so a
      // screen reader announces it and Tab continues from the page, not from the old link.
      const heading = main.querySelector('h1');
      if (!first && heading && !signal.aborted) {
        heading.tabIndex = -1;
        heading.focus();
      }
      first = false;
    } catch (error) {
      if (signal.aborted) return;
      fill(
        main,
        h('h1', null, title),
        h('p', { class: 'error', attrs: { role: 'alert' } }, String((error as Error).message ?? error)),
      );
    }
  });
  resolve();
}

onSignedOut(() => void boot());
startRouter();
void boot();
