// One donor: its names, its focal point, its giving by year and fund, its
// open pledges and its expectations.
import { get, type User } from '../api';
import { chart } from '../chart-loader';
import { kPalette } from '../chart-options';
import { h, inLang } from '../dom';
import { date, isRtl, kLangs, langName, money, moneyShort, percent, t, year } from '../i18n';
import { allEntries, summarize } from '../ledger';
import type { PageContext } from '../main';
import { can, currentUser, donor as findDonor, donorName, donorTypeName, fundName, load } from '../state';
import { entriesLink, errorBox, href, loading, pageTitle, table } from '../ui';

export async function donorPage(view: HTMLElement, context: PageContext): Promise<void> {
  const id = context.params[0];
  await Promise.all([load('donors'), load('funds')]);
  if (context.signal.aborted) return;
  const donor = findDonor(id);
  if (!donor) {
    view.append(pageTitle(t('donor.title')), h('div', { class: 'notice', role: 'alert' }, h('p', null, t('donor.notFound', { id }))));
    return;
  }
  const record = donor as unknown as Record<string, string | undefined>;
  const focal = h('dd', null, loading());
  view.append(
    pageTitle(donorName(id), h('p', { class: 'subtitle' }, donorTypeName(donor.type), donor.country ? ` · ${donor.country}` : '')),
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
  const actions = can('record', id)
    ? h(
        'p',
        { class: 'actions', 'data-write': '' },
        h('a', { class: 'button', href: href('/entries/new', { donor: id, kind: 'pledge' }) }, t('donor.recordPledge')),
        ' ',
        h('a', { class: 'button', href: href('/entries/new', { donor: id, kind: 'receipt' }) }, t('donor.recordReceipt')),
      )
    : null;
  if (actions) view.append(actions);
  const body = h('div', null, loading());
  view.append(body);

  // The focal point: the focal_point accounts that look after this donor.
  // Only an administrator may list accounts; others see themselves, if it is them.
  const me = currentUser();
  if (can('admin')) {
    get<{ users: User[] }>('/users', undefined, context.signal)
      .then(({ users }) => {
        const names = users.filter((user) => user.role === 'focal_point' && !user.disabled && user.donors.includes(id)).map((user) => user.name);
        focal.replaceChildren(names.length ? names.join(', ') : t('donor.noFocalPoint'));
      })
      .catch((error) => focal.replaceChildren(errorBox(error)));
  } else if (me?.role === 'focal_point' && me.donors.includes(id)) {
    focal.replaceChildren(t('donor.focalPointYou', { name: me.name }));
  } else {
    focal.replaceChildren(t('donor.focalPointAdminOnly'));
  }

  let result;
  try {
    result = await allEntries({ donor: id }, context.signal);
  } catch (error) {
    if (!context.signal.aborted) body.replaceChildren(errorBox(error));
    return;
  }
  if (context.signal.aborted) return;
  const summary = summarize(result.entries);
  const givingChart = h('div', { class: 'chart', style: 'height:280px' });
  const canRecord = can('record', id);
  body.replaceChildren(
    result.complete ? '' : h('p', { class: 'notice warning' }, t('donor.truncated', { count: result.entries.length })),
    h(
      'section',
      { class: 'figure', 'data-figure': 'giving' },
      h('h2', null, t('donor.givingTitle')),
      h('p', { class: 'figure-intro' }, t('donor.givingIntro')),
      summary.years.length
        ? [
            givingChart,
            table(
              [t('overview.year'), ...summary.funds.map((fund) => fundName(fund)), t('overview.total'), ''],
              summary.years.map((y) => [
                year(y),
                ...summary.funds.map((fund) => {
                  const amount = summary.received.get(y)?.get(fund);
                  return amount ? h('a', { href: href('/entries', { donor: id, fund, kind: 'receipt', from: `${y}-01-01`, to: `${y}-12-31` }) }, money(amount)) : t('common.none');
                }),
                money(summary.totalByYear.get(y) ?? '0'),
                entriesLink({ donor: id, kind: 'receipt', from: `${y}-01-01`, to: `${y}-12-31` }),
              ]),
              { caption: t('donor.givingTable'), numeric: summary.funds.map((_, i) => i + 1).concat([summary.funds.length + 1]) },
            ),
          ]
        : h('p', null, t('donor.noReceipts')),
    ),
    h(
      'section',
      { class: 'figure', 'data-figure': 'open-pledges' },
      h('h2', null, t('donor.openPledgesTitle')),
      summary.openPledges.length
        ? table(
            [t('field.id'), t('field.value_date'), t('field.fund'), t('field.attributed_year'), t('field.amount'), t('donor.open'), t('donor.openUsd'), ''],
            summary.openPledges.map((item) => [
              h('code', null, item.entry.id),
              date(item.entry.value_date),
              fundName(item.entry.fund),
              year(item.entry.attributed_year),
              money(item.entry.amount, item.entry.currency),
              money(item.open, item.entry.currency),
              money(item.openUsd),
              canRecord
                ? h(
                    'span',
                    { class: 'row-actions', 'data-write': '' },
                    h('a', { href: href('/entries/new', { kind: 'receipt', donor: id, fund: item.entry.fund, currency: item.entry.currency, settles: item.entry.id }) }, t('donor.recordPayment')),
                    ' · ',
                    h('a', { href: href('/entries/new', { kind: 'write_off', donor: id, fund: item.entry.fund, currency: item.entry.currency, settles: item.entry.id }) }, t('donor.writeOff')),
                  )
                : entriesLink({ settles: item.entry.id }, t('donor.payments')),
            ]),
            { caption: t('donor.openPledgesTitle'), numeric: [4, 5, 6] },
          )
        : h('p', null, t('donor.noOpenPledges')),
    ),
    h(
      'section',
      { class: 'figure', 'data-figure': 'expectations' },
      h('h2', null, t('donor.expectationsTitle')),
      summary.expectations.length
        ? table(
            [t('field.id'), t('field.value_date'), t('field.fund'), t('field.attributed_year'), t('donor.open'), t('field.probability'), t('donor.openUsd')],
            summary.expectations.map((item) => [
              h('code', null, item.entry.id),
              date(item.entry.value_date),
              fundName(item.entry.fund),
              year(item.entry.attributed_year),
              money(item.open, item.entry.currency),
              percent(Number(item.probability)),
              money(item.openUsd),
            ]),
            { caption: t('donor.expectationsTitle'), numeric: [4, 5, 6] },
          )
        : h('p', null, t('donor.noExpectations')),
    ),
    h('p', null, entriesLink({ donor: id }, t('donor.allEntries'))),
  );
  if (summary.years.length) {
    const rtl = isRtl();
    await chart(
      givingChart,
      {
        legend: { top: 0, [rtl ? 'right' : 'left']: 0 },
        grid: { top: 40, bottom: 24, left: 8, right: 8, containLabel: true },
        tooltip: { trigger: 'axis', confine: true, valueFormatter: (v: number) => moneyShort(v) },
        xAxis: { type: 'category', data: summary.years.map((y) => year(y)), inverse: rtl },
        yAxis: { type: 'value', position: rtl ? 'right' : 'left', axisLabel: { formatter: (v: number) => moneyShort(v) } },
        series: summary.funds.map((fund, i) => ({
          name: fundName(fund),
          type: 'bar',
          stack: 'giving',
          data: summary.years.map((y) => Number(summary.received.get(y)?.get(fund) ?? 0)),
          itemStyle: { color: kPalette[i % kPalette.length] },
        })),
      },
      t('donor.givingChart', { name: donorName(id) }),
      (p) => {
        const y = summary.years[p.dataIndex];
        location.hash = href('/entries', { donor: id, fund: summary.funds[p.seriesIndex], kind: 'receipt', from: `${y}-01-01`, to: `${y}-12-31` });
      },
    );
  }
}
