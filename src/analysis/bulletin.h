// Figures for the monthly income bulletin (issue 5): what came in during one
// month, donor by donor, and the receipts of a year month by month. Pure
// functions of the ledger and a snapshot, like report.h; no I/O.
//
// The rules (docs/documents.md, "The bulletin"):
// - A month's receipts are the receipts whose value_date falls in that month,
//   in the snapshot (value dates up to the month's last day, and recorded by
//   known_at when given), less reversed receipts. Pledges and expectations
//   are not money in and are left out.
// - The monthly series of a year holds, for each month from January to the
//   month of the snapshot's as-of date (or December), the receipts of that
//   month by fund, with the same selection.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analysis/report.h"
#include "ledger/columns.h"
#include "ledger/dataset.h"

namespace rmis::analysis {

// What one donor gave in the month.
struct DonorMonthReceipts {
  std::string donor;
  std::string donor_name;  // the ledger's English name
  ledger::DonorType type = ledger::DonorType::kOther;
  int64_t received_cents = 0;
  // Fund id -> cents, for the funds this donor gave to in the month.
  std::map<std::string, int64_t> by_fund;
};

struct MonthReceipts {
  int32_t month = 0;  // year * 12 + month - 1
  int64_t total_cents = 0;
  // Donors with a positive total, largest first, ties by English name.
  std::vector<DonorMonthReceipts> donors;
  std::map<std::string, int64_t> by_fund;
};

// The receipts of `month` (a month index as ledger::ParseMonth returns) as
// seen at the end of that month, or at `known_at` when given.
MonthReceipts ComputeMonthReceipts(const ledger::Ledger& ledger, int32_t month,
                                   const std::optional<ledger::Instant>& known_at);
// The same over entries held column by column (`reference.entries` is not
// read), as Store::ReadColumns gives them: reads only the entries the year
// index lists for the month's year.
MonthReceipts ComputeMonthReceipts(const ledger::Ledger& reference, const ledger::EntryColumns& entries,
                                   int32_t month, const std::optional<ledger::Instant>& known_at);

struct MonthlyIncome {
  int year = 0;
  // Funds in report order (category, then storage order).
  std::vector<std::string> funds;
  std::vector<std::string> fund_names;
  std::vector<ledger::FundCategory> categories;
  // One row per month, January first: cents[m][f] for fund funds[f].
  std::vector<int32_t> months;
  std::vector<std::vector<int64_t>> cents;
};

// Receipts of `year` by month and fund, for the snapshot. Months run from
// January to the month of snapshot.as_of, or to December when as_of is after
// the year; an as-of date before the year gives no months.
MonthlyIncome ComputeMonthlyIncome(const ledger::Ledger& ledger, int year, const Snapshot& snapshot);
MonthlyIncome ComputeMonthlyIncome(const ledger::Ledger& reference, const ledger::EntryColumns& entries, int year,
                                   const Snapshot& snapshot);

// The last day of a month index.
ledger::Date LastDayOfMonth(int32_t month);

}  // namespace rmis::analysis
