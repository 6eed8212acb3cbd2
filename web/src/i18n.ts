// The interface's languages. Every text a user sees comes from a message file
// in src/i18n/<lang>.json that a translator edits (docs/web.md); numbers,
// dates and money are formatted by the browser's Intl API for the language.
import en from './i18n/en.json';

export type Lang = 'ar' | 'zh' | 'en' | 'fr' | 'ru' | 'es';
// The six official UN languages, in the UN's (English alphabetical) order.
export const kLangs: Lang[] = ['ar', 'zh', 'en', 'fr', 'ru', 'es'];

type Plural = Partial<Record<Intl.LDMLPluralRule, string>>;
type Messages = Record<string, string | Plural>;
// English is in the main bundle (it is also the fallback); the other
// languages are fetched when chosen.
const kMessages: Partial<Record<Lang, Messages>> = { en: en as Messages };
const kLoaders = import.meta.glob<Messages>(['./i18n/*.json', '!./i18n/en.json'], { import: 'default' });

// The BCP 47 tag Intl uses for each language.
const kLocale: Record<Lang, string> = { ar: 'ar', zh: 'zh-CN', en: 'en', fr: 'fr', ru: 'ru', es: 'es' };
const kStorageKey = 'rmis.lang';

let current: Lang = 'en';
let plurals = new Intl.PluralRules(kLocale.en);

export function lang(): Lang {
  return current;
}
export function locale(): string {
  return kLocale[current];
}
export function isRtl(language: Lang = current): boolean {
  return language === 'ar';
}

// The language to start in: the one chosen before, else the browser's first
// that we have, else English.
export function initialLang(): Lang {
  const stored = localStorage.getItem(kStorageKey) as Lang | null;
  if (stored && kLangs.includes(stored)) return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0] as Lang;
    if (kLangs.includes(base)) return base;
  }
  return 'en';
}

export async function setLang(language: Lang): Promise<void> {
  if (!kMessages[language]) {
    try {
      kMessages[language] = await kLoaders[`./i18n/${language}.json`]();
    } catch {
      language = 'en'; // the server cannot be reached: English until it can
    }
  }
  current = language;
  plurals = new Intl.PluralRules(kLocale[language]);
  localStorage.setItem(kStorageKey, language);
  document.documentElement.lang = kLocale[language];
  document.documentElement.dir = isRtl(language) ? 'rtl' : 'ltr';
  formatters.clear();
}

// The language's own name for itself ("العربية", "中文", ...).
export function langName(language: Lang): string {
  const name = new Intl.DisplayNames([language], { type: 'language' }).of(language) ?? language;
  return name.charAt(0).toLocaleUpperCase(kLocale[language]) + name.slice(1);
}

export type Params = Record<string, string | number>;

// The message `key` in the current language, with {name} placeholders filled
// in. A message may have plural forms; `count` chooses among them. A key that
// is missing falls back to English, then to the key itself (which the i18n
// check, scripts/check-i18n.mjs, reports).
export function t(key: string, params: Params = {}): string {
  let message = kMessages[current]?.[key] ?? kMessages.en![key];
  if (message === undefined) return key;
  if (typeof message !== 'string') {
    const count = Number(params.count ?? 0);
    message = message[plurals.select(count)] ?? message.other ?? '';
  }
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? number(value) : value;
  });
}

// t() for a key that may not exist (a donor type or region the API adds later):
// the fallback is shown as it is.
export function tOr(key: string, fallback: string): string {
  return kMessages[current]?.[key] !== undefined || kMessages.en![key] !== undefined ? t(key) : fallback;
}

// --- Intl formatting --------------------------------------------------------

const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function numberFormat(name: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  let format = formatters.get(name) as Intl.NumberFormat | undefined;
  if (!format) {
    format = new Intl.NumberFormat(locale(), options);
    formatters.set(name, format);
  }
  return format;
}
function dateFormat(name: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let format = formatters.get(name) as Intl.DateTimeFormat | undefined;
  if (!format) {
    format = new Intl.DateTimeFormat(locale(), options);
    formatters.set(name, format);
  }
  return format;
}

export function number(value: number | bigint): string {
  return numberFormat('number', {}).format(value);
}

// A money amount given as the API's exact decimal string ("1200000.00"); the
// string is passed to Intl as it is, so no digit goes through a double.
export function money(decimal: string, currency = 'USD'): string {
  const key = `money:${currency}`;
  let format = formatters.get(key) as Intl.NumberFormat | undefined;
  if (!format) {
    try {
      format = new Intl.NumberFormat(locale(), { style: 'currency', currency });
    } catch {
      format = new Intl.NumberFormat(locale(), { minimumFractionDigits: 0, maximumFractionDigits: 3 });
    }
    formatters.set(key, format);
  }
  return format.format(decimal as unknown as number);
}

// A short amount for chart axes and labels: "US$1.2M", "1,2 M$US".
export function moneyShort(value: number): string {
  return numberFormat('moneyShort', {
    style: 'currency',
    currency: 'USD',
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(value);
}

export function percent(share: number | null | undefined, digits = 0): string {
  if (share === null || share === undefined || Number.isNaN(share)) return t('common.none');
  return numberFormat(`percent:${digits}`, {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(share);
}

export function decimal(value: number, digits = 2): string {
  return numberFormat(`decimal:${digits}`, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

// A calendar date "YYYY-MM-DD": it names a day, not an instant, so it is
// formatted in UTC to stay that day everywhere.
export function date(iso: string | null | undefined): string {
  if (!iso) return t('common.none');
  const parsed = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime())) return iso;
  return dateFormat('date', { dateStyle: 'medium', timeZone: 'UTC' }).format(parsed);
}

export function dateLong(iso: string): string {
  const parsed = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime())) return iso;
  return dateFormat('dateLong', { dateStyle: 'long', timeZone: 'UTC' }).format(parsed);
}

export function instant(iso: string): string {
  const parsed = new Date(iso);
  if (Number.isNaN(parsed.getTime())) return iso;
  // timeStyle 'long' names the time zone; timeZoneName cannot be combined
  // with dateStyle (Intl throws a TypeError, which left the audit trail empty).
  return dateFormat('instant', { dateStyle: 'medium', timeStyle: 'long', timeZone: 'UTC' }).format(parsed);
}

// A year as a plain label (no grouping: 2021, not 2,021), in the language's digits.
export function year(value: number): string {
  return numberFormat('year', { useGrouping: false }).format(value);
}
