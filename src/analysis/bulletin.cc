// The bulletin's figures (see bulletin.h), over the entries' columns.
#include "analysis/bulletin.h"

#include <algorithm>
#include <iterator>
#include <unordered_map>

namespace rmis::analysis {
namespace {

using ledger::EntryColumns;
using ledger::EntryKind;

// The positions a figure for `year` must read, ascending: those the year
// index lists for the year and those it lists for every year (entries with an
// appeal or an event), or every position when the columns are not indexed.
// A receipt with its value date in the year, and any reversal of it, are
// listed under the year (ledger/columns.h).
std::vector<int32_t> PositionsFor(const EntryColumns& c, int year) {
  std::vector<int32_t> positions;
  if (!c.indexed()) {
    positions.resize(c.size());
    for (size_t i = 0; i < c.size(); ++i) positions[i] = static_cast<int32_t>(i);
    return positions;
  }
  const std::vector<int32_t>& in_year = c.YearPositions(year);
  const std::vector<int32_t>& always = c.AlwaysPositions();
  positions.reserve(in_year.size() + always.size());
  std::set_union(in_year.begin(), in_year.end(), always.begin(), always.end(), std::back_inserter(positions));
  return positions;
}

// Calls `use(i)` for each receipt among `positions` in the snapshot that no
// reversal in the snapshot cancels: the report's selection (report.cc), for
// receipts only.
template <typename Use>
void ForEachLiveReceipt(const EntryColumns& c, const std::vector<int32_t>& positions, const Snapshot& snapshot,
                        Use use) {
  const int32_t as_of = snapshot.as_of.days;
  const bool by_known = snapshot.known_at.has_value();
  const ledger::Instant known_at = by_known ? *snapshot.known_at : 0;
  auto in_snapshot = [&](size_t i) {
    return c.value_day[i] <= as_of && (!by_known || c.recorded_at[i] <= known_at);
  };
  std::vector<int32_t> reversed;
  for (int32_t p : positions) {
    const auto i = static_cast<size_t>(p);
    if (c.kind[i] == EntryKind::kReversal && c.reverses[i] != EntryColumns::kNone && in_snapshot(i)) {
      reversed.push_back(c.reverses[i]);
    }
  }
  std::sort(reversed.begin(), reversed.end());
  for (int32_t p : positions) {
    const auto i = static_cast<size_t>(p);
    if (c.kind[i] != EntryKind::kReceipt || !in_snapshot(i)) continue;
    if (std::binary_search(reversed.begin(), reversed.end(), p)) continue;
    use(i);
  }
}

std::vector<const ledger::Fund*> FundsInReportOrder(const ledger::Ledger& ledger) {
  std::vector<const ledger::Fund*> funds;
  for (const auto& f : ledger.funds) funds.push_back(&f);
  std::stable_sort(funds.begin(), funds.end(), [](const auto* a, const auto* b) {
    return static_cast<int>(a->category) < static_cast<int>(b->category);
  });
  return funds;
}

}  // namespace

ledger::Date LastDayOfMonth(int32_t month) {
  int year = month / 12;
  unsigned next_month = static_cast<unsigned>(month % 12) + 2;  // 1-based month after
  if (next_month == 13) return ledger::EndOfYear(year);
  return ledger::Date{ledger::MakeDate(year, next_month, 1).days - 1};
}

MonthReceipts ComputeMonthReceipts(const ledger::Ledger& ledger, int32_t month,
                                   const std::optional<ledger::Instant>& known_at) {
  return ComputeMonthReceipts(ledger, ledger::ToColumns(ledger.entries), month, known_at);
}

MonthReceipts ComputeMonthReceipts(const ledger::Ledger& reference, const EntryColumns& c, int32_t month,
                                   const std::optional<ledger::Instant>& known_at) {
  MonthReceipts result;
  result.month = month;
  const Snapshot snapshot{LastDayOfMonth(month), known_at};
  const int32_t first_day = ledger::MakeDate(month / 12, static_cast<unsigned>(month % 12) + 1, 1).days;
  // Sums by donor and fund as column indexes; names at the end.
  std::unordered_map<int32_t, std::unordered_map<int32_t, int64_t>> by_donor;
  std::unordered_map<int32_t, int64_t> by_fund;
  ForEachLiveReceipt(c, PositionsFor(c, month / 12), snapshot, [&](size_t i) {
    if (c.value_day[i] < first_day) return;  // as_of is the month's last day
    by_donor[c.donor[i]][c.fund[i]] += c.usd_cents[i];
    by_fund[c.fund[i]] += c.usd_cents[i];
    result.total_cents += c.usd_cents[i];
  });
  auto fund_name = [&](int32_t fund) { return fund == EntryColumns::kNone ? std::string() : c.funds.Name(fund); };
  for (const auto& [fund, cents] : by_fund) result.by_fund[fund_name(fund)] += cents;

  std::unordered_map<std::string_view, const ledger::Donor*> donors;
  for (const auto& d : reference.donors) donors.emplace(d.id, &d);
  for (const auto& [donor, funds] : by_donor) {
    DonorMonthReceipts receipts;
    for (const auto& [fund, cents] : funds) {
      receipts.received_cents += cents;
      receipts.by_fund[fund_name(fund)] += cents;
    }
    if (receipts.received_cents <= 0) continue;
    receipts.donor = donor == EntryColumns::kNone ? std::string() : c.donors.Name(donor);
    auto it = donors.find(receipts.donor);
    if (it != donors.end()) {
      receipts.donor_name = it->second->name;
      receipts.type = it->second->type;
    } else {
      receipts.donor_name = receipts.donor;
    }
    result.donors.push_back(std::move(receipts));
  }
  std::sort(result.donors.begin(), result.donors.end(), [](const auto& a, const auto& b) {
    if (a.received_cents != b.received_cents) return a.received_cents > b.received_cents;
    return a.donor_name < b.donor_name;
  });
  return result;
}

MonthlyIncome ComputeMonthlyIncome(const ledger::Ledger& ledger, int year, const Snapshot& snapshot) {
  return ComputeMonthlyIncome(ledger, ledger::ToColumns(ledger.entries), year, snapshot);
}

MonthlyIncome ComputeMonthlyIncome(const ledger::Ledger& reference, const EntryColumns& c, int year,
                                   const Snapshot& snapshot) {
  MonthlyIncome result;
  result.year = year;
  // Column index of a fund -> its place in the report's order.
  std::vector<int> row_of_fund(c.funds.size(), -1);
  for (const ledger::Fund* f : FundsInReportOrder(reference)) {
    int32_t index = c.funds.Find(f->id);
    if (index >= 0) row_of_fund[static_cast<size_t>(index)] = static_cast<int>(result.funds.size());
    result.funds.push_back(f->id);
    result.fund_names.push_back(f->name);
    result.categories.push_back(f->category);
  }
  int last_month = 0;
  if (ledger::YearOf(snapshot.as_of) > year) {
    last_month = 12;
  } else if (ledger::YearOf(snapshot.as_of) == year) {
    last_month = ledger::MonthOf(snapshot.as_of);
  }
  for (int m = 1; m <= last_month; ++m) {
    result.months.push_back(year * 12 + m - 1);
    result.cents.emplace_back(result.funds.size(), 0);
  }
  if (last_month == 0) return result;
  ForEachLiveReceipt(c, PositionsFor(c, year), snapshot, [&](size_t i) {
    const ledger::Date value{c.value_day[i]};
    if (ledger::YearOf(value) != year || c.fund[i] == EntryColumns::kNone) return;
    int row = row_of_fund[static_cast<size_t>(c.fund[i])];
    if (row < 0) return;
    auto month = static_cast<size_t>(ledger::MonthOf(value) - 1);
    if (month < result.cents.size()) result.cents[month][static_cast<size_t>(row)] += c.usd_cents[i];
  });
  return result;
}

}  // namespace rmis::analysis
