// Importing a dataset: CSV files of the dataset format (docs/data-format.md)
// or a zip of them. All or nothing: every problem is listed with its file,
// line and field, and nothing is stored unless there is none.
import { ApiError, emit, request } from '../api';
import { h } from '../dom';
import { number, t } from '../i18n';
import type { PageContext } from '../main';
import { errorMessage, field, newIdempotencyKey, pageTitle, problemsTable, serverText } from '../ui';

interface ImportAnswer {
  added: number;
  entries_added: number;
  unchanged: number;
  import_id?: number;
}

export function importPage(view: HTMLElement, _context: PageContext): void {
  const files = field(
    t('import.files'),
    h('input', { type: 'file', name: 'files', multiple: true, accept: '.csv,.zip,text/csv,application/zip' }),
    t('import.filesHint'),
    true,
  );
  const chosen = h('ul', { class: 'chosen' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('import.submit'));
  const result = h('div', { class: 'import-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'import-form', novalidate: true, 'data-write': '', 'aria-labelledby': 'import-title' }, files.wrapper, chosen, h('div', { class: 'form-buttons' }, submit));
  view.append(
    pageTitle(t('import.title')),
    h('p', null, t('import.intro')),
    h('ul', { class: 'plain' }, ['donors', 'funds', 'targets', 'appeals', 'events', 'rates', 'entries'].map((name) => h('li', null, h('code', null, `${name}.csv`)))),
    form,
    result,
  );
  view.querySelector('h1')!.id = 'import-title';
  const input = files.control as HTMLInputElement;
  input.addEventListener('change', () => {
    chosen.replaceChildren(...Array.from(input.files ?? []).map((file) => h('li', null, file.name, ' · ', t('import.size', { size: number(Math.ceil(file.size / 1024)) }))));
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    files.setError(null);
    result.replaceChildren();
    const list = Array.from(input.files ?? []);
    if (!list.length) {
      files.setError(t('import.chooseFiles'));
      input.focus();
      return;
    }
    const zip = list.length === 1 && /\.zip$/i.test(list[0].name);
    let body: BodyInit;
    if (zip) {
      body = list[0];
    } else {
      const data = new FormData();
      for (const file of list) data.append(file.name, file, file.name);
      body = data;
    }
    submit.disabled = true;
    result.replaceChildren(h('p', { role: 'status' }, t('import.sending')));
    try {
      const answer = await request<ImportAnswer>('POST', '/imports', { body, contentType: zip ? 'application/zip' : undefined, idempotencyKey: newIdempotencyKey() });
      emit('ledger-changed', 'import');
      result.replaceChildren(
        h(
          'div',
          { class: 'notice success', role: 'status', 'data-import': 'ok' },
          h('p', null, t('import.done', { added: answer.added, entries: answer.entries_added, unchanged: answer.unchanged })),
        ),
      );
      form.reset();
      chosen.replaceChildren();
    } catch (error) {
      if (error instanceof ApiError && error.details.length) {
        result.replaceChildren(
          h(
            'div',
            { class: 'notice error', role: 'alert', 'data-import': 'rejected' },
            h('h2', null, t('import.rejected', { count: error.details.length })),
            h('p', null, t('import.nothingStored')),
            h('p', { class: 'server-message' }, t('error.serverSaid'), ' ', serverText(error.message)),
          ),
          problemsTable(error.details, t('import.problems')),
        );
      } else {
        result.replaceChildren(
          h('div', { class: 'notice error', role: 'alert', 'data-import': 'failed' }, h('p', null, errorMessage(error)), error instanceof ApiError ? h('p', null, serverText(error.message)) : null),
        );
      }
    } finally {
      submit.disabled = false;
    }
  });
}
