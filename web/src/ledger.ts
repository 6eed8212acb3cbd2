// What a donor's page shows beyond the report: its giving by year and fund,
// its open pledges and its expectations, from its entries (GET /entries?donor=).
// The rules are docs/data-format.md's: a reversal removes itself and the entry
// it reverses; a pledge's open balance is its amount less the receipts and
// write-offs against it; the USD part of an open balance is
// round_half_even(usd * open / amount).
import { get, type Entry, type EntryPage, type Query } from './api';
import { fromMinor, proRata, toMinor } from './money';

// Every entry that matches `query`, page after page (the API gives at most 1,000 at a time).
export async function allEntries(query: Query, signal?: AbortSignal, cap = 20_000): Promise<{ entries: Entry[]; complete: boolean }> {
  const entries: Entry[] = [];
  let cursor: string | null = null;
  do {
    const page: EntryPage = await get<EntryPage>('/entries', { ...query, limit: 1000, cursor }, signal);
    entries.push(...page.entries);
    cursor = page.next_cursor;
  } while (cursor && entries.length < cap);
  return { entries, complete: cursor === null };
}

// Original amounts are added in units of 10^-4, enough for any currency's decimals.
const kScale = 4;

export interface OpenItem {
  entry: Entry;
  open: string; // in the entry's currency
  openUsd: string;
}

export interface DonorSummary {
  years: number[];
  funds: string[];
  // received[year][fund] in USD, receipts by the year of their value date
  received: Map<number, Map<string, string>>;
  totalByYear: Map<number, string>;
  openPledges: OpenItem[];
  expectations: (OpenItem & { probability: string })[];
}

export function summarize(entries: Entry[]): DonorSummary {
  const reversed = new Set<string>();
  for (const entry of entries) if (entry.kind === 'reversal' && entry.reverses) reversed.add(entry.reverses);
  const live = entries.filter((entry) => entry.kind !== 'reversal' && !reversed.has(entry.id));

  const received = new Map<number, Map<string, bigint>>();
  const settled = new Map<string, bigint>();
  for (const entry of live) {
    if (entry.kind === 'receipt') {
      const y = Number(entry.value_date.slice(0, 4));
      const byFund = received.get(y) ?? new Map<string, bigint>();
      byFund.set(entry.fund, (byFund.get(entry.fund) ?? 0n) + (toMinor(entry.usd) ?? 0n));
      received.set(y, byFund);
    }
    if ((entry.kind === 'receipt' || entry.kind === 'write_off') && entry.settles) {
      settled.set(entry.settles, (settled.get(entry.settles) ?? 0n) + (toMinor(entry.amount, kScale) ?? 0n));
    }
  }

  const open = (entry: Entry): OpenItem | null => {
    const amount = toMinor(entry.amount, kScale) ?? 0n;
    const left = amount - (settled.get(entry.id) ?? 0n);
    if (left <= 0n) return null;
    const usd = proRata(toMinor(entry.usd) ?? 0n, left, amount);
    return { entry, open: trim(fromMinor(left, kScale)), openUsd: fromMinor(usd) };
  };
  const openPledges = live.filter((entry) => entry.kind === 'pledge').map(open).filter((item): item is OpenItem => item !== null);
  const expectations = live
    .filter((entry) => entry.kind === 'expected')
    .map(open)
    .filter((item): item is OpenItem => item !== null)
    .map((item) => ({ ...item, probability: item.entry.probability ?? '1' }));

  const years = Array.from(received.keys()).sort((a, b) => a - b);
  const funds = Array.from(new Set(Array.from(received.values()).flatMap((byFund) => Array.from(byFund.keys())))).sort();
  const asText = new Map<number, Map<string, string>>();
  const totalByYear = new Map<number, string>();
  for (const [y, byFund] of received) {
    let total = 0n;
    const row = new Map<string, string>();
    for (const [fund, cents] of byFund) {
      row.set(fund, fromMinor(cents));
      total += cents;
    }
    asText.set(y, row);
    totalByYear.set(y, fromMinor(total));
  }
  return { years, funds, received: asText, totalByYear, openPledges, expectations };
}

// "1500.2500" -> "1500.25": the amount with the decimals it needs.
function trim(decimal: string): string {
  return decimal.replace(/(\.\d*?[1-9])0+$/, '$1').replace(/\.0+$/, '');
}
