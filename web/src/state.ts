// What the interface knows for the length of a session: who is logged in,
// and the reference records (donors, funds, ...) that pages look names up in.
import { get, on, type Appeal, type Donor, type Fund, type PledgingEvent, type Rate, type Target, type User } from './api';
import { lang, t, tOr } from './i18n';

let user: User | null = null;

export function currentUser(): User | null {
  return user;
}
export function setUser(next: User | null): void {
  user = next;
  reference.clear();
}

// What the role may do (the API's rules, docs/api.md "Roles"); the server
// checks again on every request, this only decides what to offer.
export type Ability = 'record' | 'import' | 'manage_reference' | 'admin';
export function can(ability: Ability, donor?: string): boolean {
  if (!user) return false;
  switch (ability) {
    case 'record':
      if (user.role === 'focal_point') return donor === undefined || user.donors.includes(donor);
      return user.role === 'admin' || user.role === 'officer';
    case 'import':
    case 'manage_reference':
      return user.role === 'admin' || user.role === 'officer';
    case 'admin':
      return user.role === 'admin';
  }
}

// --- Reference records, loaded once and again after a write ------------------

type ReferenceKind = 'donors' | 'funds' | 'targets' | 'appeals' | 'events' | 'rates';
interface ReferenceTypes {
  donors: Donor;
  funds: Fund;
  targets: Target;
  appeals: Appeal;
  events: PledgingEvent;
  rates: Rate;
}
const reference = new Map<ReferenceKind, Promise<unknown[]>>();
const donorIndex = new Map<string, Donor>();
const fundIndex = new Map<string, Fund>();

export function load<K extends ReferenceKind>(kind: K): Promise<ReferenceTypes[K][]> {
  let pending = reference.get(kind);
  if (!pending) {
    pending = get<Record<string, unknown[]>>(`/${kind}`).then((answer) => {
      const list = answer[kind] ?? [];
      if (kind === 'donors') {
        donorIndex.clear();
        for (const donor of list as Donor[]) donorIndex.set(donor.id, donor);
      } else if (kind === 'funds') {
        fundIndex.clear();
        for (const fund of list as Fund[]) fundIndex.set(fund.id, fund);
      }
      return list;
    });
    pending.catch(() => reference.delete(kind));
    reference.set(kind, pending);
  }
  return pending as Promise<ReferenceTypes[K][]>;
}

// An import may add any kind of record; a single entry adds none.
on('ledger-changed', (detail) => {
  if (detail === 'import' || detail === 'reference') reference.clear();
});

// Funds as a report names them, for pages drawn before GET /funds answers;
// the funds' own records replace them when they come.
export function seedFunds(funds: Fund[]): void {
  if (reference.has('funds') && fundIndex.size) return;
  for (const fund of funds) if (!fundIndex.has(fund.id)) fundIndex.set(fund.id, fund);
}

export function donor(id: string): Donor | undefined {
  return donorIndex.get(id);
}

// The donor's name in the interface's language where the ledger has it, else
// its English name, else its id.
export function donorName(id: string, fallback?: string): string {
  const record = donorIndex.get(id);
  if (!record) return fallback ?? id;
  if (lang() !== 'en') {
    const localized = (record as unknown as Record<string, string | undefined>)[`name_${lang()}`];
    if (localized) return localized;
  }
  return record.name || fallback || id;
}

// True when the name shown for the donor is not in the interface's language
// (the ledger has no translation), so that it can be marked with its language.
export function donorNameIsEnglish(id: string): boolean {
  if (lang() === 'en') return false;
  const record = donorIndex.get(id);
  if (!record) return false;
  return !(record as unknown as Record<string, string | undefined>)[`name_${lang()}`];
}

// Funds carry only an English name in the ledger. Where each category has
// one fund (as at UN-Habitat), the category's translated name says the same
// in every language; otherwise the ledger's name is shown.
export function fundName(id: string, fallback?: string): string {
  const fund = fundIndex.get(id);
  if (!fund) return fallback ?? id;
  let sameCategory = 0;
  for (const other of fundIndex.values()) if (other.category === fund.category) sameCategory += 1;
  return sameCategory === 1 ? tOr(`category.${fund.category}`, fund.name) : fund.name;
}

export function regionName(region: string): string {
  return tOr(`region.${region}`, region);
}
export function donorTypeName(type: string): string {
  return tOr(`donorType.${type}`, type);
}
export function kindName(kind: string): string {
  return tOr(`kind.${kind}`, kind);
}
export function channelName(channel: string): string {
  return tOr(`channel.${channel}`, channel);
}
export function roleName(role: string): string {
  return tOr(`role.${role}`, role);
}
export function roleLabel(): string {
  return user ? t('header.signedInAs', { name: user.name, role: roleName(user.role) }) : '';
}
