// The bulletin's figures (see bulletin.h).
#include "analysis/bulletin.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace rmis::analysis {
namespace {

using ledger::Entry;
using ledger::EntryKind;

// Receipts of the snapshot that no reversal in the snapshot cancels. The
// same selection as the report's (report.cc, SelectLive), for receipts only.
std::vector<const Entry*> LiveReceipts(const ledger::Ledger& ledger, const Snapshot& snapshot) {
  std::unordered_set<std::string_view> reversed;
  for (const Entry& e : ledger.entries) {
    if (e.kind == EntryKind::kReversal && InSnapshot(e, snapshot)) reversed.insert(e.reverses);
  }
  std::vector<const Entry*> receipts;
  for (const Entry& e : ledger.entries) {
    if (e.kind != EntryKind::kReceipt || !InSnapshot(e, snapshot) || reversed.count(e.id)) continue;
    receipts.push_back(&e);
  }
  return receipts;
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
  MonthReceipts result;
  result.month = month;
  Snapshot snapshot{LastDayOfMonth(month), known_at};
  std::unordered_map<std::string, const ledger::Donor*> donors;
  for (const auto& d : ledger.donors) donors.emplace(d.id, &d);
  std::unordered_map<std::string, DonorMonthReceipts> by_donor;
  for (const Entry* e : LiveReceipts(ledger, snapshot)) {
    if (ledger::MonthIndexOf(e->value_date) != month) continue;
    DonorMonthReceipts& donor = by_donor[e->donor];
    donor.received_cents += e->usd_cents;
    donor.by_fund[e->fund] += e->usd_cents;
    result.by_fund[e->fund] += e->usd_cents;
    result.total_cents += e->usd_cents;
  }
  for (auto& [id, receipts] : by_donor) {
    if (receipts.received_cents <= 0) continue;
    receipts.donor = id;
    auto it = donors.find(id);
    if (it != donors.end()) {
      receipts.donor_name = it->second->name;
      receipts.type = it->second->type;
    } else {
      receipts.donor_name = id;
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
  MonthlyIncome result;
  result.year = year;
  std::unordered_map<std::string, size_t> fund_index;
  for (const ledger::Fund* f : FundsInReportOrder(ledger)) {
    fund_index.emplace(f->id, result.funds.size());
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
  for (const Entry* e : LiveReceipts(ledger, snapshot)) {
    if (ledger::YearOf(e->value_date) != year) continue;
    auto it = fund_index.find(e->fund);
    if (it == fund_index.end()) continue;
    size_t row = static_cast<size_t>(ledger::MonthOf(e->value_date) - 1);
    if (row < result.cents.size()) result.cents[row][it->second] += e->usd_cents;
  }
  return result;
}

}  // namespace rmis::analysis
