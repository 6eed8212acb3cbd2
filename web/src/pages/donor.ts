// One donor: its names, its focal point, its giving by year and fund, its
// open pledges and its expectations, as the server computes them
// (GET /donors/{id}/summary) for the snapshot in the address
// (#/donors/mexico?as_of=2021-06-30&known_at=2021-03-31; as of today by default).
import { get, on, type DonorSummary } from '../api';
import { chart } from '../chart-loader';
import { kPalette } from '../chart-options';
import { h, inLang } from '../dom';
import { date, dateLong, isRtl, kLangs, langName, money, moneyShort, percent, t, year } from '../i18n';
import type { PageContext } from '../main';
import { can, donor as findDonor, donorName, donorTypeName, fundName, load } from '../state';
import { entriesLink, errorBox, field, href, input, loading, pageTitle, table } from '../ui';

const kDate = /^\d{4}-\d{2}-\d{2}$/;

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export async function donorPage(view: HTMLElement, context: PageContext): Promise<void> {
  const id = context.params[0];
  await Promise.all([load('donors'), load('funds')]);
  if (context.signal.aborted) return;
  const donor = findDonor(id);
  if (!donor) {
    view.append(pageTitle(t('donor.title')), h('div', { class: 'notice', role: 'alert' }, h('p', null, t('donor.notFound', { id }))));
    return;
  }
  const asOf = kDate.test(context.query.get('as_of') ?? '') ? context.query.get('as_of')! : today();
  const knownAt = kDate.test(context.query.get('known_at') ?? '') ? context.query.get('known_at')! : '';
  const snapshot = knownAt ? { as_of: asOf, known_at: knownAt } : { as_of: asOf };
  // The figures with the first rows of each list; pagedTable asks for more.
  const summaryPath = `/donors/${encodeURIComponent(id)}/summary`;
  const firstPage = { ...snapshot, open_limit: String(kFirstRows) };
  const pending = get<DonorSummary>(summaryPath, firstPage, context.signal);
  pending.catch(() => undefined);

  const record = donor as unknown as Record<string, string | undefined>;
  const focal = h('dd', { 'data-focal-points': '' }, loading());
  const subtitle = h('p', { class: 'subtitle' });
  view.append(
    pageTitle(donorName(id), h('p', { class: 'subtitle' }, donorTypeName(donor.type), donor.country ? ` · ${donor.country}` : ''), subtitle),
    h('p', null, h('a', { href: '#/donors' }, t('donor.back'))),
    h(
      'dl',
      { class: 'facts' },
      kLangs.flatMap((code) => {
        const name = code === 'en' ? donor.name : record[`name_${code}`];
        return name ? [h('dt', null, langName(code)), h('dd', null, inLang(name, code))] : [];
      }),
      h('dt', null, t('donor.id')),
      h('dd', null, h('code', null, donor.id)),
      h('dt', null, t('donor.focalPoint')),
      focal,
    ),
  );
  if (can('record', id)) {
    view.append(
      h(
        'p',
        { class: 'actions', 'data-write': '' },
        h('a', { class: 'button', href: href('/entries/new', { donor: id, kind: 'pledge' }) }, t('donor.recordPledge')),
        ' ',
        h('a', { class: 'button', href: href('/entries/new', { donor: id, kind: 'receipt' }) }, t('donor.recordReceipt')),
      ),
    );
  }

  // The snapshot: as of a date and, optionally, as known at another.
  const asOfField = field(t('overview.asOf'), input('as_of', 'date', asOf, { required: '' }));
  const knownAtField = field(t('overview.knownAt'), input('known_at', 'date', knownAt), t('overview.knownAtHint'));
  const controls = h('form', { class: 'controls', 'aria-label': t('overview.controls') }, asOfField.wrapper, knownAtField.wrapper);
  const apply = () => {
    const chosen = (asOfField.control as HTMLInputElement).value;
    if (!kDate.test(chosen)) {
      asOfField.setError(t('validation.date'));
      return;
    }
    asOfField.setError(null);
    location.hash = href(`/donors/${encodeURIComponent(id)}`, { as_of: chosen, known_at: (knownAtField.control as HTMLInputElement).value || null });
  };
  for (const control of [asOfField.control, knownAtField.control]) control.addEventListener('change', apply);
  controls.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  const body = h('div', { class: 'donor-figures', 'data-state': 'loading' }, loading());
  view.append(controls, body);

  let shown = '';
  const draw = async (summary: DonorSummary) => {
    const text = JSON.stringify(summary);
    if (text === shown) return; // nothing new in the ledger
    shown = text;
    subtitle.textContent = summary.known_at
      ? t('donor.subtitleKnownAt', { asOf: dateLong(summary.as_of), knownAt: dateLong(summary.known_at) })
      : t('donor.subtitle', { asOf: dateLong(summary.as_of) });
    focal.replaceChildren(summary.focal_points.length ? summary.focal_points.join(', ') : t('donor.noFocalPoint'));
    // The next rows of a list, unless the ledger changed since the first
    // page (other counts or totals: the offsets would skip or repeat rows);
    // then the page is drawn again from the top.
    const more = (list: 'open_pledges' | 'expectations') => async (offset: number) => {
      const next = await get<DonorSummary>(summaryPath, { ...snapshot, open_offset: String(offset), open_limit: String(kMoreRows) }, context.signal);
      const keys = ['open_pledges_count', 'expectations_count', 'open_pledged_usd', 'expected_usd', 'expected_unweighted_usd'] as const;
      if (keys.some((key) => next[key] !== summary[key])) {
        void refresh();
        return null;
      }
      return next[list];
    };
    await renderSummary(body, id, summary, more);
    body.dataset.state = 'ready';
  };
  try {
    await draw(await pending);
  } catch (error) {
    if (!context.signal.aborted) body.replaceChildren(errorBox(error));
    return;
  }

  // A new entry shows without a reload: recorded here, or elsewhere once the
  // window is looked at again (or within 30 seconds).
  const refresh = async () => {
    if (context.signal.aborted) return;
    try {
      await draw(await get<DonorSummary>(summaryPath, firstPage, context.signal));
    } catch {
      // The figures on screen stay; the banner tells when the server is unreachable.
    }
  };
  const stop = on('ledger-changed', () => void refresh());
  window.addEventListener('focus', refresh);
  const timer = window.setInterval(() => void refresh(), 30_000);
  context.signal.addEventListener('abort', () => {
    stop();
    window.removeEventListener('focus', refresh);
    window.clearInterval(timer);
  });
}

// The largest donors have thousands of open pledges and expectations (the
// largest of a ten-million-entry ledger, 173,000): the server sends the first
// rows of each list and a count, and a button asks for more (drawing ten
// thousand rows at once took 10 s on a million-entry store; sending all
// 173,000 took 2.6 s).
const kFirstRows = 50;
const kMoreRows = 500;
function pagedTable<T>(first: T[], total: number, fetchMore: (offset: number) => Promise<T[] | null>, build: (shown: T[]) => HTMLElement): HTMLElement {
  const box = h('div', { class: 'paged' });
  const items = first.slice();
  const draw = (focusMore: boolean) => {
    const rest = total - items.length;
    const more = rest > 0
      ? h('button', {
          type: 'button',
          'data-more': '',
          onclick: async (event: Event) => {
            const button = event.currentTarget as HTMLButtonElement;
            button.disabled = true;
            try {
              const next = await fetchMore(items.length);
              if (next === null) {
                button.disabled = false; // the ledger changed: the page is being drawn again
                return;
              }
              if (!next.length) total = items.length;
              items.push(...next);
              draw(true);
            } catch {
              button.disabled = false; // the banner tells when the server is unreachable
            }
          },
        }, t('common.showMore', { count: Math.min(rest, kMoreRows) }))
      : null;
    box.replaceChildren(build(items), more ?? '');
    if (focusMore) (more ?? (box.querySelector('tbody tr:last-child a, tbody tr:last-child') as HTMLElement | null))?.focus();
  };
  draw(false);
  return box;
}

type MoreOf = (list: 'open_pledges' | 'expectations') => (offset: number) => Promise<DonorSummary['open_pledges'] | null>;
async function renderSummary(body: HTMLElement, id: string, summary: DonorSummary, more: MoreOf): Promise<void> {
  const known = summary.known_at ? { known_at: summary.known_at.slice(0, 10) } : {};
  // The receipts of year y counted here: value dates in y up to the as-of date.
  const yearRange = (y: number) => {
    const end = `${y}-12-31`;
    return { ...known, from: `${y}-01-01`, to: summary.as_of < end ? summary.as_of : end };
  };
  const funds = Array.from(new Set(summary.giving.flatMap((y) => y.funds.map((f) => f.fund)))).sort();
  const received = (y: DonorSummary['giving'][number], fund: string) => y.funds.find((f) => f.fund === fund)?.received_usd;
  const givingChart = h('div', { class: 'chart', style: 'height:280px' });
  const canRecord = can('record', id);
  body.replaceChildren(
    h(
      'section',
      { class: 'figure', 'data-figure': 'giving' },
      h('h2', null, t('donor.givingTitle')),
      h('p', { class: 'figure-intro' }, t('donor.givingIntro')),
      summary.giving.length
        ? [
            givingChart,
            table(
              [t('overview.year'), ...funds.map((fund) => fundName(fund)), t('overview.total'), ''],
              summary.giving.map((y) => [
                year(y.year),
                ...funds.map((fund) => {
                  const amount = received(y, fund);
                  return amount
                    ? h('a', { href: href('/entries', { donor: id, fund, kind: 'receipt', ...yearRange(y.year) }), 'data-usd': amount }, money(amount))
                    : t('common.none');
                }),
                h('span', { 'data-usd': y.received_usd }, money(y.received_usd)),
                entriesLink({ donor: id, kind: 'receipt', ...yearRange(y.year) }),
              ]),
              { caption: t('donor.givingTable'), numeric: funds.map((_, i) => i + 1).concat([funds.length + 1]) },
            ),
            h('p', { 'data-figure': 'received-total' }, t('donor.receivedTotal', { amount: money(summary.received_usd) })),
          ]
        : h('p', null, t('donor.noReceipts')),
    ),
    h(
      'section',
      { class: 'figure', 'data-figure': 'open-pledges' },
      h('h2', null, t('donor.openPledgesTitle')),
      summary.open_pledges_count
        ? [
            pagedTable(summary.open_pledges, summary.open_pledges_count, more('open_pledges'), (shown) => table(
              [t('field.id'), t('field.value_date'), t('field.fund'), t('field.attributed_year'), t('field.amount'), t('donor.open'), t('donor.openUsd'), ''],
              shown.map((item) => [
                h('code', null, item.id),
                date(item.value_date),
                fundName(item.fund),
                year(item.attributed_year),
                money(item.amount, item.currency),
                h('span', { 'data-open': item.open }, money(item.open, item.currency)),
                h('span', { 'data-usd': item.open_usd }, money(item.open_usd)),
                canRecord
                  ? h(
                      'span',
                      { class: 'row-actions', 'data-write': '' },
                      h('a', { href: href('/entries/new', { kind: 'receipt', donor: id, fund: item.fund, currency: item.currency, settles: item.id }) }, t('donor.recordPayment')),
                      ' · ',
                      h('a', { href: href('/entries/new', { kind: 'write_off', donor: id, fund: item.fund, currency: item.currency, settles: item.id }) }, t('donor.writeOff')),
                      ' · ',
                      entriesLink({ settles: item.id, ...known, to: summary.as_of }, t('donor.payments')),
                    )
                  : entriesLink({ settles: item.id, ...known, to: summary.as_of }, t('donor.payments')),
              ]),
              { caption: t('donor.openPledgesTable'), numeric: [4, 5, 6], rowAttrs: (i) => ({ 'data-entry': shown[i].id }) },
            )),
            h('p', { 'data-figure': 'open-total' }, t('donor.openTotal', { amount: money(summary.open_pledged_usd) }), ' ', entriesLink({ donor: id, kind: 'pledge', ...known, to: summary.as_of })),
          ]
        : h('p', null, t('donor.noOpenPledges')),
    ),
    h(
      'section',
      { class: 'figure', 'data-figure': 'expectations' },
      h('h2', null, t('donor.expectationsTitle')),
      summary.expectations_count
        ? [
            pagedTable(summary.expectations, summary.expectations_count, more('expectations'), (shown) => table(
              [t('field.id'), t('field.value_date'), t('field.fund'), t('field.attributed_year'), t('donor.open'), t('field.probability'), t('donor.openUsd'), t('donor.weightedUsd'), ''],
              shown.map((item) => [
                h('code', null, item.id),
                date(item.value_date),
                fundName(item.fund),
                year(item.attributed_year),
                money(item.open, item.currency),
                percent(Number(item.probability ?? '1')),
                h('span', { 'data-usd': item.open_usd }, money(item.open_usd)),
                h('span', { 'data-usd': item.weighted_usd ?? '' }, money(item.weighted_usd ?? item.open_usd)),
                entriesLink({ settles: item.id, ...known, to: summary.as_of }, t('donor.writeOffs')),
              ]),
              { caption: t('donor.expectationsTable'), numeric: [4, 5, 6, 7], rowAttrs: (i) => ({ 'data-entry': shown[i].id }) },
            )),
            h(
              'p',
              { 'data-figure': 'expected-total' },
              t('donor.expectedTotal', { amount: money(summary.expected_usd), unweighted: money(summary.expected_unweighted_usd) }),
              ' ',
              entriesLink({ donor: id, kind: 'expected', ...known, to: summary.as_of }),
            ),
          ]
        : h('p', null, t('donor.noExpectations')),
    ),
    h('p', null, entriesLink({ donor: id }, t('donor.allEntries'))),
  );
  if (!summary.giving.length) return;
  const rtl = isRtl();
  await chart(
    givingChart,
    {
      legend: { top: 0, [rtl ? 'right' : 'left']: 0 },
      grid: { top: 40, bottom: 24, left: 8, right: 8, containLabel: true },
      tooltip: { trigger: 'axis', confine: true, valueFormatter: (v: number) => moneyShort(v) },
      xAxis: { type: 'category', data: summary.giving.map((y) => year(y.year)), inverse: rtl },
      yAxis: { type: 'value', position: rtl ? 'right' : 'left', axisLabel: { formatter: (v: number) => moneyShort(v) } },
      series: funds.map((fund, i) => ({
        name: fundName(fund),
        type: 'bar',
        stack: 'giving',
        // Chart geometry only; the table beside it holds the exact amounts.
        data: summary.giving.map((y) => Number(received(y, fund) ?? 0)),
        itemStyle: { color: kPalette[i % kPalette.length] },
      })),
    },
    t('donor.givingChart', { name: donorName(id) }),
    (p) => {
      const y = summary.giving[p.dataIndex].year;
      location.hash = href('/entries', { donor: id, fund: funds[p.seriesIndex], kind: 'receipt', ...yearRange(y) });
    },
  );
}
