// A donor's page figures over the columns a store keeps (analysis/donor.h)
// are those over the donor's entry records: for every donor of generated
// datasets (skewed giving, partial and full settlements, write-offs,
// expectations, reversals) imported into a real SQLite store, at several
// snapshots, including one that leaves out what was recorded late.
#include "analysis/donor.h"

#include <gtest/gtest.h>

#include <set>

#include "exchange/csv/dataset_reader.h"
#include "exchange/generate/generator.h"
#include "reference/countries.h"
#include "store/store.h"
#include "support/test_support.h"

namespace rmis::analysis {
namespace {

void ExpectSame(const DonorSummary& records, const DonorSummary& columns, const std::vector<ledger::Entry>& entries) {
  EXPECT_EQ(columns.donor, records.donor);
  EXPECT_EQ(columns.received_cents, records.received_cents);
  ASSERT_EQ(columns.giving.size(), records.giving.size());
  for (size_t i = 0; i < records.giving.size(); ++i) {
    EXPECT_EQ(columns.giving[i].year, records.giving[i].year);
    EXPECT_EQ(columns.giving[i].received_cents, records.giving[i].received_cents);
    ASSERT_EQ(columns.giving[i].funds.size(), records.giving[i].funds.size());
    for (size_t f = 0; f < records.giving[i].funds.size(); ++f) {
      EXPECT_EQ(columns.giving[i].funds[f].fund, records.giving[i].funds[f].fund);
      EXPECT_EQ(columns.giving[i].funds[f].received_cents, records.giving[i].funds[f].received_cents);
    }
  }
  EXPECT_EQ(columns.open_pledged_cents, records.open_pledged_cents);
  EXPECT_EQ(columns.expected_cents, records.expected_cents);
  EXPECT_EQ(columns.expected_unweighted_cents, records.expected_unweighted_cents);
  for (auto [from_records, from_columns] : {std::pair{&records.open_pledges, &columns.open_pledges},
                                            std::pair{&records.expectations, &columns.expectations}}) {
    ASSERT_EQ(from_columns->size(), from_records->size());
    for (size_t i = 0; i < from_records->size(); ++i) {
      const OpenEntry& a = (*from_records)[i];
      const OpenEntry& b = (*from_columns)[i];
      ASSERT_GE(b.position, 0);
      EXPECT_EQ(entries[static_cast<size_t>(b.position)], a.entry);  // the position is the entry's
      EXPECT_EQ(b.settled_minor, a.settled_minor);
      EXPECT_EQ(b.open_minor, a.open_minor);
      EXPECT_EQ(b.open_cents, a.open_cents);
      EXPECT_EQ(b.weighted_cents, a.weighted_cents);
    }
  }
}

TEST(DonorSummary, OverTheColumnsIsOverTheRecords) {
  size_t donors_with_open = 0, reversed_seen = 0;
  for (uint64_t seed : {11u, 12u, 13u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    testing::TempDir dir;
    exchange::GenerateOptions options;
    options.entries = 4000;
    options.donors = 100;
    options.seed = seed;
    ASSERT_TRUE(exchange::GenerateDataset(options, dir.File("data")));
    exchange::DatasetRead read = exchange::ReadDatasetDirectory(dir.File("data"));
    ASSERT_TRUE(read.problems.empty()) << ledger::FormatProblem(read.problems[0]);
    // Recorded at three instants: a snapshot "as known at" the second leaves
    // out the last third.
    int64_t clock = 1600000000;
    store::StoreEnvironment env{[&] { return ledger::Instant{clock}; }, reference::IsCountryAlpha3};
    auto store = store::OpenStore(dir.File("store.db"), store::OpenMode::kCreate, env);
    ASSERT_TRUE(store) << store.error().message;
    const auto all = read.dataset.entries;
    const size_t third = all.size() / 3;
    for (int part = 0; part < 3; ++part) {
      ledger::Dataset dataset = part == 0 ? read.dataset : ledger::Dataset{};
      dataset.entries.assign(all.begin() + static_cast<std::ptrdiff_t>(part * third),
                             part == 2 ? all.end() : all.begin() + static_cast<std::ptrdiff_t>((part + 1) * third));
      clock = 1600000000 + part * 1000;
      auto imported = (*store)->Import(dataset, store::WriteOptions{});
      ASSERT_TRUE(imported) << imported.error().message;
      ASSERT_TRUE(imported->problems.empty()) << ledger::FormatProblem(imported->problems[0]);
    }
    auto ledger = (*store)->LoadLedger();
    ASSERT_TRUE(ledger);
    std::set<std::string> donors;
    ledger::Date last;
    for (const auto& e : ledger->entries) {
      donors.insert(e.donor);
      last = std::max(last, e.value_date);
      if (e.kind == ledger::EntryKind::kReversal) ++reversed_seen;
    }
    std::vector<Snapshot> snapshots = {Snapshot{last, std::nullopt},
                                       Snapshot{ledger::Date{last.days - 900}, std::nullopt},
                                       Snapshot{last, ledger::Instant{1600001000}}};
    ASSERT_TRUE((*store)->ReadColumns([&](const ledger::Ledger&, const ledger::EntryColumns& columns) {
      ASSERT_EQ(columns.size(), ledger->entries.size());
      for (const auto& donor : donors) {
        for (const auto& snapshot : snapshots) {
          SCOPED_TRACE(donor + " as of " + ledger::FormatDate(snapshot.as_of) +
                       (snapshot.known_at ? " known at the second import" : ""));
          DonorSummary records = SummarizeDonor(donor, ledger->entries, snapshot);
          DonorSummary over_columns = SummarizeDonor(donor, columns, snapshot);
          ExpectSame(records, over_columns, ledger->entries);
          if (!records.open_pledges.empty() || !records.expectations.empty()) ++donors_with_open;
        }
      }
      // A donor the columns never saw has nothing.
      EXPECT_EQ(SummarizeDonor("nobody", columns, snapshots[0]).received_cents, 0);
    }));
  }
  // The data exercised what it is meant to.
  EXPECT_GT(donors_with_open, 20u);
  EXPECT_GT(reversed_seen, 0u);
}

}  // namespace
}  // namespace rmis::analysis
