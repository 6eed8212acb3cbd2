// Recording an entry: a pledge, a receipt (which may settle a pledge), an
// expectation, a write-off or a reversal. The server applies the ledger's
// rules (the same function as an import); its problems are shown at the field
// they concern. A few checks run here first, so that an empty or malformed
// field is told at once.
import { ApiError, emit, get, post, type DonorSummary, type Entry } from '../api';
import { h } from '../dom';
import { date, money, t } from '../i18n';
import type { PageContext } from '../main';
import { can, channelName, currentUser, donorName, fundName, kindName, load, regionName } from '../state';
import { errorMessage, field, fieldLabel, href, input, newIdempotencyKey, pageTitle, select, serverText, type Field } from '../ui';

const kKinds = ['pledge', 'receipt', 'expected', 'write_off', 'reversal'] as const;
type Kind = (typeof kKinds)[number];
const kRegions = ['africa', 'arab_states', 'asia_pacific', 'europe', 'latin_america_caribbean', 'global'];
const kChannels = ['new_contribution', 'reprogrammed', 'internal_emergency_fund'];

// Which fields each kind of entry has (docs/data-format.md, entries.csv).
const kCommon = ['donor', 'fund', 'amount', 'currency', 'value_date', 'attributed_year', 'region', 'country', 'programme', 'appeal', 'note'];
const kFieldsOf: Record<Kind, string[]> = {
  pledge: [...kCommon, 'event'],
  receipt: [...kCommon, 'settles', 'channel'],
  expected: [...kCommon, 'probability'],
  write_off: ['donor', 'fund', 'amount', 'currency', 'value_date', 'settles', 'note'],
  reversal: ['reverses', 'donor', 'fund', 'amount', 'currency', 'value_date', 'note'],
};
const kRequired: Record<Kind, string[]> = {
  pledge: ['donor', 'fund', 'amount', 'currency', 'value_date'],
  receipt: ['donor', 'fund', 'amount', 'currency', 'value_date'],
  expected: ['donor', 'fund', 'amount', 'currency', 'value_date'],
  write_off: ['donor', 'fund', 'amount', 'currency', 'value_date', 'settles'],
  reversal: ['reverses', 'donor', 'fund', 'amount', 'currency', 'value_date'],
};

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export async function entryFormPage(view: HTMLElement, context: PageContext): Promise<void> {
  const [donors, funds, appeals, events, rates] = await Promise.all([load('donors'), load('funds'), load('appeals'), load('events'), load('rates')]);
  if (context.signal.aborted) return;
  const query = context.query;
  const user = currentUser()!;
  const allowed = user.role === 'focal_point' ? donors.filter((donor) => user.donors.includes(donor.id)) : donors;
  const collator = new Intl.Collator();
  const donorOptions: [string, string][] = allowed
    .map((donor): [string, string] => [donor.id, donorName(donor.id)])
    .sort((a, b) => collator.compare(a[1], b[1]));
  const currencies = Array.from(new Set(['USD', ...rates.map((rate) => rate.currency)])).sort();
  const initialKind = (kKinds as readonly string[]).includes(query.get('kind') ?? '') ? (query.get('kind') as Kind) : 'receipt';

  const none = t('entryForm.none');
  const donorControl =
    donorOptions.length <= 2000
      ? select('donor', [['', t('entryForm.chooseDonor')], ...donorOptions], query.get('donor') ?? '')
      : input('donor', 'text', query.get('donor') ?? '', { list: 'entry-donors', autocomplete: 'off' });
  const fields: Record<string, Field> = {
    kind: field(t('field.kind'), select('kind', kKinds.map((kind): [string, string] => [kind, kindName(kind)]), initialKind), undefined, true),
    reverses: field(t('field.reverses'), input('reverses', 'text', query.get('reverses') ?? '', { autocomplete: 'off', spellcheck: 'false' }), t('entryForm.reversesHint')),
    donor: field(t('field.donor'), donorControl),
    fund: field(t('field.fund'), select('fund', [['', t('entryForm.chooseFund')], ...funds.map((fund): [string, string] => [fund.id, fundName(fund.id)])], query.get('fund') ?? '')),
    settles: field(t('field.settles'), select('settles', [['', none]]), t('entryForm.settlesHint')),
    amount: field(t('field.amount'), input('amount', 'text', query.get('amount') ?? '', { inputmode: 'decimal', autocomplete: 'off' }), t('entryForm.amountHint')),
    currency: field(t('field.currency'), input('currency', 'text', query.get('currency') ?? 'USD', { list: 'entry-currencies', maxlength: '3', autocomplete: 'off', spellcheck: 'false' })),
    value_date: field(t('field.value_date'), input('value_date', 'date', query.get('value_date') ?? today()), t('entryForm.valueDateHint')),
    attributed_year: field(t('field.attributed_year'), input('attributed_year', 'number', '', { min: '1900', max: '2200', inputmode: 'numeric' }), t('entryForm.attributedYearHint')),
    probability: field(t('field.probability'), input('probability', 'text', '', { inputmode: 'decimal' }), t('entryForm.probabilityHint')),
    region: field(t('field.region'), select('region', [['', none], ...kRegions.map((region): [string, string] => [region, regionName(region)])])),
    country: field(t('field.country'), input('country', 'text', '', { maxlength: '3', autocomplete: 'off' }), t('entryForm.countryHint')),
    programme: field(t('field.programme'), input('programme', 'text', '', { autocomplete: 'off' })),
    appeal: field(t('field.appeal'), select('appeal', [['', none], ...appeals.map((appeal): [string, string] => [appeal.id, appeal.name])])),
    event: field(t('field.event'), select('event', [['', none], ...events.map((event): [string, string] => [event.id, `${event.name} (${date(event.held_on)})`])])),
    channel: field(t('field.channel'), select('channel', [['', t('entryForm.channelDefault')], ...kChannels.map((channel): [string, string] => [channel, channelName(channel)])])),
    note: field(t('field.note'), h('textarea', { name: 'note', rows: 2, maxlength: 2000 })),
  };
  const control = (name: string) => fields[name].control as HTMLInputElement;
  const kindOf = () => control('kind').value as Kind;
  const reversedSummary = h('p', { class: 'hint', 'aria-live': 'polite' });
  fields.reverses.wrapper.append(reversedSummary);

  const message = h('div', { class: 'form-message', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('entryForm.submit'));
  const form = h(
    'form',
    { class: 'entry-form', novalidate: true, 'data-form': 'entry', 'data-write': '', 'aria-labelledby': 'entry-form-title' },
    h('p', { class: 'hint' }, t('entryForm.requiredNote')),
    Object.values(fields).map((f) => f.wrapper),
    h('datalist', { id: 'entry-currencies' }, currencies.map((code) => h('option', { value: code }))),
    donorControl instanceof HTMLInputElement ? h('datalist', { id: 'entry-donors' }, donorOptions.map(([id, name]) => h('option', { value: id }, name))) : null,
    message,
    h('div', { class: 'form-buttons' }, submit),
  );
  const recorded = h('section', { class: 'recorded', 'aria-labelledby': 'recorded-title', hidden: true }, h('h2', { id: 'recorded-title' }, t('entryForm.recordedTitle')), h('ul'));
  view.append(pageTitle(t('entryForm.title')), h('p', null, t('entryForm.intro')), form, recorded);
  view.querySelector('h1')!.id = 'entry-form-title';

  // Show the fields of the chosen kind, and mark the required ones.
  const showFields = () => {
    const kind = kindOf();
    for (const [name, f] of Object.entries(fields)) {
      if (name === 'kind') continue;
      const shown = kFieldsOf[kind].includes(name);
      f.wrapper.hidden = !shown;
      const required = kRequired[kind].includes(name);
      f.control.required = required;
      const label = f.wrapper.querySelector('label')!;
      label.querySelector('.required')?.remove();
      if (required) label.append(h('span', { class: 'required', 'aria-hidden': 'true' }, ' *'));
    }
    void fillSettles();
  };

  // The open pledges (and, for a write-off, expectations) of the donor and
  // fund, as the server computes them over every value date.
  let settlesRequest = 0;
  const fillSettles = async () => {
    const kind = kindOf();
    const settlesSelect = control('settles') as unknown as HTMLSelectElement;
    if (kind !== 'receipt' && kind !== 'write_off') return;
    const donor = control('donor').value;
    const fund = control('fund').value;
    const wanted = settlesSelect.value || query.get('settles') || '';
    const request = ++settlesRequest;
    settlesSelect.replaceChildren(h('option', { value: '' }, none));
    if (!donor || !fund) return;
    try {
      const summary = await get<DonorSummary>(`/donors/${encodeURIComponent(donor)}/summary`, { as_of: '9999-12-31' }, context.signal);
      if (request !== settlesRequest) return;
      const open = (kind === 'write_off' ? [...summary.open_pledges, ...summary.expectations] : summary.open_pledges).filter((item) => item.fund === fund);
      for (const item of open) {
        settlesSelect.append(
          h(
            'option',
            { value: item.id, selected: item.id === wanted, 'data-currency': item.currency },
            t('entryForm.openItem', {
              id: item.id,
              kind: kindName(item.kind),
              date: date(item.value_date),
              open: money(item.open, item.currency),
            }),
          ),
        );
      }
    } catch {
      // The list is a help; the server still checks what is sent.
    }
  };
  control('settles').addEventListener('change', () => {
    const option = (control('settles') as unknown as HTMLSelectElement).selectedOptions[0];
    if (option?.dataset.currency) control('currency').value = option.dataset.currency;
  });

  // A reversal repeats the reversed entry's donor, fund, amount and currency.
  const lookUpReversed = async () => {
    const id = control('reverses').value.trim();
    reversedSummary.textContent = '';
    if (!id) return;
    try {
      const entry = await get<Entry>(`/entries/${encodeURIComponent(id)}`);
      control('donor').value = entry.donor;
      control('fund').value = entry.fund;
      control('amount').value = entry.amount;
      control('currency').value = entry.currency;
      reversedSummary.textContent = t('entryForm.reversedEntry', {
        kind: kindName(entry.kind),
        donor: donorName(entry.donor),
        amount: money(entry.amount, entry.currency),
        date: date(entry.value_date),
      });
    } catch (error) {
      fields.reverses.setError(error instanceof ApiError && error.status === 404 ? t('entryForm.noSuchEntry', { id }) : errorMessage(error));
    }
  };

  control('kind').addEventListener('change', showFields);
  control('donor').addEventListener('change', () => void fillSettles());
  control('fund').addEventListener('change', () => void fillSettles());
  control('reverses').addEventListener('change', () => void lookUpReversed());
  control('currency').addEventListener('input', () => {
    control('currency').value = control('currency').value.toUpperCase();
  });
  control('country').addEventListener('input', () => {
    control('country').value = control('country').value.toUpperCase();
  });
  showFields();
  if (query.get('reverses')) void lookUpReversed();

  // Checks that need no ledger; the server applies all the rules.
  const check = (): Record<string, string> => {
    const kind = kindOf();
    const problems: Record<string, string> = {};
    for (const name of kRequired[kind]) if (!control(name).value.trim()) problems[name] = t('validation.required');
    const amount = control('amount').value.trim();
    if (amount && (!/^\d+(\.\d+)?$/.test(amount) || !/[1-9]/.test(amount))) problems.amount = t('validation.amount');
    const currency = control('currency').value.trim();
    if (currency && !/^[A-Z]{3}$/.test(currency)) problems.currency = t('validation.currency');
    const valueDate = control('value_date').value;
    if (valueDate && !/^\d{4}-\d{2}-\d{2}$/.test(valueDate)) problems.value_date = t('validation.date');
    const attributed = control('attributed_year').value.trim();
    if (kFieldsOf[kind].includes('attributed_year') && attributed && !/^\d{4}$/.test(attributed)) problems.attributed_year = t('validation.year');
    const probability = control('probability').value.trim();
    if (kind === 'expected' && probability && (!/^\d+(\.\d+)?$/.test(probability) || Number(probability) > 1)) problems.probability = t('validation.probability');
    const country = control('country').value.trim();
    if (kFieldsOf[kind].includes('country') && country && !/^[A-Z]{3}$/.test(country)) problems.country = t('validation.country');
    if (!can('record', control('donor').value || undefined)) problems.donor = t('entryForm.notYourDonor');
    return problems;
  };

  let idempotencyKey = newIdempotencyKey();
  let lastBody = '';
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    for (const f of Object.values(fields)) f.setError(null);
    message.replaceChildren();
    const problems = check();
    if (Object.keys(problems).length) {
      for (const [name, text] of Object.entries(problems)) fields[name].setError(text);
      message.replaceChildren(h('p', { class: 'notice error', role: 'alert' }, t('entryForm.fix', { count: Object.keys(problems).length })));
      fields[Object.keys(problems)[0]].control.focus();
      return;
    }
    const kind = kindOf();
    const body: Record<string, string | number> = { kind };
    for (const name of kFieldsOf[kind]) {
      const text = control(name).value.trim();
      if (!text) continue;
      body[name] = name === 'attributed_year' ? Number(text) : text;
    }
    // The same intended entry keeps its key: a retry after a lost answer records it once.
    const bodyText = JSON.stringify(body);
    if (bodyText !== lastBody) {
      idempotencyKey = newIdempotencyKey();
      lastBody = bodyText;
    }
    submit.disabled = true;
    submit.textContent = t('entryForm.submitting');
    try {
      const entry = await post<Entry>('/entries', body, idempotencyKey);
      emit('ledger-changed', 'entry');
      message.replaceChildren(
        h(
          'p',
          { class: 'notice success', role: 'status', 'data-recorded': entry.id },
          t('entryForm.recorded', { kind: kindName(entry.kind), id: entry.id, amount: money(entry.amount, entry.currency), usd: money(entry.usd) }),
        ),
      );
      recorded.hidden = false;
      recorded.querySelector('ul')!.prepend(
        h(
          'li',
          null,
          h('a', { href: href('/entries', { donor: entry.donor, fund: entry.fund, kind: entry.kind }) }, entry.id),
          ' · ',
          kindName(entry.kind),
          ' · ',
          donorName(entry.donor),
          ' · ',
          fundName(entry.fund),
          ' · ',
          money(entry.amount, entry.currency),
          ' · ',
          date(entry.value_date),
        ),
      );
      for (const name of ['amount', 'note', 'reverses', 'probability']) control(name).value = '';
      reversedSummary.textContent = '';
      lastBody = '';
      void fillSettles();
      control('amount').focus();
    } catch (error) {
      if (error instanceof ApiError && error.details.length) {
        const general: HTMLElement[] = [];
        for (const detail of error.details) {
          const target = detail.field && fields[detail.field] && !fields[detail.field].wrapper.hidden ? fields[detail.field] : null;
          if (target) target.setError(serverText(detail.message));
          else general.push(h('li', null, detail.field ? `${fieldLabel(detail.field)}: ` : '', serverText(detail.message)));
        }
        message.replaceChildren(
          h(
            'div',
            { class: 'notice error', role: 'alert' },
            h('p', null, t('entryForm.rejected', { count: error.details.length })),
            general.length ? h('ul', null, general) : null,
          ),
        );
        const first = error.details.find((detail) => detail.field && fields[detail.field] && !fields[detail.field].wrapper.hidden);
        if (first) fields[first.field!].control.focus();
      } else {
        message.replaceChildren(
          h('div', { class: 'notice error', role: 'alert' }, h('p', null, errorMessage(error)), error instanceof ApiError ? h('p', null, serverText(error.message)) : null),
        );
      }
    } finally {
      submit.disabled = false;
      submit.textContent = t('entryForm.submit');
    }
  });
}
