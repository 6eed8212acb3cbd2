// Pieces every page uses: headings, tables, form fields with their label and
// error, messages for failures, and links to the entries behind a figure.
import { ApiError, NetworkError, queryString, type ProblemDetail, type Query } from './api';
import { h, inLang, uid, type Child } from './dom';
import { lang, t, tOr } from './i18n';

export function pageTitle(text: string, ...extra: Child[]): HTMLElement {
  return h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, text), ...extra);
}

export function loading(): HTMLElement {
  return h('p', { class: 'loading', role: 'status' }, t('common.loading'));
}

export function href(path: string, query?: Query): string {
  return `#${path}${queryString(query)}`;
}

// The ledger list filtered to the entries behind a figure.
export function entriesLink(query: Query, text = t('common.seeEntries'), extra: Record<string, string> = {}): HTMLAnchorElement {
  return h('a', { href: href('/entries', query), class: 'entries-link', ...extra }, text);
}

// A message from the server is in English; it is shown as it is, marked so.
export function serverText(message: string): HTMLElement {
  return lang() === 'en' ? h('span', null, message) : inLang(message, 'en');
}

// What to tell the user about a failed request.
export function errorMessage(error: unknown): string {
  if (error instanceof NetworkError) return t('error.unreachable');
  if (error instanceof ApiError) {
    if (error.status === 401) return t('error.unauthenticated');
    return tOr(`error.${error.code}`, t('error.generic', { status: error.status }));
  }
  return t('error.unexpected');
}

export function errorBox(error: unknown): HTMLElement {
  const box = h('div', { class: 'notice error', role: 'alert' }, h('p', null, errorMessage(error)));
  if (error instanceof ApiError && error.message && error.status !== 401) {
    box.append(h('p', { class: 'server-message' }, t('error.serverSaid'), ' ', serverText(error.message)));
  }
  if (error instanceof ApiError && error.details.length) box.append(problemsTable(error.details));
  return box;
}

export function problemsTable(details: ProblemDetail[], caption?: string): HTMLElement {
  return table(
    [t('problem.file'), t('problem.line'), t('problem.field'), t('problem.message')],
    details.map((d) => [
      d.file ?? '',
      d.line !== undefined ? String(d.line) : '',
      d.field ? fieldLabel(d.field) : '',
      serverText(d.message),
    ]),
    { caption, class: 'problems' },
  );
}

// The label of a dataset column, translated where we have one.
export function fieldLabel(field: string): string {
  return tOr(`field.${field}`, field);
}

export interface TableOptions {
  caption?: string;
  class?: string;
  numeric?: number[]; // columns aligned as numbers
  rowAttrs?: (index: number) => Record<string, string>;
}

export function table(headers: Child[], rows: Child[][], options: TableOptions = {}): HTMLElement {
  const numeric = new Set(options.numeric ?? []);
  const element = h(
    'table',
    { class: options.class ?? null },
    options.caption ? h('caption', null, options.caption) : null,
    h('thead', null, h('tr', null, headers.map((header, i) => h('th', { scope: 'col', class: numeric.has(i) ? 'num' : null }, header)))),
    h(
      'tbody',
      null,
      rows.map((row, r) =>
        h(
          'tr',
          options.rowAttrs ? options.rowAttrs(r) : null,
          row.map((cell, i) => (i === 0 ? h('th', { scope: 'row', class: numeric.has(i) ? 'num' : null }, cell) : h('td', { class: numeric.has(i) ? 'num' : null }, cell))),
        ),
      ),
    ),
  );
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': options.caption ?? null }, element);
}

// A labelled form field with a place for its error; `control` is the input.
export interface Field {
  wrapper: HTMLElement;
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  setError(message: Child | null): void;
}

export function field(label: string, control: Field['control'], hint?: string, required = false): Field {
  const id = control.id || uid('f');
  control.id = id;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  if (required) control.required = true;
  const describedBy = [hint ? hintId : null, errorId].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', describedBy);
  const wrapper = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label, required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    control,
    error,
  );
  return {
    wrapper,
    control,
    setError(message) {
      error.replaceChildren();
      if (message === null) {
        error.hidden = true;
        control.removeAttribute('aria-invalid');
      } else {
        error.append(message instanceof Node ? message : String(message));
        error.hidden = false;
        control.setAttribute('aria-invalid', 'true');
      }
    },
  };
}

export function select(name: string, options: [string, string][], value = ''): HTMLSelectElement {
  return h(
    'select',
    { name },
    options.map(([optionValue, text]) => h('option', { value: optionValue, selected: optionValue === value }, text)),
  );
}

export function input(name: string, type = 'text', value = '', attrs: Record<string, string> = {}): HTMLInputElement {
  return h('input', { name, type, value, ...attrs });
}

// A status line that screen readers announce.
export function statusLine(): HTMLElement {
  return h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
}

export function badge(text: string, kind = ''): HTMLElement {
  return h('span', { class: `badge ${kind}`.trim() }, text);
}

// An idempotency key for one intended write: kept across retries of the same
// submission, so that a double click or a retry records once.
export function newIdempotencyKey(): string {
  // crypto.randomUUID needs a secure context; getRandomValues does not.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

// A message for the next page drawn (after a form adds a record and the page
// is drawn again with it).
let flash: string | null = null;
export function setFlash(text: string): void {
  flash = text;
}
export function takeFlash(): HTMLElement | null {
  if (!flash) return null;
  const note = h('p', { class: 'notice success', role: 'status' }, flash);
  flash = null;
  return note;
}
