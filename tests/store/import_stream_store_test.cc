// Store::ImportStream on both stores (issue 6, item 2): a dataset given a
// few rows at a time is stored as Store::Import stores it whole, and a
// refused one leaves nothing, on SQLite and on PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "exchange/csv/dataset_reader.h"
#include "reference/countries.h"
#include "store/store.h"
#include "support/postgres_harness.h"
#include "support/test_support.h"

namespace rmis::store {
namespace {

using ::testing::HasSubstr;
using testing::StoreKind;
using testing::TestStoreLocation;

StoreEnvironment TestEnvironment() {
  return StoreEnvironment{[] { return ledger::Instant{1700000000}; }, reference::IsCountryAlpha3};
}

WriteOptions Write(const std::string& source) {
  WriteOptions options;
  options.actor = Actor{"tester", "127.0.0.1", "req-1"};
  options.source = source;
  return options;
}

ledger::Dataset Fixture(const std::string& name) {
  exchange::DatasetRead read = exchange::ReadDatasetDirectory(testing::FixtureDir(name).string());
  EXPECT_TRUE(read.problems.empty());
  return read.dataset;
}

ledger::Dataset Entries(const std::string& rows) {
  exchange::DatasetRead read;
  exchange::ReadDatasetFileText(
      "entries.csv", "id,kind,donor,fund,amount,currency,value_date,settles,reverses\n" + rows, read);
  EXPECT_TRUE(read.problems.empty()) << ledger::FormatProblem(read.problems[0]);
  return read.dataset;
}

// Gives `entries` `rows` at a time; `problems` come with the first chunk.
EntrySource Chunks(std::vector<ledger::Located<ledger::Entry>> entries, size_t rows,
                   std::vector<ledger::Problem> problems = {}) {
  auto state = std::make_shared<std::pair<size_t, std::vector<ledger::Located<ledger::Entry>>>>(0, std::move(entries));
  auto pending = std::make_shared<std::vector<ledger::Problem>>(std::move(problems));
  return [state, pending, rows](EntryChunk& chunk) {
    auto& [next, all] = *state;
    if (next >= all.size() && pending->empty()) return false;
    chunk.problems = std::move(*pending);
    pending->clear();
    for (size_t i = 0; i < rows && next < all.size(); ++i) chunk.entries.push_back(all[next++]);
    return true;
  };
}

// The entries, by id, without the order of storage.
std::map<std::string, ledger::Entry> ById(const ledger::Ledger& ledger) {
  std::map<std::string, ledger::Entry> out;
  for (const auto& e : ledger.entries) out.emplace(e.id, e);
  return out;
}

class ImportStreamStoreTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  std::unique_ptr<Store> Open() {
    locations_.push_back(std::make_unique<TestStoreLocation>(GetParam()));
    auto store = OpenStore(locations_.back()->location(), OpenMode::kCreate, TestEnvironment());
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(*store) : nullptr;
  }
  std::vector<std::unique_ptr<TestStoreLocation>> locations_;
};

INSTANTIATE_TEST_SUITE_P(Stores, ImportStreamStoreTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const auto& info) { return testing::StoreKindName(info.param); });

TEST_P(ImportStreamStoreTest, ChunksOfOneRowStoreWhatOneImportStores) {
  ledger::Dataset fixture = Fixture("small");
  auto whole = Open();
  auto whole_result = whole->Import(fixture, Write("small"));
  ASSERT_TRUE(whole_result) << whole_result.error().message;

  auto streamed = Open();
  ledger::Dataset reference = fixture;
  reference.entries.clear();
  auto result = streamed->ImportStream(reference, Chunks(fixture.entries, 1), Write("small"));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->problems.empty());
  EXPECT_EQ(result->added, whole_result->added);
  EXPECT_EQ(result->entries_added, whole_result->entries_added);
  EXPECT_GT(result->import_id, 0);
  auto a = whole->LoadLedger();
  auto b = streamed->LoadLedger();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(b->entries, a->entries);  // no forward reference here: the same order too
  EXPECT_EQ(b->donors, a->donors);
  EXPECT_EQ(b->rates, a->rates);
  auto audit = streamed->ListAudit(0, 0);
  ASSERT_TRUE(audit);
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ(audit->back().entity, "dataset");
  EXPECT_THAT(audit->back().after, HasSubstr("\"entries\":7"));

  // Again: nothing new, nothing written.
  auto again = streamed->ImportStream(reference, Chunks(fixture.entries, 2), Write("small"));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->added, 0u);
  EXPECT_EQ(again->unchanged, whole_result->added);
  EXPECT_EQ(streamed->ListAudit(0, 0)->size(), audit->size());
}

// Over a hundred records the audit record gives counts and the SHA-256 of
// the entry ids, one a line (audit::DescribeAdditions): the streamed import,
// which hashes each chunk as it is appended, says the same as one write.
TEST_P(ImportStreamStoreTest, ALargeStreamedImportIsAuditedAsOneWrite) {
  ledger::Dataset dataset = Fixture("small");
  std::string rows;
  for (int i = 100; i < 250; ++i) rows += "Z" + std::to_string(i) + ",receipt,mex,core,10,USD,2021-03-10,,\n";
  for (auto& item : Entries(rows).entries) dataset.entries.push_back(std::move(item));
  auto whole = Open();
  ASSERT_TRUE(whole->Import(dataset, Write("large")));
  auto streamed = Open();
  ledger::Dataset reference = dataset;
  reference.entries.clear();
  auto result = streamed->ImportStream(reference, Chunks(dataset.entries, 7), Write("large"));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_TRUE(result->problems.empty());
  auto a = whole->ListAudit(0, 0);
  auto b = streamed->ListAudit(0, 0);
  ASSERT_TRUE(a && b);
  ASSERT_FALSE(a->empty() || b->empty());
  EXPECT_THAT(b->back().after, HasSubstr("\"entry_ids_sha256\""));
  EXPECT_THAT(b->back().after, HasSubstr("\"first_entry\":\"P1\""));
  EXPECT_THAT(b->back().after, HasSubstr("\"last_entry\":\"Z249\""));
  EXPECT_EQ(b->back().after, a->back().after);
}

TEST_P(ImportStreamStoreTest, AForwardReferenceWaitsForItsChunk) {
  auto store = Open();
  ASSERT_TRUE(store->Import(Fixture("small"), Write("small")));
  ledger::Dataset rows = Entries(
      "Q2,receipt,che,earmarked,10,CHF,2021-03-10,Q1,\n"
      "W2,reversal,che,earmarked,10,CHF,2021-03-11,,Q2\n"
      "Q3,receipt,mex,core,10,USD,2021-03-10,,\n"
      "Q1,pledge,che,earmarked,30,CHF,2021-02-10,,\n");
  auto result = store->ImportStream(ledger::Dataset{}, Chunks(rows.entries, 1), Write("rows"));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_TRUE(result->problems.empty()) << ledger::FormatProblem(result->problems[0]);
  EXPECT_EQ(result->entries_added, 4u);
  auto ledger = store->LoadLedger();
  ASSERT_TRUE(ledger);
  auto by_id = ById(*ledger);
  EXPECT_EQ(by_id.at("Q2").settles, "Q1");
  EXPECT_EQ(by_id.at("W2").reverses, "Q2");
}

TEST_P(ImportStreamStoreTest, ARefusedStreamLeavesNothing) {
  auto store = Open();
  ASSERT_TRUE(store->Import(Fixture("small"), Write("small")));
  auto before = store->LoadLedger();
  auto audit_before = store->ListAudit(0, 0);
  ASSERT_TRUE(before && audit_before);
  ledger::Dataset rows = Entries(
      "T1,receipt,mex,core,10,USD,2021-03-10,,\n"
      "T2,receipt,mex,core,20,USD,2021-03-10,,\n"
      "T1,receipt,mex,core,11,USD,2021-03-10,,\n"
      "T3,receipt,che,earmarked,60000.01,CHF,2021-03-10,P1,\n");
  auto result = store->ImportStream(ledger::Dataset{}, Chunks(rows.entries, 1), Write("rows"));
  ASSERT_TRUE(result) << result.error().message;
  std::string text;
  for (const auto& p : result->problems) text += ledger::FormatProblem(p) + "\n";
  EXPECT_THAT(text, HasSubstr("entries.csv:4: id: entry \"T1\" is already given on line 2 with different content"));
  EXPECT_THAT(text, HasSubstr("entries.csv:5: amount: 60000.01 CHF is more than the open balance of \"P1\""));
  EXPECT_EQ(result->added, 0u);
  auto after = store->LoadLedger();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->entries, before->entries);
  EXPECT_EQ(store->ListAudit(0, 0)->size(), audit_before->size());

  // A row that could not be read: nothing written, the others still checked.
  ledger::Dataset good = Entries("U1,receipt,mex,core,10,USD,2021-03-10,,\nU2,receipt,mex,core,10,USD,2021-03-10,NOPE,\n");
  std::vector<ledger::Problem> unreadable = {ledger::Problem{"entries.csv", 9, "amount", "not a number"}};
  auto mixed = store->ImportStream(ledger::Dataset{}, Chunks(good.entries, 1, unreadable), Write("rows"));
  ASSERT_TRUE(mixed) << mixed.error().message;
  text.clear();
  for (const auto& p : mixed->problems) text += ledger::FormatProblem(p) + "\n";
  EXPECT_THAT(text, HasSubstr("entries.csv:9: amount: not a number"));
  EXPECT_THAT(text, HasSubstr("entries.csv:3: settles: no entry \"NOPE\" to settle"));
  EXPECT_EQ(store->LoadLedger()->entries, before->entries);
}

}  // namespace
}  // namespace rmis::store
