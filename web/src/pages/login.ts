// Logging in: POST /login sets the session cookie and gives the CSRF token.
import { ApiError, post, type User } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import { errorMessage, field, input } from '../ui';

export function loginPage(view: HTMLElement, options: { expired: boolean; onLoggedIn: (user: User) => void }): void {
  const name = field(t('login.user'), input('user', 'text', '', { autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' }), undefined, true);
  const password = field(t('login.password'), input('password', 'password', '', { autocomplete: 'current-password' }), undefined, true);
  const message = h('div', { class: 'form-message', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const form = h('form', { class: 'login-form', novalidate: true, 'aria-labelledby': 'login-title' }, name.wrapper, password.wrapper, message, submit);
  view.append(
    h(
      'section',
      { class: 'login' },
      h('h1', { id: 'login-title', tabindex: '-1' }, t('login.title')),
      h('p', null, t('login.intro')),
      options.expired ? h('div', { class: 'notice warning', role: 'alert', 'data-expired': '' }, h('p', null, t('login.expired'))) : null,
      form,
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    name.setError(null);
    password.setError(null);
    message.replaceChildren();
    const user = (name.control as HTMLInputElement).value.trim();
    const secret = (password.control as HTMLInputElement).value;
    if (!user) name.setError(t('validation.required'));
    if (!secret) password.setError(t('validation.required'));
    if (!user || !secret) {
      (user ? password.control : name.control).focus();
      return;
    }
    submit.disabled = true;
    try {
      const answer = await post<User>('/login', { user, password: secret });
      options.onLoggedIn(answer);
    } catch (error) {
      const text =
        error instanceof ApiError && error.status === 401
          ? t('login.wrong')
          : error instanceof ApiError && error.status === 429
            ? t('login.tooMany')
            : errorMessage(error);
      message.replaceChildren(h('p', { class: 'notice error', role: 'alert' }, text));
      (password.control as HTMLInputElement).select();
      password.control.focus();
    } finally {
      submit.disabled = false;
    }
  });
  name.control.focus();
}
