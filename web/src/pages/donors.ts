// Donors: a list searchable by name in any of the six languages, by id and
// by country code.
import type { Donor } from '../api';
import { h, inLang } from '../dom';
import { kLangs, lang, t } from '../i18n';
import type { PageContext } from '../main';
import { donorName, donorNameIsEnglish, donorTypeName, load } from '../state';
import { field, href, input, pageTitle, select, table } from '../ui';

const kPageSize = 100;

// Lower case, without accents, so that "mexique" finds "Mexique" and "Mexico" "México".
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();
}

function haystack(donor: Donor): string {
  const record = donor as unknown as Record<string, string | undefined>;
  return fold([donor.id, donor.name, donor.country ?? '', ...kLangs.map((code) => record[`name_${code}`] ?? '')].join(' '));
}

export async function donorsPage(view: HTMLElement, context: PageContext): Promise<void> {
  const donors = await load('donors');
  if (context.signal.aborted) return;
  const search = field(t('donors.search'), input('q', 'search', context.query.get('q') ?? '', { autocomplete: 'off' }), t('donors.searchHint'));
  const types = Array.from(new Set(donors.map((donor) => donor.type))).sort();
  const typeField = field(
    t('donors.type'),
    select('type', [['', t('donors.allTypes')], ...types.map((type): [string, string] => [type, donorTypeName(type)])], context.query.get('type') ?? ''),
  );
  const count = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const results = h('div', { class: 'results' });
  view.append(
    pageTitle(t('donors.title')),
    h('form', { class: 'controls', role: 'search', onsubmit: (event: Event) => event.preventDefault() }, search.wrapper, typeField.wrapper),
    count,
    results,
  );

  const index = donors.map((donor) => ({ donor, text: haystack(donor) }));
  const collator = new Intl.Collator(lang());
  let limit = kPageSize;
  const render = () => {
    const words = fold((search.control as HTMLInputElement).value).split(/\s+/).filter(Boolean);
    const type = (typeField.control as HTMLSelectElement).value;
    const found = index
      .filter((item) => (!type || item.donor.type === type) && words.every((word) => item.text.includes(word)))
      .map((item) => item.donor)
      .sort((a, b) => collator.compare(donorName(a.id), donorName(b.id)));
    count.textContent = t('donors.count', { count: found.length });
    const shown = found.slice(0, limit);
    results.replaceChildren(
      table(
        [t('donors.name'), t('donors.type'), t('donors.country'), t('donors.otherNames')],
        shown.map((donor) => {
          const record = donor as unknown as Record<string, string | undefined>;
          const name = donorName(donor.id);
          return [
            h('a', { href: href(`/donors/${encodeURIComponent(donor.id)}`) }, donorNameIsEnglish(donor.id) ? inLang(name, 'en') : name),
            donorTypeName(donor.type),
            donor.country ?? '',
            h(
              'span',
              { class: 'other-names' },
              kLangs
                .filter((code) => code !== lang())
                .map((code) => [code, code === 'en' ? donor.name : record[`name_${code}`]] as const)
                .filter(([, other]) => other)
                .map(([code, other], i) => [i ? ' · ' : '', inLang(other!, code)]),
            ),
          ];
        }),
        { caption: t('donors.tableCaption') },
      ),
      found.length > shown.length
        ? h('button', { type: 'button', onclick: () => ((limit += kPageSize), render()) }, t('common.showMore', { count: found.length - shown.length }))
        : '',
    );
  };
  let timer = 0;
  search.control.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      limit = kPageSize;
      history.replaceState(null, '', href('/donors', { q: (search.control as HTMLInputElement).value, type: (typeField.control as HTMLSelectElement).value }));
      render();
    }, 120);
  });
  typeField.control.addEventListener('change', () => {
    limit = kPageSize;
    render();
  });
  render();
}
