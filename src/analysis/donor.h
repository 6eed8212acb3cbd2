// One donor's figures for its page (issue 4): what it gave by year and fund,
// its open pledges and its expectations, for a snapshot. Pure: from the
// donor's own entries, which hold everything these figures need, because a
// receipt or write-off settles, and a reversal reverses, only an entry of
// the same donor (ledger/import.cc). The rules are those of the report
// (docs/data-format.md, "The figures of a report").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/report.h"
#include "ledger/columns.h"
#include "ledger/types.h"

namespace rmis::analysis {

struct DonorFundGiving {
  std::string fund;
  int64_t received_cents = 0;
};

// Receipts whose value date falls in `year`, by fund (funds in id order).
struct DonorYearGiving {
  int year = 0;
  int64_t received_cents = 0;
  std::vector<DonorFundGiving> funds;
};

// A pledge or expectation with something still open in the snapshot.
struct OpenEntry {
  ledger::Entry entry;
  int64_t settled_minor = 0;  // receipts and write-offs against it, in its currency
  int64_t open_minor = 0;     // amount - settled, in its currency (> 0)
  int64_t open_cents = 0;     // round_half_even(usd * open / amount)
  int64_t weighted_cents = 0; // open_cents weighted by the probability (expectations); open_cents for pledges
  int32_t position = -1;      // in the columns, when summarized over them (then `entry` is left to the caller)
};

struct DonorSummary {
  std::string donor;
  Snapshot snapshot;
  std::vector<DonorYearGiving> giving;  // years ascending
  int64_t received_cents = 0;           // all years
  std::vector<OpenEntry> open_pledges;  // in the order given (storage order)
  int64_t open_pledged_cents = 0;
  std::vector<OpenEntry> expectations;
  int64_t expected_cents = 0;             // weighted by probability
  int64_t expected_unweighted_cents = 0;
};

// Summarizes `entries` (the donor's entries, in storage order; entries of
// other donors and entries outside the snapshot are ignored) for `snapshot`.
// A reversal in the snapshot removes itself and the entry it reverses. Sums
// are int64 cents, added as the report adds them.
DonorSummary SummarizeDonor(std::string_view donor, const std::vector<ledger::Entry>& entries,
                            const Snapshot& snapshot);

// The same figures over the entries' columns (what a store keeps for
// reports): one pass over the donor column, no entry record read, so a donor
// with a million entries among ten million takes milliseconds, not seconds.
// The open pledges and expectations carry their `position`; their `entry` is
// empty, for the caller to read (the columns hold no id, currency or note).
DonorSummary SummarizeDonor(std::string_view donor, const ledger::EntryColumns& columns,
                            const Snapshot& snapshot);

}  // namespace rmis::analysis
