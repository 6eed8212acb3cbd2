// The audit trail (administrators): every change, newest first, and the check
// of its hash chain.
import { get, type AuditRecord } from '../api';
import { h } from '../dom';
import { instant, number, t } from '../i18n';
import type { PageContext } from '../main';
import { errorBox, pageTitle, table } from '../ui';

const kPage = 50;

interface Verification {
  ok: boolean;
  checked: number;
  first_bad_seq?: number;
  problem?: string;
}

export async function auditPage(view: HTMLElement, context: PageContext): Promise<void> {
  view.append(pageTitle(t('audit.title')), h('p', null, t('audit.intro')));
  const verdict = h('div', { 'aria-live': 'polite' });
  const listBox = h('div');
  const more = h('div');
  view.append(verdict, listBox, more);
  let verification: Verification;
  try {
    verification = await get<Verification>('/audit/verify', undefined, context.signal);
  } catch (error) {
    if (!context.signal.aborted) verdict.replaceChildren(errorBox(error));
    return;
  }
  if (context.signal.aborted) return;
  verdict.replaceChildren(
    verification.ok
      ? h('p', { class: 'notice success', 'data-audit': 'ok' }, t('audit.verified', { count: verification.checked }))
      : h('div', { class: 'notice error', role: 'alert', 'data-audit': 'broken' }, h('p', null, t('audit.broken', { seq: verification.first_bad_seq ?? 0 })), h('p', { lang: 'en' }, verification.problem ?? '')),
  );
  // The API lists records after a sequence number, oldest first; the newest
  // are the last `checked` ones.
  const rows: AuditRecord[] = [];
  let upTo = verification.checked;
  const loadMore = async () => {
    const after = Math.max(0, upTo - kPage);
    try {
      const { records } = await get<{ records: AuditRecord[] }>('/audit', { after, limit: upTo - after }, context.signal);
      rows.push(...records.reverse());
      upTo = after;
    } catch (error) {
      if (!context.signal.aborted) listBox.replaceChildren(errorBox(error));
      return;
    }
    listBox.replaceChildren(
      table(
        [t('audit.seq'), t('audit.at'), t('audit.actor'), t('audit.action'), t('audit.entity'), t('audit.address'), t('audit.change')],
        rows.map((record) => [
          number(record.seq),
          instant(record.at),
          record.actor,
          h('code', null, record.action),
          `${record.entity} ${record.entity_id}`.trim(),
          record.address,
          record.before || record.after
            ? h(
                'details',
                null,
                h('summary', null, t('audit.show')),
                h('pre', { lang: 'en', dir: 'ltr' }, JSON.stringify({ before: record.before, after: record.after }, null, 2)),
              )
            : '',
        ]),
        { caption: t('audit.tableCaption'), numeric: [0] },
      ),
    );
    more.replaceChildren(upTo > 0 ? h('button', { type: 'button', onclick: () => void loadMore() }, t('audit.older')) : '');
  };
  await loadMore();
}
