/** User management for admins: create a login with a role, change roles, deactivate and reactivate. */
import { api, ok, type Schemas } from '../api.ts';
import { errorText, field, fill, h, select, statusLine } from '../dom.ts';
import { time } from '../format.ts';
import type { PageContext } from '../router.ts';
import { isAdmin, me } from '../state.ts';

const ROLES = [
  ['viewer', 'viewer (reads what is shared)'],
  ['trader', 'trader (runs portfolios)'],
  ['admin', 'admin (everything)'],
] as const;
type Role = (typeof ROLES)[number][0];

export async function usersPage({ main, signal }: PageContext): Promise<void> {
  if (!isAdmin()) {
    fill(main, h('h1', null, 'Users'), h('p', null, 'Only an admin manages users.'));
    return;
  }
  const status = statusLine();
  const body = h('tbody');
  const email = h('input', { type: 'email', required: true, autocomplete: 'off' });
  const password = h('input', {
    type: 'password',
    required: true,
    minLength: 8,
    autocomplete: 'new-password',
  });
  const role = select(ROLES, 'viewer');
  const create = h('button', { type: 'submit' }, 'Create user');
  const form = h(
    'form',
    { class: 'card' },
    field('Email', email),
    field('Password', password),
    field('Role', role),
    create,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    create.disabled = true;
    try {
      const u = await ok(
        api.POST('/users', {
          body: { email: email.value, password: password.value, role: role.value as Role },
        }),
      );
      status.textContent = `User ${u.email} created as ${u.role}.`;
      form.reset();
      await load();
    } catch (error) {
      status.textContent = `Not created: ${errorText(error)}`;
    } finally {
      create.disabled = false;
    }
  });

  async function change(u: Schemas['User'], patch: { role?: Role; is_active?: boolean }) {
    try {
      await ok(api.PATCH('/users/{id}', { params: { path: { id: u.id } }, body: patch }));
      status.textContent = `User ${u.email} changed.`;
    } catch (error) {
      status.textContent = `Not changed: ${errorText(error)}`;
    }
    await load();
  }

  function row(u: Schemas['User']): HTMLTableRowElement {
    const self = u.id === me?.id;
    const roleSelect = select(ROLES, u.role, (v) => void change(u, { role: v as Role }));
    roleSelect.disabled = self;
    roleSelect.setAttribute('aria-label', `Role of ${u.email}`);
    const toggle = h('button', { type: 'button', disabled: self }, u.is_active ? 'Deactivate' : 'Activate');
    toggle.setAttribute('aria-label', `${u.is_active ? 'Deactivate' : 'Activate'} ${u.email}`);
    toggle.addEventListener('click', () => void change(u, { is_active: !u.is_active }));
    return h(
      'tr',
      null,
      h('th', { attrs: { scope: 'row' } }, u.email, self ? ' (you)' : ''),
      h('td', null, roleSelect),
      h('td', null, u.is_active ? 'active' : 'inactive'),
      h('td', null, time(u.created_at)),
      h('td', null, toggle),
    );
  }

  async function load() {
    const users = (await ok(api.GET('/users', { params: { query: { limit: 1000 } } }))).data;
    if (signal.aborted) return;
    fill(body, users.map(row));
  }

  fill(
    main,
    h('h1', null, 'Users'),
    h(
      'section',
      { attrs: { 'aria-labelledby': 'new-user-h' } },
      h('h2', { id: 'new-user-h' }, 'Create a user'),
      form,
    ),
    status,
    h(
      'section',
      { attrs: { 'aria-labelledby': 'users-h' } },
      h('h2', { id: 'users-h' }, 'Users'),
      h(
        'div',
        { class: 'scroll', tabIndex: 0, attrs: { role: 'region', 'aria-label': 'Users table' } },
        h(
          'table',
          { class: 'data' },
          h('caption', { class: 'sr-only' }, 'Users'),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Email', 'Role', 'Status', 'Created', 'Action'].map((c) =>
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
