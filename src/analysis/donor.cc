// A donor's figures (see donor.h).
#include "analysis/donor.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "base/radix_sort.h"
#include "money/money.h"

namespace rmis::analysis {
namespace {

// round_half_even(value * part / whole), as the report computes the part of
// an entry's USD value.
int64_t Proportion(int64_t value, int64_t part, int64_t whole) {
  if (whole <= 0) return 0;
  auto result = money::MulDivHalfEven(value, part, whole);
  return result ? *result : 0;
}

// Fills `summary.giving` and `received_cents` from receipts by year and fund.
void AddGiving(DonorSummary& summary, const std::map<int, std::map<std::string, int64_t>>& by_year) {
  for (const auto& [year, funds] : by_year) {
    DonorYearGiving giving{year, 0, {}};
    for (const auto& [fund, cents] : funds) {
      giving.funds.push_back({fund, cents});
      giving.received_cents += cents;
    }
    summary.received_cents += giving.received_cents;
    summary.giving.push_back(std::move(giving));
  }
}

// Adds a live pledge (or expectation, with its probability in ppm) of
// `amount_minor` worth `usd_cents`, with `item.settled_minor` settled, if
// something of it is open.
void AddOpen(DonorSummary& summary, OpenEntry item, bool pledge, int64_t amount_minor, int64_t usd_cents,
             int32_t ppm) {
  item.open_minor = amount_minor - item.settled_minor;
  if (item.open_minor <= 0) return;
  item.open_cents = Proportion(usd_cents, item.open_minor, amount_minor);
  if (pledge) {
    item.weighted_cents = item.open_cents;
    summary.open_pledged_cents += item.open_cents;
    summary.open_pledges.push_back(std::move(item));
  } else {
    item.weighted_cents = Proportion(item.open_cents, ppm, 1000000);
    summary.expected_cents += item.weighted_cents;
    summary.expected_unweighted_cents += item.open_cents;
    summary.expectations.push_back(std::move(item));
  }
}

}  // namespace

DonorSummary SummarizeDonor(std::string_view donor, const std::vector<ledger::Entry>& entries,
                            const Snapshot& snapshot) {
  DonorSummary summary;
  summary.donor = std::string(donor);
  summary.snapshot = snapshot;

  std::vector<const ledger::Entry*> seen;
  for (const auto& entry : entries) {
    if (entry.donor == donor && InSnapshot(entry, snapshot)) seen.push_back(&entry);
  }
  std::unordered_set<std::string_view> reversed;
  for (const auto* entry : seen) {
    if (entry->kind == ledger::EntryKind::kReversal && !entry->reverses.empty()) reversed.insert(entry->reverses);
  }
  auto live = [&](const ledger::Entry& entry) {
    return entry.kind != ledger::EntryKind::kReversal && !reversed.count(entry.id);
  };
  std::unordered_map<std::string_view, int64_t> settled;
  std::map<int, std::map<std::string, int64_t>> by_year;
  for (const auto* entry : seen) {
    if (!live(*entry)) continue;
    if (!entry->settles.empty()) settled[entry->settles] += entry->amount.minor_units();
    if (entry->kind == ledger::EntryKind::kReceipt) {
      by_year[ledger::YearOf(entry->value_date)][entry->fund] += entry->usd_cents;
    }
  }
  AddGiving(summary, by_year);
  for (const auto* entry : seen) {
    bool pledge = entry->kind == ledger::EntryKind::kPledge;
    if (!live(*entry) || (!pledge && entry->kind != ledger::EntryKind::kExpected)) continue;
    OpenEntry item;
    item.entry = *entry;
    auto it = settled.find(entry->id);
    item.settled_minor = it == settled.end() ? 0 : it->second;
    AddOpen(summary, std::move(item), pledge, entry->amount.minor_units(), entry->usd_cents,
            entry->probability_ppm.value_or(1000000));
  }
  return summary;
}

DonorSummary SummarizeDonor(std::string_view donor, const ledger::EntryColumns& c, const Snapshot& snapshot) {
  using ledger::EntryColumns;
  using ledger::EntryKind;
  DonorSummary summary;
  summary.donor = std::string(donor);
  summary.snapshot = snapshot;
  const int32_t number = c.donors.Find(donor);
  if (number < 0) return summary;

  std::vector<int32_t> seen;  // ascending
  for (size_t p = 0; p < c.size(); ++p) {
    if (c.donor[p] != number || c.value_day[p] > snapshot.as_of.days) continue;
    if (snapshot.known_at && c.recorded_at[p] > *snapshot.known_at) continue;
    seen.push_back(static_cast<int32_t>(p));
  }
  // Sorted lists merged with `seen`, not hash tables: the largest donor of
  // ten million entries has 1.45 million, and looking each up in a hash
  // table was most of its page's time.
  std::vector<int32_t> reversed;
  for (int32_t p : seen) {
    if (c.kind[p] == EntryKind::kReversal && c.reverses[p] != EntryColumns::kNone) reversed.push_back(c.reverses[p]);
  }
  std::sort(reversed.begin(), reversed.end());
  std::vector<char> live(seen.size());
  for (size_t i = 0, r = 0; i < seen.size(); ++i) {
    const int32_t p = seen[i];
    while (r < reversed.size() && reversed[r] < p) ++r;
    live[i] = c.kind[p] != EntryKind::kReversal && !(r < reversed.size() && reversed[r] == p);
  }
  struct Settlement {
    int32_t target;
    int64_t amount_minor;
  };
  std::vector<Settlement> settlements;
  // year -> cents by fund number, and whether the fund had a receipt
  std::map<int, std::pair<std::vector<int64_t>, std::vector<char>>> by_year;
  for (size_t i = 0; i < seen.size(); ++i) {
    if (!live[i]) continue;
    const int32_t p = seen[i];
    if (c.settles[p] != EntryColumns::kNone) settlements.push_back({c.settles[p], c.amount_minor[p]});
    if (c.kind[p] == EntryKind::kReceipt) {
      auto& [cents, given] = by_year[ledger::YearOf(ledger::Date{c.value_day[p]})];
      const auto f = static_cast<size_t>(c.fund[p]);
      if (cents.size() <= f) cents.resize(f + 1, 0), given.resize(f + 1, 0);
      cents[f] += c.usd_cents[p];
      given[f] = 1;
    }
  }
  std::map<int, std::map<std::string, int64_t>> by_year_named;
  for (const auto& [year, funds] : by_year) {
    auto& named = by_year_named[year];
    for (size_t f = 0; f < funds.first.size(); ++f) {
      if (funds.second[f]) named[c.funds.Name(static_cast<int32_t>(f))] += funds.first[f];
    }
  }
  AddGiving(summary, by_year_named);
  base::RadixSort(settlements, [](const Settlement& s) { return s.target; });
  size_t next = 0;  // the first settlement of a target at or after the entry
  for (size_t i = 0; i < seen.size(); ++i) {
    const int32_t p = seen[i];
    const bool pledge = c.kind[p] == EntryKind::kPledge;
    if (!live[i] || (!pledge && c.kind[p] != EntryKind::kExpected)) continue;
    while (next < settlements.size() && settlements[next].target < p) ++next;
    OpenEntry item;
    item.position = p;
    for (; next < settlements.size() && settlements[next].target == p; ++next) {
      item.settled_minor += settlements[next].amount_minor;
    }
    AddOpen(summary, std::move(item), pledge, c.amount_minor[p], c.usd_cents[p],
            c.probability_ppm[p] == EntryColumns::kNone ? 1000000 : c.probability_ppm[p]);
  }
  return summary;
}

}  // namespace rmis::analysis
