// The resource mobilization report: pure functions from the ledger and a
// snapshot (as-of date, known-at instant) to the figures of the source
// document. No I/O; rendering (text, JSON, CSV) is a later stage.
//
// Every rule is written out in docs/data-format.md, "The figures of a report".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/columns.h"
#include "ledger/dataset.h"

namespace rmis::analysis {

enum class Basis { kGross, kNet };
const char* Name(Basis basis);

// Which entries a figure sees: value dates up to `as_of` and, when given,
// only what had been recorded by `known_at`.
struct Snapshot {
  ledger::Date as_of;
  std::optional<ledger::Instant> known_at;
};

struct ReportOptions {
  int year = 0;
  Snapshot snapshot;
  Basis basis = Basis::kGross;
  int top_n = 10;
  // How many threads a report may use (1 or 2; the figures are the same
  // either way), and from how many entries read it uses the second.
  int threads = 2;
  size_t parallel_from = 100000;
};

// A share as a fraction; nullopt when there is nothing to divide by.
using Share = std::optional<double>;

struct FundIncome {
  std::string fund;
  std::string fund_name;
  ledger::FundCategory category;
  int64_t received_cents = 0;
  int64_t prior_year_cents = 0;
  int64_t net_cents = 0;
  std::optional<int64_t> target_cents;  // the annual target in force
  Share share;        // on the report's basis
  Share share_gross;
  Share share_net;
};

struct RankedDonor {
  int rank = 0;
  std::string donor;
  std::string donor_name;
  ledger::DonorType type;
  int64_t received_cents = 0;
  bool includes_prior_year = false;
  bool member_state = false;  // in the Member State table
};

struct FundRanking {
  std::string fund;
  std::string fund_name;
  std::vector<RankedDonor> member_states;  // Table 1
  std::vector<RankedDonor> all_donors;     // Table 2
};

struct RegionIncome {
  ledger::Region region;
  int64_t received_cents = 0;
};

struct FundForecast {
  std::string fund;
  std::string fund_name;
  int64_t received_cents = 0;
  int64_t pledged_cents = 0;
  int64_t expected_cents = 0;             // weighted by probability
  int64_t expected_unweighted_cents = 0;
  int64_t total_cents = 0;                // received + pledged + expected
  std::optional<int64_t> target_cents;
};

struct AppealCoverage {
  std::string appeal;
  std::string name;
  int countries = 0;
  ledger::Date launched_on;
  int64_t requirement_cents = 0;
  int64_t mobilized_cents = 0;
  int64_t gap_cents = 0;
  Share coverage;
  // "new_contribution", "reprogrammed", "internal_emergency_fund", "new_pledge".
  std::map<std::string, int64_t> by_channel;
};

struct EventPledges {
  std::string event;
  std::string name;
  ledger::Date held_on;
  int64_t pledged_cents = 0;
  std::map<std::string, int64_t> by_category;  // all three categories present
};

struct Concentration {
  int top_n = 10;
  int64_t total_cents = 0;
  int64_t top_cents = 0;
  int donors = 0;
  Share top_share;
  Share hhi;  // sum of squared shares, 0..1
};

struct TargetRevision {
  std::string fund;
  int year_from = 0;
  int year_to = 0;
  int64_t amount_cents = 0;
  std::optional<int64_t> previous_cents;  // the value this decision replaced
  ledger::Date decided_on;
  std::string note;
  bool in_force = false;
};

struct Report {
  int year = 0;
  Snapshot snapshot;
  Basis basis = Basis::kGross;
  // Whether the snapshot holds any entry at all for the year; a document
  // for a date with no data says so instead of printing zeros.
  bool has_data = false;
  std::vector<FundIncome> income_vs_target;
  std::vector<FundRanking> top_contributors;
  std::vector<RegionIncome> regions;
  std::vector<FundForecast> forecast;
  std::vector<AppealCoverage> appeals;
  std::vector<EventPledges> events;
  Concentration concentration;
  std::vector<TargetRevision> target_history;
};

// Computes the report. Funds are listed by category (core, earmarked,
// technical cooperation) then in the order they were stored.
Report ComputeReport(const ledger::Ledger& ledger, const ReportOptions& options);

// The same over entries held column by column (`reference.entries` is not
// read): what a server that keeps the ledger in memory uses.
Report ComputeReport(const ledger::Ledger& reference, const ledger::EntryColumns& entries,
                     const ReportOptions& options);

// Whether `entry` is in the snapshot (before reversals are applied).
bool InSnapshot(const ledger::Entry& entry, const Snapshot& snapshot);

}  // namespace rmis::analysis
