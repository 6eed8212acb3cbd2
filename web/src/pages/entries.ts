// The ledger: entries newest first (or oldest first) by the order they were
// stored (GET /entries), filtered, a page at a time, with the actions a
// writer may take on each.
import { get, on, type Entry, type EntryPage } from '../api';
import { h, inLang } from '../dom';
import { date, money, number, t, year } from '../i18n';
import type { PageContext } from '../main';
import { can, donorName, donorNameIsEnglish, fundName, kindName, load, regionName } from '../state';
import { errorBox, field, href, input, loading, pageTitle, select, table } from '../ui';

const kFilters = ['donor', 'fund', 'kind', 'region', 'appeal', 'event', 'year', 'from', 'to', 'known_at', 'settles', 'order'] as const;
const kKinds = ['pledge', 'receipt', 'expected', 'write_off', 'reversal'];
const kRegions = ['africa', 'arab_states', 'asia_pacific', 'europe', 'latin_america_caribbean', 'global'];

export async function entriesPage(view: HTMLElement, context: PageContext): Promise<void> {
  const query = context.query;
  const value = (name: string) => query.get(name) ?? '';
  const active = kFilters.filter((name) => value(name) && name !== 'order');
  const filterQuery: Record<string, string> = {};
  for (const name of active) filterQuery[name] = value(name);
  // Newest first unless asked otherwise: what was just recorded is on top.
  filterQuery.order = value('order') === 'asc' ? 'asc' : 'desc';
  // The first page is asked for at once, beside the reference records the
  // filters and the names need (on a big store those take longest).
  let firstPage: Promise<EntryPage> | null = get<EntryPage>('/entries', { ...filterQuery, limit: 100 }, context.signal);
  firstPage.catch(() => undefined);
  const [donors, funds, appeals, events] = await Promise.all([load('donors'), load('funds'), load('appeals'), load('events')]);
  if (context.signal.aborted) return;

  const donorInput = input('donor', 'text', value('donor'), { list: 'donor-options', autocomplete: 'off' });
  // The suggestions are made when the field is first used: on a store of
  // 20,000 donors, making them with the page delayed the list by a second.
  const donorList = h('datalist', { id: 'donor-options' });
  const suggest = () => {
    if (donorList.childElementCount) return;
    donorList.append(...donors.map((donor) => h('option', { value: donor.id }, donorName(donor.id))));
  };
  donorInput.addEventListener('focus', suggest);
  donorInput.addEventListener('input', suggest);
  const any = t('entries.any');
  const fields = {
    donor: field(t('field.donor'), donorInput, t('entries.donorHint')),
    fund: field(t('field.fund'), select('fund', [['', any], ...funds.map((fund): [string, string] => [fund.id, fundName(fund.id)])], value('fund'))),
    kind: field(t('field.kind'), select('kind', [['', any], ...kKinds.map((kind): [string, string] => [kind, kindName(kind)])], value('kind'))),
    region: field(t('field.region'), select('region', [['', any], ...kRegions.map((region): [string, string] => [region, regionName(region)])], value('region'))),
    appeal: field(t('field.appeal'), select('appeal', [['', any], ...appeals.map((appeal): [string, string] => [appeal.id, appeal.name])], value('appeal'))),
    event: field(t('field.event'), select('event', [['', any], ...events.map((event): [string, string] => [event.id, event.name])], value('event'))),
    year: field(t('field.attributed_year'), input('year', 'number', value('year'), { min: '1900', max: '2200', inputmode: 'numeric' })),
    from: field(t('entries.from'), input('from', 'date', value('from'))),
    to: field(t('entries.to'), input('to', 'date', value('to'))),
    known_at: field(t('entries.knownAt'), input('known_at', 'date', value('known_at')), t('entries.knownAtHint')),
    order: field(
      t('entries.order'),
      select('order', [['', t('entries.newestFirst')], ['asc', t('entries.oldestFirst')]], value('order') === 'asc' ? 'asc' : ''),
      t('entries.orderHint'),
    ),
  };
  const settles = value('settles');
  const form = h(
    'form',
    { class: 'controls filters', 'aria-label': t('entries.filters') },
    Object.values(fields).map((f) => f.wrapper),
    donorList,
    settles ? h('input', { type: 'hidden', name: 'settles', value: settles }) : null,
    h(
      'div',
      { class: 'form-buttons' },
      h('button', { type: 'submit', class: 'primary' }, t('entries.apply')),
      h('a', { href: '#/entries', class: 'button' }, t('entries.clear')),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next: Record<string, string> = {};
    for (const name of kFilters) {
      const control = form.elements.namedItem(name) as HTMLInputElement | null;
      if (control && control.value.trim()) next[name] = control.value.trim();
    }
    location.hash = href('/entries', next);
  });

  view.append(
    pageTitle(
      t('entries.title'),
      can('record')
        ? h('p', { class: 'actions', 'data-write': '' }, h('a', { class: 'button primary', href: '#/entries/new' }, t('entries.record')))
        : null,
    ),
    // On a phone the filters would fill the first screen: they fold away
    // there, saying how many are in use.
    h(
      'details',
      { class: 'filters-box', open: !window.matchMedia('(max-width: 40rem)').matches },
      h('summary', null, t('entries.filters'), active.length ? ` (${number(active.length)})` : ''),
      form,
    ),
    settles ? h('p', { class: 'notice' }, t('entries.settlesFilter', { id: settles })) : '',
    h('p', { class: 'hint' }, t('entries.orderNote')),
  );
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const list = h('div', { class: 'entry-list' }, loading());
  const more = h('div');
  view.append(status, list, more);

  let shown: Entry[] = [];
  let cursor: string | null = null;
  let drawn = '';
  const fetchPage = async (reset: boolean) => {
    if (reset) {
      shown = [];
      cursor = null;
    }
    const before = drawn;
    try {
      const request = reset && firstPage ? firstPage : get<EntryPage>('/entries', { ...filterQuery, limit: 100, cursor }, context.signal);
      firstPage = null;
      const page = await request;
      if (context.signal.aborted) return;
      shown = shown.concat(page.entries);
      cursor = page.next_cursor;
    } catch (error) {
      if (!context.signal.aborted) list.replaceChildren(errorBox(error));
      drawn = '';
      return;
    }
    drawn = JSON.stringify([shown, cursor]);
    if (drawn === before) return; // nothing new: leave the page as it is
    status.textContent = cursor ? t('entries.countMore', { count: shown.length }) : t('entries.count', { count: shown.length });
    list.replaceChildren(shown.length ? entriesTable(shown) : h('p', null, t('entries.none')));
    more.replaceChildren(
      cursor ? h('button', { type: 'button', onclick: () => void fetchPage(false), 'data-more': '' }, t('entries.more')) : '',
    );
  };
  await fetchPage(true);
  // A new entry recorded in this window shows without a reload; one recorded
  // elsewhere shows when the window is looked at again, or within 30 seconds
  // (only while the first page alone is shown, so as not to lose the reader's place).
  const stop = on('ledger-changed', () => void fetchPage(true));
  const onFocus = () => {
    if (shown.length <= 100 && !context.signal.aborted) void fetchPage(true);
  };
  window.addEventListener('focus', onFocus);
  const timer = window.setInterval(onFocus, 30_000);
  context.signal.addEventListener('abort', () => {
    stop();
    window.removeEventListener('focus', onFocus);
    window.clearInterval(timer);
  });
}

function entriesTable(entries: Entry[]): HTMLElement {
  const writer = can('record');
  return table(
    [
      t('field.id'),
      t('field.kind'),
      t('field.value_date'),
      t('field.donor'),
      t('field.fund'),
      t('field.amount'),
      t('entries.usd'),
      t('field.attributed_year'),
      t('field.region'),
      t('entries.links'),
      t('field.note'),
      writer ? t('entries.actions') : null,
    ].filter((header) => header !== null),
    entries.map((entry) => {
      const name = donorName(entry.donor);
      const row = [
        h('code', null, entry.id),
        kindName(entry.kind),
        date(entry.value_date),
        h('a', { href: href(`/donors/${encodeURIComponent(entry.donor)}`) }, donorNameIsEnglish(entry.donor) ? inLang(name, 'en') : name),
        fundName(entry.fund),
        money(entry.amount, entry.currency),
        money(entry.usd),
        year(entry.attributed_year),
        entry.region ? regionName(entry.region) : '',
        entry.settles
          ? h('a', { href: href('/entries', { settles: entry.settles }) }, t('entries.settles', { id: entry.settles }))
          : entry.reverses
            ? t('entries.reverses', { id: entry.reverses })
            : entry.kind === 'pledge' || entry.kind === 'expected'
              ? h('a', { href: href('/entries', { settles: entry.id }) }, t('entries.againstIt'))
              : '',
        entry.note ? inLang(entry.note, 'en') : '',
      ];
      if (writer) {
        const mayRecord = can('record', entry.donor);
        row.push(
          mayRecord && entry.kind !== 'reversal'
            ? h(
                'span',
                { class: 'row-actions', 'data-write': '' },
                entry.kind === 'pledge'
                  ? [h('a', { href: href('/entries/new', { kind: 'receipt', donor: entry.donor, fund: entry.fund, currency: entry.currency, settles: entry.id }) }, t('entries.pay')), ' · ']
                  : null,
                entry.kind === 'pledge' || entry.kind === 'expected'
                  ? [h('a', { href: href('/entries/new', { kind: 'write_off', donor: entry.donor, fund: entry.fund, currency: entry.currency, settles: entry.id }) }, t('entries.writeOff')), ' · ']
                  : null,
                h('a', { href: href('/entries/new', { kind: 'reversal', reverses: entry.id }) }, t('entries.reverse')),
              )
            : '',
        );
      }
      return row;
    }),
    { caption: t('entries.tableCaption'), numeric: [5, 6], rowAttrs: (i) => ({ 'data-entry': entries[i].id }) },
  );
}
