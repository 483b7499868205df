/** Sign in; on a store with no user yet, the first-run form that creates the admin. */
import { api, ok, signIn } from '../api.ts';
import { errorText, field, fill, h } from '../dom.ts';
import type { PageContext } from '../router.ts';

export async function signInPage({ main }: PageContext, done: () => void): Promise<void> {
  const setup = await ok(api.GET('/auth/setup')).catch(() => ({ needs_admin: false, signup_open: false }));
  const firstRun = setup.needs_admin;
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: firstRun ? 'new-password' : 'current-password',
    required: true,
    minLength: firstRun ? 8 : 1,
  });
  const repeat = h('input', {
    type: 'password',
    name: 'repeat',
    autocomplete: 'new-password',
    required: true,
  });
  const message = h('p', { class: 'error', attrs: { role: 'alert' } });
  const submit = h('button', { type: 'submit' }, firstRun ? 'Create admin' : 'Sign in');
  const form = h(
    'form',
    { class: 'card narrow' },
    field('Email', email),
    field('Password', password),
    firstRun ? field('Repeat password', repeat) : null,
    message,
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    message.textContent = '';
    if (firstRun && password.value !== repeat.value) {
      message.textContent = 'The two passwords differ.';
      repeat.focus();
      return;
    }
    submit.disabled = true;
    try {
      if (firstRun)
        await ok(api.POST('/auth/register', { body: { email: email.value, password: password.value } }));
      await signIn(email.value, password.value);
      done();
    } catch (error) {
      message.textContent = errorText(error);
      submit.disabled = false;
    }
  });
  fill(
    main,
    h('h1', null, firstRun ? 'Create the first admin' : 'Sign in to tradestore'),
    firstRun
      ? h('p', null, 'This store has no user yet. The account you create here becomes its admin.')
      : null,
    form,
    h('p', { class: 'muted' }, h('a', { href: '/docs' }, 'API documentation')),
  );
  email.focus();
}
