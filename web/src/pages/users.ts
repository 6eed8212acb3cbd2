// Accounts (administrators): who may do what, add an account, change a role,
// disable an account or set a new password.
import { ApiError, get, post, request, type Role, type User } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import type { PageContext } from '../main';
import { currentUser, donorName, load, roleName } from '../state';
import { errorBox, errorMessage, field, input, newIdempotencyKey, pageTitle, select, serverText, statusLine, table } from '../ui';

const kRoles: Role[] = ['admin', 'officer', 'focal_point', 'viewer'];

export async function usersPage(view: HTMLElement, context: PageContext): Promise<void> {
  view.append(pageTitle(t('users.title')), h('p', null, t('users.intro')));
  const listBox = h('div');
  const status = statusLine();
  view.append(status, listBox);
  await load('donors');
  const roleOptions = kRoles.map((role): [string, string] => [role, roleName(role)]);

  const refresh = async () => {
    try {
      const { users } = await get<{ users: User[] }>('/users', undefined, context.signal);
      if (context.signal.aborted) return;
      listBox.replaceChildren(
        table(
          [t('users.name'), t('users.role'), t('users.donors'), t('users.state'), t('users.actions')],
          users.map((user) => {
            const roleSelect = select('role', roleOptions, user.role);
            roleSelect.setAttribute('aria-label', t('users.roleOf', { name: user.name }));
            const self = user.name === currentUser()?.name;
            const save = async (change: Record<string, unknown>, done: string) => {
              try {
                await request('PATCH', `/users/${encodeURIComponent(user.name)}`, { json: change });
                status.textContent = done;
                await refresh();
              } catch (error) {
                status.textContent = `${errorMessage(error)} ${error instanceof ApiError ? error.message : ''}`;
              }
            };
            return [
              user.name,
              h(
                'span',
                { class: 'inline-form', 'data-write': '' },
                roleSelect,
                h('button', { type: 'button', disabled: self, onclick: () => void save({ role: roleSelect.value }, t('users.roleChanged', { name: user.name })) }, t('users.changeRole')),
              ),
              user.donors.map((id) => donorName(id)).join(', '),
              user.disabled ? h('span', { class: 'badge' }, t('users.disabled')) : h('span', { class: 'badge ok' }, t('users.active')),
              h(
                'span',
                { class: 'row-actions', 'data-write': '' },
                h(
                  'button',
                  {
                    type: 'button',
                    disabled: self,
                    onclick: () => void save({ disabled: !user.disabled }, user.disabled ? t('users.enabled', { name: user.name }) : t('users.disabledDone', { name: user.name })),
                  },
                  user.disabled ? t('users.enable') : t('users.disable'),
                ),
              ),
            ];
          }),
          { caption: t('users.title') },
        ),
      );
    } catch (error) {
      if (!context.signal.aborted) listBox.replaceChildren(errorBox(error));
    }
  };
  await refresh();

  // Adding an account.
  const donors = await load('donors');
  const name = field(t('users.name'), input('name', 'text', '', { autocomplete: 'off', spellcheck: 'false' }), t('users.nameHint'), true);
  const role = field(t('users.role'), select('role', roleOptions, 'viewer'), undefined, true);
  const password = field(t('users.password'), input('password', 'password', '', { autocomplete: 'new-password' }), t('users.passwordHint'), true);
  const donorSelect = h('select', { name: 'donors', multiple: true, size: 6 }, donors.map((donor) => h('option', { value: donor.id }, donorName(donor.id))));
  const donorField = field(t('users.donors'), donorSelect, t('users.donorsHint'));
  const message = h('div', { class: 'form-message', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'add-form', novalidate: true, 'data-write': '', 'aria-labelledby': 'add-user' },
    name.wrapper,
    role.wrapper,
    password.wrapper,
    donorField.wrapper,
    message,
    h('div', { class: 'form-buttons' }, h('button', { type: 'submit', class: 'primary' }, t('users.add'))),
  );
  const showDonors = () => (donorField.wrapper.hidden = role.control.value !== 'focal_point');
  role.control.addEventListener('change', showDonors);
  showDonors();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const f of [name, role, password, donorField]) f.setError(null);
    message.replaceChildren();
    const body: Record<string, unknown> = { name: name.control.value.trim(), role: role.control.value, password: password.control.value };
    if (!body.name) name.setError(t('validation.required'));
    if (!body.password) password.setError(t('validation.required'));
    if (!body.name || !body.password) return;
    if (body.role === 'focal_point') body.donors = Array.from(donorSelect.selectedOptions).map((option) => option.value);
    try {
      await post('/users', body, newIdempotencyKey());
      message.replaceChildren(h('p', { class: 'notice success', role: 'status' }, t('users.added', { name: String(body.name) })));
      form.reset();
      showDonors();
      await refresh();
    } catch (error) {
      const details = error instanceof ApiError ? error.details : [];
      const fields: Record<string, typeof name> = { name, role, password, donors: donorField };
      for (const detail of details) if (detail.field && fields[detail.field]) fields[detail.field].setError(serverText(detail.message));
      message.replaceChildren(
        h('div', { class: 'notice error', role: 'alert' }, h('p', null, error instanceof ApiError && error.status === 409 ? t('users.taken') : errorMessage(error)), error instanceof ApiError ? h('p', null, serverText(error.message)) : null),
      );
    }
  });
  view.append(h('section', { class: 'figure add', 'aria-labelledby': 'add-user' }, h('h2', { id: 'add-user' }, t('users.addTitle')), form));
}
