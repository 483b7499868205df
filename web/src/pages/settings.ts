/** The user's time zone, stored on the server (PATCH /auth/me) and used for every time shown; database health for admins. */
import { api, ok } from '../api.ts';
import { errorText, field, fill, h, select, statusLine } from '../dom.ts';
import { time, timeZone } from '../format.ts';
import type { PageContext } from '../router.ts';
import { isAdmin, loadMe, me } from '../state.ts';

export async function settingsPage({ main, signal }: PageContext): Promise<void> {
  const zones = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  const zone = select(
    zones.map((z) => [z, z] as const),
    timeZone(),
  );
  const status = statusLine();
  const example = h('p', { class: 'muted' });
  const showExample = () => (example.textContent = `Now: ${time(Date.now())}`);
  showExample();
  const save = h('button', { type: 'submit' }, 'Save time zone');
  const form = h('form', { class: 'card narrow' }, field('Time zone', zone), example, save);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    save.disabled = true;
    try {
      await ok(api.PATCH('/auth/me', { body: { time_zone: zone.value } }));
      await loadMe();
      showExample();
      status.textContent = `Time zone saved: ${timeZone()}. Every time is now shown in it.`;
    } catch (error) {
      status.textContent = `Not saved: ${errorText(error)}`;
    } finally {
      save.disabled = false;
    }
  });
  const health = h('div');
  fill(
    main,
    h('h1', null, 'Settings'),
    h('p', null, `Signed in as ${me?.email ?? ''} (${me?.role ?? ''}).`),
    h('section', null, h('h2', null, 'Where times are shown'), form, status),
    isAdmin()
      ? h(
          'section',
          { attrs: { 'aria-labelledby': 'db-h' } },
          h('h2', { id: 'db-h' }, 'Database health'),
          health,
        )
      : null,
  );
  if (!isAdmin()) return;
  try {
    const hd = (await ok(api.GET('/admin/db/health'))) as Record<string, unknown>;
    if (signal.aborted) return;
    fill(
      health,
      h(
        'dl',
        { class: 'facts' },
        Object.entries(hd).flatMap(([k, v]) => [
          h('dt', null, k.replaceAll('_', ' ')),
          h('dd', null, v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v)),
        ]),
      ),
    );
  } catch (error) {
    fill(health, h('p', { class: 'error' }, errorText(error)));
  }
}
