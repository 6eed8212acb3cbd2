// The overview: the figures of the report (GET /report) for a year, as of a
// date and, optionally, as known at a date; every figure links to the entries
// behind it. It follows the source document: income against target per fund
// (Figure 2), income by region (Figure 3), the forecast, appeal coverage,
// pledging events, top contributors (Tables 1 and 2) and donor concentration.
import { get, on, type Report } from '../api';
import { chart } from '../chart-loader';
import { horizontalBars, kPalette, type ChartOption } from '../chart-options';
import { h, inLang, type Child } from '../dom';
import { date, dateLong, decimal, isRtl, lang, money, moneyShort, percent, t, year } from '../i18n';
import type { PageContext } from '../main';
import {
  channelName,
  donorName,
  donorNameIsEnglish,
  donorTypeName,
  fundName,
  load,
  regionName,
  seedFunds,
} from '../state';
import { badge, entriesLink, errorBox, field, href, input, loading, pageTitle, select, table } from '../ui';

interface Selection {
  year: number;
  asOf: string;
  knownAt: string;
  basis: 'gross' | 'net';
}

const kRefreshMs = 30_000;
const kHistoryYears = 5;
let firstRenderMarked = false;
let firstHistoryMarked = false;

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

const kStoredSelection = 'rmis.overview';

// The figures asked for in the address; else the last ones looked at in this
// tab (so that coming back to the overview shows the same figures); else
// this year as of today.
function readSelection(query: URLSearchParams): Selection {
  let source = query;
  if (!query.has('as_of') && !query.has('year')) {
    try {
      source = new URLSearchParams(sessionStorage.getItem(kStoredSelection) ?? '');
    } catch {
      source = query;
    }
  }
  const asOf = /^\d{4}-\d{2}-\d{2}$/.test(source.get('as_of') ?? '') ? source.get('as_of')! : today();
  const yearParam = Number(source.get('year'));
  return {
    year: Number.isInteger(yearParam) && yearParam >= 1900 && yearParam <= 2200 ? yearParam : Number(asOf.slice(0, 4)),
    asOf,
    knownAt: /^\d{4}-\d{2}-\d{2}$/.test(source.get('known_at') ?? '') ? source.get('known_at')! : '',
    basis: source.get('basis') === 'net' ? 'net' : 'gross',
  };
}

function selectionQuery(selection: Selection) {
  return { year: selection.year, as_of: selection.asOf, known_at: selection.knownAt || null, basis: selection.basis };
}

function reportQuery(selection: Selection, yearOverride?: number) {
  const reportYear = yearOverride ?? selection.year;
  const yearEnd = `${reportYear}-12-31`;
  return {
    year: reportYear,
    as_of: yearOverride !== undefined && yearEnd < selection.asOf ? yearEnd : selection.asOf,
    known_at: selection.knownAt || null,
    basis: selection.basis,
  };
}

// The entries behind a figure: those the report's snapshot sees (value
// dates up to the as-of date and, when chosen, recorded by the known-at date).
function snapshotRange(selection: Selection): { to: string; known_at?: string } {
  return selection.knownAt ? { to: selection.asOf, known_at: selection.knownAt } : { to: selection.asOf };
}

// The value dates of the receipts "received in the year as of the date".
function receivedRange(selection: Selection): { from: string; to: string; known_at?: string } {
  const yearEnd = `${selection.year}-12-31`;
  const range = { from: `${selection.year}-01-01`, to: selection.asOf < yearEnd ? selection.asOf : yearEnd };
  return selection.knownAt ? { ...range, known_at: selection.knownAt } : range;
}

function go(path: string, query: Record<string, string | number | null | undefined>): void {
  location.hash = href(path, query);
}

export async function overviewPage(view: HTMLElement, context: PageContext): Promise<void> {
  let selection = readSelection(context.query);
  sessionStorage.setItem(kStoredSelection, href('', selectionQuery(selection)).slice(2));
  const subtitle = h('p', { class: 'subtitle' });
  const figures = h('div', { class: 'figures', 'data-state': 'loading', 'aria-busy': 'true' });
  const controls = h('form', { class: 'controls', 'aria-label': t('overview.controls') });
  view.append(pageTitle(t('overview.title'), subtitle), controls, figures);

  // The choices: year, as-of date, known-at date and basis.
  // The report is asked for at once, side by side with the reference records,
  // and the figures are drawn as soon as it is here: the funds' names come
  // with it, and the targets only widen the year list. Donor names in English
  // are in the report itself; other languages need the donors' records (on a
  // store of 20,000 donors, 1.6 MB), so only they wait for them.
  let pending: Promise<Report> | null = get<Report>('/report', reportQuery(selection), context.signal);
  pending.catch(() => undefined);
  const targetsLoaded = load('targets');
  targetsLoaded.catch(() => undefined);
  load('funds').catch(() => undefined);
  if (lang() !== 'en') await load('donors');
  if (context.signal.aborted) return;
  const thisYear = Number(today().slice(0, 4));
  const yearOptions = (targets: { year_from: number; year_to: number }[]): [string, string][] => {
    const first = Math.max(Math.min(thisYear, selection.year, ...targets.map((target) => target.year_from)) - 2, 1900);
    const last = Math.min(Math.max(thisYear, selection.year, ...targets.map((target) => target.year_to)), 2200);
    const years: [string, string][] = [];
    for (let y = last; y >= first; y -= 1) years.push([String(y), year(y)]);
    return years;
  };
  const yearField = field(t('overview.year'), select('year', yearOptions([]), String(selection.year)));
  void targetsLoaded.then((targets) => {
    if (context.signal.aborted) return;
    const chosen = (yearField.control as HTMLSelectElement).value;
    (yearField.control as HTMLSelectElement).replaceChildren(
      ...yearOptions(targets).map(([value, text]) => h('option', { value, selected: value === chosen }, text)),
    );
  });
  const asOfField = field(t('overview.asOf'), input('as_of', 'date', selection.asOf, { required: '' }));
  const knownAtField = field(t('overview.knownAt'), input('known_at', 'date', selection.knownAt), t('overview.knownAtHint'));
  const basisField = field(
    t('overview.basis'),
    select('basis', [['gross', t('basis.gross')], ['net', t('basis.net')]], selection.basis),
  );
  controls.append(yearField.wrapper, asOfField.wrapper, knownAtField.wrapper, basisField.wrapper);

  const apply = () => {
    const asOf = (asOfField.control as HTMLInputElement).value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) {
      asOfField.setError(t('validation.date'));
      return;
    }
    asOfField.setError(null);
    selection = {
      year: Number((yearField.control as HTMLSelectElement).value),
      asOf,
      knownAt: (knownAtField.control as HTMLInputElement).value,
      basis: (basisField.control as HTMLSelectElement).value === 'net' ? 'net' : 'gross',
    };
    // The address keeps the choice (to share or bookmark it) without a new page.
    history.replaceState(null, '', href('/overview', selectionQuery(selection)));
    sessionStorage.setItem(kStoredSelection, href('', selectionQuery(selection)).slice(2));
    void refresh(true);
  };
  yearField.control.addEventListener('change', () => {
    // A year chosen alone is seen at its end, or today if it has not ended.
    const chosen = Number((yearField.control as HTMLSelectElement).value);
    const end = `${chosen}-12-31`;
    (asOfField.control as HTMLInputElement).value = end < today() ? end : today();
    apply();
  });
  for (const control of [asOfField.control, knownAtField.control, basisField.control]) control.addEventListener('change', apply);
  controls.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });

  let shown = '';
  let renders = 0;
  const refresh = async (force: boolean) => {
    const started = performance.now();
    let report: Report;
    try {
      const request = pending ?? get<Report>('/report', reportQuery(selection), context.signal);
      pending = null;
      report = await request;
    } catch (error) {
      if (context.signal.aborted) return;
      if (force || !shown) {
        figures.replaceChildren(errorBox(error));
        figures.dataset.state = 'error';
        figures.removeAttribute('aria-busy');
      }
      return;
    }
    if (context.signal.aborted) return;
    const text = JSON.stringify(report);
    if (!force && text === shown) return; // nothing new in the ledger
    shown = text;
    seedFunds(report.income_vs_target.map((row) => ({ id: row.fund, name: row.name, category: row.category })));
    subtitle.textContent = report.known_at
      ? t('overview.subtitleKnownAt', { year: year(report.year), asOf: dateLong(report.as_of), knownAt: dateLong(report.known_at) })
      : t('overview.subtitle', { year: year(report.year), asOf: dateLong(report.as_of) });
    figures.setAttribute('aria-busy', 'true');
    const drawn = renderFigures(figures, report, selection);
    if (!firstRenderMarked) performance.mark('rmis:overview-figures'); // numbers, tables and links, before the charts
    await drawn.primary;
    if (context.signal.aborted) return;
    renders += 1;
    figures.dataset.state = 'ready';
    figures.dataset.renders = String(renders);
    figures.removeAttribute('aria-busy');
    performance.measure('rmis:overview-render', { start: started, end: performance.now() });
    if (!firstRenderMarked) {
      firstRenderMarked = true;
      // "Usable": the figures of the year are on screen, charts drawn, linked.
      performance.mark('rmis:overview-usable');
    }
    void renderHistory(drawn.history, selection, report, context.signal).then(() => {
      if (!firstHistoryMarked && !context.signal.aborted) {
        firstHistoryMarked = true;
        performance.mark('rmis:overview-complete');
      }
    });
  };
  figures.replaceChildren(loading());
  await refresh(true);

  // New entries show without a reload: after a write here, when the window
  // comes back into view, and every 30 seconds while it is shown.
  const stopListening = on('ledger-changed', () => void refresh(false));
  const onFocus = () => void refresh(false);
  window.addEventListener('focus', onFocus);
  const timer = window.setInterval(() => {
    if (document.visibilityState === 'visible') void refresh(false);
  }, kRefreshMs);
  context.signal.addEventListener('abort', () => {
    stopListening();
    window.removeEventListener('focus', onFocus);
    window.clearInterval(timer);
  });
}
function section(id: string, title: string, intro: Child, ...content: Child[]): HTMLElement {
  return h(
    'section',
    { class: 'figure', 'data-figure': id, 'aria-labelledby': `fig-${id}` },
    h('h2', { id: `fig-${id}` }, title),
    intro ? h('p', { class: 'figure-intro' }, intro) : null,
    ...content,
  );
}

// "1234.5" (the API's USD decimal) -> 123450n cents, and back.
function usdCents(decimal: string): bigint {
  const [whole, fraction = ''] = decimal.split('.');
  const cents = BigInt(whole.replace('-', '')) * 100n + BigInt((fraction + '00').slice(0, 2));
  return whole.startsWith('-') ? -cents : cents;
}
function centsText(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const digits = (cents < 0n ? -cents : cents).toString().padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

function chartBox(height: number): HTMLElement {
  return h('div', { class: 'chart', style: `height:${height}px` });
}

// The donor's page, for the same snapshot.
function donorCell(id: string, fallback: string, selection: Selection): HTMLElement {
  const name = donorName(id, fallback);
  return h(
    'a',
    { href: href(`/donors/${encodeURIComponent(id)}`, { as_of: selection.asOf, known_at: selection.knownAt || null }) },
    donorNameIsEnglish(id) ? inLang(name, 'en') : name,
  );
}

const money0 = (value: number) => moneyShort(value);

function renderFigures(container: HTMLElement, report: Report, selection: Selection): { primary: Promise<unknown>; history: HTMLElement } {
  const drawn: Promise<unknown>[] = [];
  const range = receivedRange(selection);
  const basisNote = report.basis === 'net' ? t('basis.netNote') : t('basis.grossNote');
  const sections: HTMLElement[] = [];

  if (!report.has_data) {
    sections.push(h('div', { class: 'notice', role: 'status' }, h('p', null, t('overview.noData', { year: year(report.year), asOf: dateLong(report.as_of) }))));
  }

  // --- Figure 2: income against target, per fund --------------------------
  const income = report.income_vs_target;
  const cards = h(
    'div',
    { class: 'cards' },
    income.map((row) =>
      h(
        'article',
        { class: 'card', 'data-fund': row.fund, 'aria-labelledby': `card-${row.fund}` },
        h('h3', { id: `card-${row.fund}` }, fundName(row.fund, row.name)),
        h(
          'p',
          { class: 'card-share' },
          h('span', { class: 'big', 'data-figure': 'share', 'data-share': String(row.share ?? '') }, percent(row.share)),
          ' ',
          h('span', { class: 'of-target' }, t('overview.ofTarget', { basis: t(`basis.${report.basis}Short`) })),
        ),
        h(
          'dl',
          null,
          h('dt', null, t('overview.received')),
          h('dd', { 'data-figure': 'received', 'data-usd': row.received_usd }, money(row.received_usd)),
          h('dt', null, t('overview.priorYear')),
          h('dd', { 'data-figure': 'prior-year', 'data-usd': row.prior_year_usd }, money(row.prior_year_usd)),
          h('dt', null, t('overview.net')),
          h('dd', { 'data-figure': 'net', 'data-usd': row.net_usd }, money(row.net_usd)),
          h('dt', null, t('overview.target')),
          h('dd', { 'data-figure': 'target', 'data-usd': row.target_usd ?? '' }, row.target_usd ? money(row.target_usd) : t('overview.noTarget')),
        ),
        entriesLink({ fund: row.fund, kind: 'receipt', ...range }, t('overview.receiptsLink')),
      ),
    ),
  );
  const incomeChart = chartBox(Math.max(160, 70 * income.length + 60));
  sections.push(
    section(
      'income',
      t('overview.incomeTitle'),
      basisNote,
      cards,
      incomeChart,
      table(
        [t('overview.fund'), t('overview.received'), t('overview.priorYear'), t('overview.net'), t('overview.target'), t('overview.shareBasis', { basis: t(`basis.${report.basis}Short`) }), ''],
        income.map((row) => [
          fundName(row.fund, row.name),
          money(row.received_usd),
          money(row.prior_year_usd),
          money(row.net_usd),
          row.target_usd ? money(row.target_usd) : t('overview.noTarget'),
          percent(row.share),
          entriesLink({ fund: row.fund, kind: 'receipt', ...range }),
        ]),
        { caption: t('overview.incomeTable'), numeric: [1, 2, 3, 4, 5] },
      ),
    ),
  );
  const receivedKey = report.basis === 'net' ? 'net_usd' : 'received_usd';
  drawn.push(
    chart(
      incomeChart,
      {
        ...horizontalBars(
          income.map((row) => fundName(row.fund, row.name)),
          [
            {
              name: report.basis === 'net' ? t('overview.net') : t('overview.received'),
              type: 'bar',
              data: income.map((row) => Number(row[receivedKey])),
              label: {
                show: true,
                position: isRtl() ? 'left' : 'right',
                color: '#1a1a1a',
                formatter: (p: any) => (income[p.dataIndex].share === null ? '' : percent(income[p.dataIndex].share)),
              },
            },
            { name: t('overview.target'), type: 'bar', data: income.map((row) => (row.target_usd ? Number(row.target_usd) : null)), itemStyle: { color: '#8c8c8c' } },
          ],
        ),
        tooltip: { trigger: 'axis', confine: true, valueFormatter: money0 },
      },
      t('overview.incomeChart'),
      (p) => go('/entries', { fund: income[p.dataIndex].fund, kind: 'receipt', ...range }),
    ),
  );

  // --- Figure 3: income by region ---------------------------------------------
  const regions = report.regions;
  const regionChart = chartBox(Math.max(140, 36 * regions.length + 50));
  sections.push(
    section(
      'regions',
      t('overview.regionsTitle'),
      t('overview.regionsIntro', { year: year(report.year), asOf: dateLong(report.as_of) }),
      regions.length ? regionChart : h('p', null, t('overview.nothing')),
      regions.length
        ? table(
            [t('overview.region'), t('overview.received'), ''],
            regions.map((row) => [
              regionName(row.region),
              money(row.received_usd),
              row.region === 'unallocated' ? '' : entriesLink({ region: row.region, kind: 'receipt', ...range }),
            ]),
            { caption: t('overview.regionsTable'), numeric: [1] },
          )
        : null,
    ),
  );
  if (regions.length) {
    drawn.push(
      chart(
        regionChart,
        {
          ...horizontalBars(regions.map((row) => regionName(row.region)), [
            { name: t('overview.received'), type: 'bar', data: regions.map((row) => Number(row.received_usd)), itemStyle: { color: kPalette[0] } },
          ], false),
          tooltip: { trigger: 'axis', confine: true, valueFormatter: money0 },
        },
        t('overview.regionsChart'),
        (p) => {
          const region = regions[p.dataIndex].region;
          if (region !== 'unallocated') go('/entries', { region, kind: 'receipt', ...range });
        },
      ),
    );
  }

  // --- Forecast: received, pledged and expected against target ---------------
  const forecast = report.forecast;
  const forecastChart = chartBox(Math.max(160, 70 * forecast.length + 60));
  sections.push(
    section(
      'forecast',
      t('overview.forecastTitle'),
      t('overview.forecastIntro', { year: year(report.year) }),
      forecastChart,
      table(
        [t('overview.fund'), t('overview.received'), t('overview.pledged'), t('overview.expected'), t('overview.total'), t('overview.target'), t('overview.share'), ''],
        forecast.map((row) => [
          fundName(row.fund, row.name),
          money(row.received_usd),
          money(row.pledged_usd),
          h('span', { title: t('overview.unweighted', { amount: money(row.expected_unweighted_usd) }) }, money(row.expected_usd)),
          money(row.total_usd),
          row.target_usd ? money(row.target_usd) : t('overview.noTarget'),
          row.target_usd && Number(row.target_usd) > 0 ? percent(Number(row.total_usd) / Number(row.target_usd)) : t('common.none'),
          entriesLink({ fund: row.fund, year: report.year, ...snapshotRange(selection) }),
        ]),
        { caption: t('overview.forecastTable'), numeric: [1, 2, 3, 4, 5, 6] },
      ),
      h('p', { class: 'hint' }, t('overview.expectedNote')),
    ),
  );
  drawn.push(
    chart(
      forecastChart,
      {
        ...horizontalBars(forecast.map((row) => fundName(row.fund, row.name)), [
          { name: t('overview.received'), type: 'bar', stack: 'forecast', data: forecast.map((row) => Number(row.received_usd)), itemStyle: { color: kPalette[0] } },
          { name: t('overview.pledged'), type: 'bar', stack: 'forecast', data: forecast.map((row) => Number(row.pledged_usd)), itemStyle: { color: kPalette[1] } },
          { name: t('overview.expected'), type: 'bar', stack: 'forecast', data: forecast.map((row) => Number(row.expected_usd)), itemStyle: { color: kPalette[2] } },
          { name: t('overview.target'), type: 'bar', data: forecast.map((row) => (row.target_usd ? Number(row.target_usd) : null)), itemStyle: { color: '#8c8c8c' } },
        ]),
        tooltip: { trigger: 'axis', confine: true, valueFormatter: money0 },
      },
      t('overview.forecastChart'),
      (p) => go('/entries', { fund: forecast[p.dataIndex].fund, year: report.year, ...snapshotRange(selection) }),
    ),
  );

  // --- Appeals: how each is covered -------------------------------------------
  const appeals = report.appeals;
  const channels = Array.from(new Set(appeals.flatMap((appeal) => Object.keys(appeal.by_channel))));
  const appealChart = chartBox(Math.max(120, 60 * appeals.length + 60));
  sections.push(
    section(
      'appeals',
      t('overview.appealsTitle'),
      t('overview.appealsIntro'),
      appeals.length ? appealChart : h('p', null, t('overview.noAppeals')),
      appeals.length
        ? table(
            [t('overview.appeal'), t('overview.launched'), t('overview.requirement'), t('overview.mobilized'), t('overview.gap'), t('overview.coverage'), ''],
            appeals.map((row) => [
              inLang(row.name, 'en'),
              date(row.launched_on),
              money(row.requirement_usd),
              money(row.mobilized_usd),
              money(row.gap_usd),
              percent(row.coverage),
              entriesLink({ appeal: row.appeal, ...snapshotRange(selection) }),
            ]),
            { caption: t('overview.appealsTable'), numeric: [2, 3, 4, 5] },
          )
        : null,
    ),
  );
  if (appeals.length) {
    drawn.push(
      chart(
        appealChart,
        {
          ...horizontalBars(appeals.map((row) => row.name), [
            ...channels.map((channel, i) => ({
              name: channelName(channel),
              type: 'bar',
              stack: 'appeal',
              data: appeals.map((row) => Number(row.by_channel[channel] ?? 0)),
              itemStyle: { color: kPalette[i % kPalette.length] },
            })),
            { name: t('overview.gap'), type: 'bar', stack: 'appeal', data: appeals.map((row) => Number(row.gap_usd)), itemStyle: { color: '#d9d9d9', borderColor: '#5b5b5b', borderWidth: 1 } },
          ]),
          tooltip: { trigger: 'axis', confine: true, valueFormatter: money0 },
        },
        t('overview.appealsChart'),
        (p) => go('/entries', { appeal: appeals[p.dataIndex].appeal, ...snapshotRange(selection) }),
      ),
    );
  }

  // --- Pledging events of the year -----------------------------------------------
  const events = report.events;
  sections.push(
    section(
      'events',
      t('overview.eventsTitle'),
      t('overview.eventsIntro', { year: year(report.year) }),
      events.length
        ? table(
            [t('overview.event'), t('overview.heldOn'), t('overview.pledgedAtEvent'), t('category.core'), t('category.earmarked'), t('category.technical_cooperation'), ''],
            events.map((row) => [
              inLang(row.name, 'en'),
              date(row.held_on),
              money(row.pledged_usd),
              money(row.by_category.core ?? '0.00'),
              money(row.by_category.earmarked ?? '0.00'),
              money(row.by_category.technical_cooperation ?? '0.00'),
              entriesLink({ event: row.event, kind: 'pledge', ...snapshotRange(selection) }),
            ]),
            { caption: t('overview.eventsTable'), numeric: [2, 3, 4, 5] },
          )
        : h('p', null, t('overview.noEvents', { year: year(report.year) })),
    ),
  );

  // --- Tables 1 and 2: top contributors per fund, and donor types ----------------
  const topSection = section('top', t('overview.topTitle'), t('overview.topIntro', { year: year(report.year) }));
  const toggleName = 'top-table';
  const memberStatesChoice = h('input', { type: 'radio', name: toggleName, id: 'top-ms', value: 'member_states', checked: true });
  const allChoice = h('input', { type: 'radio', name: toggleName, id: 'top-all', value: 'donors' });
  const toggle = h(
    'fieldset',
    { class: 'toggle' },
    h('legend', null, t('overview.topShow')),
    h('span', null, memberStatesChoice, h('label', { for: 'top-ms' }, t('overview.topMemberStates'))),
    h('span', null, allChoice, h('label', { for: 'top-all' }, t('overview.topAllDonors'))),
  );
  const tables = h('div', { class: 'top-tables' });
  const fillTop = (which: 'member_states' | 'donors') => {
    tables.replaceChildren(
      ...report.top_contributors.map((fund) => {
        const list = fund[which];
        return h(
          'div',
          { class: 'top-fund', 'data-fund': fund.fund },
          list.length
            ? table(
                [t('overview.rank'), t('overview.donor'), t('overview.received')],
                list.map((donor) => [
                  String(donor.rank),
                  h(
                    'span',
                    null,
                    donorCell(donor.donor, donor.name, selection),
                    donor.includes_prior_year ? h('span', { class: 'mark', title: t('overview.priorYearMark') }, h('span', { 'aria-hidden': 'true' }, '*'), h('span', { class: 'visually-hidden' }, t('overview.priorYearMark'))) : null,
                    which === 'donors' && !donor.member_state ? [' ', badge(donorTypeName(donor.type), 'type')] : null,
                  ),
                  h('a', { href: href('/entries', { donor: donor.donor, fund: fund.fund, kind: 'receipt', ...range }), 'data-usd': donor.received_usd }, money(donor.received_usd)),
                ]),
                { caption: fundName(fund.fund, fund.name), numeric: [0, 2] },
              )
            : h('p', null, fundName(fund.fund, fund.name), ': ', t('overview.nothing')),
        );
      }),
    );
  };
  memberStatesChoice.addEventListener('change', () => fillTop('member_states'));
  allChoice.addEventListener('change', () => fillTop('donors'));
  fillTop('member_states');
  topSection.append(toggle, tables, h('p', { class: 'hint' }, '* ', t('overview.priorYearMark'), ' · ', t('overview.topNote')));
  sections.push(topSection);

  // Donor types among the largest donors of each fund (Table 2's point).
  const types = Array.from(new Set(report.top_contributors.flatMap((fund) => fund.donors.map((donor) => donor.type))));
  const typeChart = chartBox(Math.max(160, 70 * report.top_contributors.length + 60));
  const topN = report.top_contributors.reduce((n, fund) => Math.max(n, fund.donors.length), 0);
  // Added in exact cents; only the chart's bars are drawn from a number.
  const centsByType = (fund: Report['top_contributors'][number], type: string) =>
    fund.donors.filter((donor) => donor.type === type).reduce((sum, donor) => sum + usdCents(donor.received_usd), 0n);
  const sumByType = (fund: Report['top_contributors'][number], type: string) => Number(centsByType(fund, type)) / 100;
  sections.push(
    section(
      'types',
      t('overview.typesTitle'),
      t('overview.typesIntro', { count: topN }),
      types.length ? typeChart : h('p', null, t('overview.nothing')),
      types.length
        ? table(
            [t('overview.donorType'), ...report.top_contributors.map((fund) => fundName(fund.fund, fund.name))],
            types.map((type) => [
              donorTypeName(type),
              ...report.top_contributors.map((fund) => {
                const donors = fund.donors.filter((donor) => donor.type === type);
                if (!donors.length) return t('common.none');
                // The entries behind the cell: each of its donors' receipts to the fund.
                return h(
                  'details',
                  { class: 'type-cell', 'data-usd': centsText(centsByType(fund, type)) },
                  h('summary', null, t('overview.typeCell', { count: donors.length, amount: money(centsText(centsByType(fund, type))) })),
                  h(
                    'ul',
                    null,
                    donors.map((donor) =>
                      h('li', null, h('a', { href: href('/entries', { donor: donor.donor, fund: fund.fund, kind: 'receipt', ...range }), class: 'entries-link' }, donorName(donor.donor, donor.name), ': ', money(donor.received_usd))),
                    ),
                  ),
                );
              }),
            ]),
            { caption: t('overview.typesTable', { count: topN }), numeric: report.top_contributors.map((_, i) => i + 1) },
          )
        : null,
    ),
  );
  if (types.length) {
    drawn.push(
      chart(
        typeChart,
        {
          ...horizontalBars(
            report.top_contributors.map((fund) => fundName(fund.fund, fund.name)),
            types.map((type, i) => ({
              name: donorTypeName(type),
              type: 'bar',
              stack: 'types',
              data: report.top_contributors.map((fund) => sumByType(fund, type)),
              itemStyle: { color: kPalette[i % kPalette.length] },
            })),
          ),
          tooltip: { trigger: 'axis', confine: true, valueFormatter: money0 },
        },
        t('overview.typesChart'),
        (p) => go('/entries', { fund: report.top_contributors[p.dataIndex].fund, kind: 'receipt', ...range }),
      ),
    );
  }

  // --- Donor concentration over the years: filled in after the rest ----------------
  const history = h('div', { class: 'history' }, loading());
  sections.push(section('concentration', t('overview.concentrationTitle'), t('overview.concentrationIntro', { count: report.concentration.top_n }), history));

  container.replaceChildren(...sections);
  return { primary: Promise.all(drawn), history };
}

// One report per year (the API computes each from the ledger): the share of
// the largest donors and the Herfindahl-Hirschman index, year by year.
async function renderHistory(container: HTMLElement, selection: Selection, report: Report, signal: AbortSignal): Promise<void> {
  const years: number[] = [];
  for (let y = selection.year - kHistoryYears + 1; y <= selection.year; y += 1) years.push(y);
  let rows: { year: number; report: Report }[];
  try {
    rows = await Promise.all(
      years.map(async (y) => ({ year: y, report: y === selection.year ? report : await get<Report>('/report', reportQuery(selection, y), signal) })),
    );
  } catch (error) {
    if (!signal.aborted) container.replaceChildren(errorBox(error));
    return;
  }
  if (signal.aborted || !container.isConnected) return;
  const box = chartBox(260);
  container.replaceChildren(
    box,
    table(
      [t('overview.year'), t('overview.donors'), t('overview.received'), t('overview.topShare', { count: report.concentration.top_n }), t('overview.hhi'), ''],
      rows.map(({ year: y, report: r }) => [
        year(y),
        String(r.concentration.donors),
        money(r.concentration.total_usd),
        percent(r.concentration.top_share),
        r.concentration.hhi === null ? t('common.none') : decimal(r.concentration.hhi, 3),
        entriesLink({ ...snapshotRange(selection), kind: 'receipt', from: `${y}-01-01`, to: reportQuery(selection, y).as_of < `${y}-12-31` ? reportQuery(selection, y).as_of : `${y}-12-31` }),
      ]),
      { caption: t('overview.concentrationTable'), numeric: [1, 2, 3, 4] },
    ),
    h('p', { class: 'hint' }, t('overview.hhiNote')),
  );
  const rtl = isRtl();
  const option: ChartOption = {
    legend: { top: 0, [rtl ? 'right' : 'left']: 0 },
    grid: { top: 40, bottom: 24, left: 8, right: 8, containLabel: true },
    tooltip: { trigger: 'axis', confine: true },
    xAxis: { type: 'category', data: rows.map((row) => year(row.year)), inverse: rtl, axisLabel: { color: '#1a1a1a' } },
    yAxis: [
      { type: 'value', min: 0, max: 1, position: rtl ? 'right' : 'left', axisLabel: { formatter: (v: number) => percent(v), color: '#1a1a1a' } },
      { type: 'value', min: 0, max: 1, position: rtl ? 'left' : 'right', splitLine: { show: false }, axisLabel: { formatter: (v: number) => decimal(v, 1), color: '#1a1a1a' } },
    ],
    series: [
      {
        name: t('overview.topShare', { count: report.concentration.top_n }),
        type: 'line',
        data: rows.map((row) => row.report.concentration.top_share),
        symbolSize: 8,
        tooltip: { valueFormatter: (v: number) => percent(v) },
        lineStyle: { width: 3 },
      },
      {
        name: t('overview.hhi'),
        type: 'line',
        yAxisIndex: 1,
        data: rows.map((row) => row.report.concentration.hhi),
        symbol: 'diamond',
        symbolSize: 9,
        lineStyle: { type: 'dashed', width: 2 },
        tooltip: { valueFormatter: (v: number) => decimal(v, 3) },
      },
    ],
  };
  await chart(box, option, t('overview.concentrationChart'), (p) => {
    const y = rows[p.dataIndex].year;
    const asOf = reportQuery(selection, y).as_of;
    go('/entries', { ...snapshotRange(selection), kind: 'receipt', from: `${y}-01-01`, to: asOf < `${y}-12-31` ? asOf : `${y}-12-31` });
  });
}
