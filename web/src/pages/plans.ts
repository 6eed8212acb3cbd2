// Targets with their revision history, appeals with their coverage, and
// pledging events with what was announced there. Officers and administrators
// may add to each (a target revision is a new target row with a later
// decision date).
import { ApiError, emit, get, post, type Report } from '../api';
import { h, inLang } from '../dom';
import { date, money, percent, t, year } from '../i18n';
import type { PageContext } from '../main';
import { can, fundName, load } from '../state';
import { entriesLink, errorBox, errorMessage, field, fieldLabel, input, newIdempotencyKey, pageTitle, select, serverText, setFlash, table, takeFlash, type Field } from '../ui';

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

// --- Targets ------------------------------------------------------------------

export async function targetsPage(view: HTMLElement, context: PageContext): Promise<void> {
  const [targets, funds] = await Promise.all([load('targets'), load('funds')]);
  if (context.signal.aborted) return;
  view.append(pageTitle(t('targets.title')), takeFlash() ?? '', h('p', null, t('targets.intro')));
  const groups = new Map<string, typeof targets>();
  for (const target of targets) {
    const key = `${target.fund}|${target.year_from}|${target.year_to}`;
    groups.set(key, [...(groups.get(key) ?? []), target]);
  }
  const now = today();
  const sorted = Array.from(groups.values()).sort(
    (a, b) => a[0].fund.localeCompare(b[0].fund) || a[0].year_from - b[0].year_from || a[0].year_to - b[0].year_to,
  );
  if (!sorted.length) view.append(h('p', null, t('targets.none')));
  for (const group of sorted) {
    group.sort((a, b) => a.decided_on.localeCompare(b.decided_on));
    const first = group[0];
    const inForce = [...group].reverse().find((target) => target.decided_on <= now);
    const span = first.year_from === first.year_to ? year(first.year_from) : t('targets.span', { from: year(first.year_from), to: year(first.year_to) });
    view.append(
      h(
        'section',
        { class: 'figure', 'data-target': `${first.fund}-${first.year_from}-${first.year_to}` },
        h('h2', null, `${fundName(first.fund)} · ${span}`),
        table(
          [t('targets.decidedOn'), t('targets.amount'), t('targets.replaced'), t('targets.change'), t('field.note'), t('targets.status')],
          group.map((target, i) => {
            const previous = i > 0 ? group[i - 1] : null;
            const change = previous ? Number(target.amount_usd) / Number(previous.amount_usd) - 1 : null;
            return [
              date(target.decided_on),
              money(target.amount_usd),
              previous ? money(previous.amount_usd) : t('common.none'),
              change === null ? t('common.none') : percent(change, 1),
              target.note ? inLang(target.note, 'en') : '',
              target === inForce ? h('span', { class: 'badge ok' }, t('targets.inForce')) : target.decided_on > now ? t('targets.future') : t('targets.superseded'),
            ];
          }),
          { caption: t('targets.history', { fund: fundName(first.fund), span }), numeric: [1, 2, 3] },
        ),
      ),
    );
  }
  if (can('manage_reference')) {
    view.append(
      addForm('targets', t('targets.addTitle'), t('targets.addIntro'), [
        ['fund', select('fund', [['', t('entryForm.chooseFund')], ...funds.map((fund): [string, string] => [fund.id, fundName(fund.id)])]), true],
        ['year_from', input('year_from', 'number', '', { min: '1900', max: '2200' }), true],
        ['year_to', input('year_to', 'number', '', { min: '1900', max: '2200' }), true],
        ['amount_usd', input('amount_usd', 'text', '', { inputmode: 'decimal' }), true],
        ['decided_on', input('decided_on', 'date', today()), true],
        ['note', h('textarea', { name: 'note', rows: 2, maxlength: 2000 }), false],
      ]),
    );
  }
}

// --- Appeals ------------------------------------------------------------------

export async function appealsPage(view: HTMLElement, context: PageContext): Promise<void> {
  const appeals = await load('appeals');
  if (context.signal.aborted) return;
  const asOf = today();
  view.append(pageTitle(t('appeals.title')), takeFlash() ?? '', h('p', null, t('appeals.intro', { asOf: date(asOf) })));
  let report: Report | null = null;
  try {
    report = await get<Report>('/report', { year: Number(asOf.slice(0, 4)), as_of: asOf }, context.signal);
  } catch (error) {
    if (context.signal.aborted) return;
    view.append(errorBox(error));
  }
  if (context.signal.aborted) return;
  const figures = new Map((report?.appeals ?? []).map((row) => [row.appeal, row]));
  view.append(
    appeals.length
      ? table(
          [t('overview.appeal'), t('overview.launched'), t('appeals.countries'), t('overview.requirement'), t('overview.mobilized'), t('overview.gap'), t('overview.coverage'), ''],
          appeals.map((appeal) => {
            const figure = figures.get(appeal.id);
            return [
              inLang(appeal.name, 'en'),
              date(appeal.launched_on),
              appeal.countries ? String(appeal.countries) : t('common.none'),
              money(appeal.requirement_usd),
              figure ? money(figure.mobilized_usd) : t('common.none'),
              figure ? money(figure.gap_usd) : t('common.none'),
              figure ? h('span', { class: 'meter-wrap' }, h('meter', { min: 0, max: 1, value: Math.min(1, figure.coverage), 'aria-hidden': 'true' }), ' ', percent(figure.coverage)) : t('common.none'),
              entriesLink({ appeal: appeal.id, to: asOf }),
            ];
          }),
          { caption: t('appeals.title'), numeric: [2, 3, 4, 5, 6] },
        )
      : h('p', null, t('overview.noAppeals')),
  );
  if (can('manage_reference')) {
    view.append(
      addForm('appeals', t('appeals.addTitle'), '', [
        ['id', input('id', 'text', '', { autocomplete: 'off', spellcheck: 'false' }), true],
        ['name', input('name', 'text', ''), true],
        ['requirement_usd', input('requirement_usd', 'text', '', { inputmode: 'decimal' }), true],
        ['countries', input('countries', 'number', '', { min: '0' }), false],
        ['launched_on', input('launched_on', 'date', today()), true],
      ]),
    );
  }
}

// --- Pledging events --------------------------------------------------------------

export async function eventsPage(view: HTMLElement, context: PageContext): Promise<void> {
  const events = await load('events');
  if (context.signal.aborted) return;
  view.append(pageTitle(t('events.title')), takeFlash() ?? '', h('p', null, t('events.intro')));
  // What was announced at each event: the report of the event's year.
  const years = Array.from(new Set(events.map((event) => Number(event.held_on.slice(0, 4)))));
  const announced = new Map<string, Report['events'][number]>();
  try {
    const reports = await Promise.all(years.map((y) => get<Report>('/report', { year: y, as_of: today() }, context.signal)));
    for (const report of reports) for (const row of report.events) announced.set(row.event, row);
  } catch (error) {
    if (context.signal.aborted) return;
    view.append(errorBox(error));
  }
  if (context.signal.aborted) return;
  const sorted = [...events].sort((a, b) => b.held_on.localeCompare(a.held_on));
  view.append(
    sorted.length
      ? table(
          [t('overview.event'), t('overview.heldOn'), t('overview.pledgedAtEvent'), t('category.core'), t('category.earmarked'), t('category.technical_cooperation'), ''],
          sorted.map((event) => {
            const row = announced.get(event.id);
            return [
              inLang(event.name, 'en'),
              date(event.held_on),
              row ? money(row.pledged_usd) : t('common.none'),
              row ? money(row.by_category.core ?? '0.00') : t('common.none'),
              row ? money(row.by_category.earmarked ?? '0.00') : t('common.none'),
              row ? money(row.by_category.technical_cooperation ?? '0.00') : t('common.none'),
              entriesLink({ event: event.id, kind: 'pledge', to: today() }),
            ];
          }),
          { caption: t('events.title'), numeric: [2, 3, 4, 5] },
        )
      : h('p', null, t('events.none')),
  );
  if (can('manage_reference')) {
    view.append(
      addForm('events', t('events.addTitle'), '', [
        ['id', input('id', 'text', '', { autocomplete: 'off', spellcheck: 'false' }), true],
        ['name', input('name', 'text', ''), true],
        ['held_on', input('held_on', 'date', today()), true],
      ]),
    );
  }
}

// A form that adds one reference record (POST /targets, /appeals, /events).
function addForm(
  kind: 'targets' | 'appeals' | 'events',
  title: string,
  intro: string,
  controls: [string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, boolean][],
): HTMLElement {
  const fields: Record<string, Field> = {};
  for (const [name, control, required] of controls) fields[name] = field(fieldLabel(name), control, undefined, required);
  const message = h('div', { class: 'form-message', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('common.add'));
  const headingId = `add-${kind}`;
  const form = h('form', { class: 'add-form', novalidate: true, 'data-write': '', 'aria-labelledby': headingId }, Object.values(fields).map((f) => f.wrapper), message, h('div', { class: 'form-buttons' }, submit));
  let key = newIdempotencyKey();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.replaceChildren();
    const body: Record<string, string | number> = {};
    let missing = 0;
    for (const [name, f] of Object.entries(fields)) {
      f.setError(null);
      const value = f.control.value.trim();
      if (!value) {
        if (f.control.required) {
          f.setError(t('validation.required'));
          missing += 1;
        }
        continue;
      }
      body[name] = ['year_from', 'year_to', 'countries'].includes(name) ? Number(value) : value;
    }
    if (missing) return;
    submit.disabled = true;
    try {
      const answer = await post<{ added: boolean }>(`/${kind}`, body, key);
      key = newIdempotencyKey();
      emit('ledger-changed', 'reference');
      // Draw the page again with the new record, and say so at its top.
      setFlash(answer.added ? t('common.added') : t('common.alreadyThere'));
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (error) {
      const details = error instanceof ApiError ? error.details : [];
      for (const detail of details) if (detail.field && fields[detail.field]) fields[detail.field].setError(serverText(detail.message));
      message.replaceChildren(
        h(
          'div',
          { class: 'notice error', role: 'alert' },
          h('p', null, errorMessage(error)),
          error instanceof ApiError ? h('p', null, serverText(error.message)) : null,
          h('ul', null, details.filter((d) => !d.field || !fields[d.field]).map((d) => h('li', null, serverText(d.message)))),
        ),
      );
    } finally {
      submit.disabled = false;
    }
  });
  return h('section', { class: 'figure add', 'aria-labelledby': headingId }, h('h2', { id: headingId }, title), intro ? h('p', null, intro) : null, form);
}
