/** API keys for bots: create with scopes (and optionally portfolios and an expiry), the key shown once with a copy button, revoke. */
import { api, ok, type Schemas } from '../api.ts';
import { errorText, field, fill, h, statusLine } from '../dom.ts';
import { time } from '../format.ts';
import type { PageContext } from '../router.ts';
import { isAdmin } from '../state.ts';

export async function apiKeysPage({ main, signal }: PageContext): Promise<void> {
  const portfolios = (await ok(api.GET('/portfolios', { params: { query: { limit: 1000 } } }))).data;
  const body = h('tbody');
  const status = statusLine();
  const shown = h('div', { attrs: { 'aria-live': 'polite' } });
  const name = h('input', { type: 'text', required: true, maxLength: 255 });
  const scopes = (['read', 'trade', 'admin'] as const)
    .filter((s) => s !== 'admin' || isAdmin())
    .map((s) => ({ s, box: h('input', { type: 'checkbox', id: `scope-${s}`, checked: s === 'read' }) }));
  const portfolioBoxes = portfolios.map((p) => ({
    p,
    box: h('input', { type: 'checkbox', id: `key-portfolio-${p.id}` }),
  }));
  const expires = h('input', { type: 'date' });
  const create = h('button', { type: 'submit' }, 'Create key');
  const form = h(
    'form',
    { class: 'card' },
    field('Key name', name),
    h(
      'fieldset',
      null,
      h('legend', null, 'Scopes'),
      scopes.map(({ s, box }) => h('div', { class: 'check' }, box, h('label', { htmlFor: box.id }, s))),
    ),
    portfolios.length
      ? h(
          'fieldset',
          null,
          h('legend', null, 'Limit to portfolios (none checked: every portfolio you may reach)'),
          portfolioBoxes.map(({ p, box }) =>
            h('div', { class: 'check' }, box, h('label', { htmlFor: box.id }, p.name)),
          ),
        )
      : null,
    field('Expires on (optional)', expires),
    create,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const chosen = scopes.filter((x) => x.box.checked).map((x) => x.s);
    if (chosen.length === 0) {
      status.textContent = 'Choose at least one scope.';
      return;
    }
    const limited = portfolioBoxes.filter((x) => x.box.checked).map((x) => x.p.id);
    create.disabled = true;
    try {
      const key = await ok(
        api.POST('/api-keys', {
          body: {
            name: name.value,
            scopes: chosen,
            ...(limited.length ? { portfolio_ids: limited } : {}),
            ...(expires.value ? { expires_at: new Date(`${expires.value}T23:59:59Z`).toISOString() } : {}),
          },
        }),
      );
      const k = key as { id: number; key: string };
      const text = h('input', { type: 'text', readOnly: true, value: k.key, id: 'new-key', size: 48 });
      const copy = h('button', { type: 'button' }, 'Copy key');
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(k.key);
          copy.textContent = 'Copied';
        } catch {
          text.select();
          copy.textContent = 'Select and copy (Ctrl+C)';
        }
      });
      fill(
        shown,
        h(
          'div',
          { class: 'card notice', attrs: { role: 'region', 'aria-label': 'New API key' } },
          h('h2', null, `Key "${name.value}" created`),
          h(
            'p',
            null,
            'This is the only time the key is shown: copy it now. tradestore keeps only its hash.',
          ),
          field('The new key', text),
          copy,
        ),
      );
      form.reset();
      scopes[0]!.box.checked = true;
      await load();
      text.focus();
      text.select();
    } catch (error) {
      status.textContent = `Not created: ${errorText(error)}`;
    } finally {
      create.disabled = false;
    }
  });

  async function load() {
    const keys = (await ok(api.GET('/api-keys', { params: { query: { limit: 1000 } } }))).data;
    if (signal.aborted) return;
    fill(body, keys.length ? keys.map(row) : h('tr', null, h('td', { colSpan: 7 }, 'No API key yet.')));
  }

  function row(k: Schemas['ApiKey']): HTMLTableRowElement {
    const revoke = h(
      'button',
      { type: 'button', class: 'danger', attrs: { 'aria-label': `Revoke key ${k.name}` } },
      'Revoke',
    );
    revoke.addEventListener('click', async () => {
      if (!confirm(`Revoke the key "${k.name}"? Bots using it stop working at once.`)) return;
      try {
        await ok(api.DELETE('/api-keys/{id}', { params: { path: { id: k.id } } }));
        status.textContent = `Key "${k.name}" revoked.`;
        await load();
      } catch (error) {
        status.textContent = errorText(error);
      }
    });
    return h(
      'tr',
      null,
      h('th', { attrs: { scope: 'row' } }, k.name),
      h('td', null, h('code', null, `${k.prefix}…`)),
      h('td', null, k.scopes.join(', ')),
      h('td', null, k.portfolio_ids ? k.portfolio_ids.join(', ') : 'all'),
      h('td', null, time(k.expires_at)),
      h('td', null, time(k.last_used_at)),
      h('td', null, revoke),
    );
  }

  fill(
    main,
    h('h1', null, 'API keys'),
    h(
      'p',
      null,
      'Keys let bots record and read without a password. Send one as ',
      h('code', null, 'Authorization: Bearer <key>'),
      '.',
    ),
    shown,
    h(
      'section',
      { attrs: { 'aria-labelledby': 'new-key-h' } },
      h('h2', { id: 'new-key-h' }, 'Create a key'),
      form,
    ),
    status,
    h(
      'section',
      { attrs: { 'aria-labelledby': 'keys-h' } },
      h('h2', { id: 'keys-h' }, 'Your keys'),
      h(
        'div',
        { class: 'scroll', tabIndex: 0, attrs: { role: 'region', 'aria-label': 'Keys table' } },
        h(
          'table',
          { class: 'data' },
          h('caption', { class: 'sr-only' }, 'API keys'),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Name', 'Prefix', 'Scopes', 'Portfolios', 'Expires', 'Last used', 'Action'].map((c) =>
                h('th', { attrs: { scope: 'col' } }, c),
              ),
            ),
          ),
          body,
        ),
      ),
    ),
  );
  await load();
}
