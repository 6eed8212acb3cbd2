// Store::ImportStream on both stores (issue 6, item 2): a dataset given a
// few rows at a time is stored as Store::Import stores it whole, and a
// refused one leaves nothing, on SQLite and on PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

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

// Random small datasets of pledges, expectations, settlements, write-offs,
// reversals (of anything, reversals too) and repeats, most of them wrong in
// some way: each is imported in chunks of 1, 2 and 3 rows and in one chunk.
// Whether it is accepted, and what is then stored, must not depend on the
// chunks (the errors may; and see what the test leaves out).
std::string RandomRows(std::mt19937& random) {
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  struct Row {
    std::string id, kind, donor, fund, amount, currency, settles, reverses;
  };
  std::vector<Row> pledges;
  for (int i = 0; i < 4; ++i) {
    const std::string amounts[] = {"50", "100", "60"};
    pledges.push_back({"N" + std::to_string(i), "pledge", "mex", "core", amounts[pick(3)], "USD", "", ""});
  }
  for (int i = 0; i < 2; ++i) {
    pledges.push_back({"E" + std::to_string(i), "expected", "che", "earmarked", pick(2) ? "50" : "100", "CHF", "", ""});
  }
  std::vector<Row> rows, made;
  std::vector<char> placed(pledges.size(), 0);
  int next_id = 0;
  const int count = 8 + pick(23);
  for (int n = 0; n < count; ++n) {
    const int choice = pick(100);
    if (choice < 20 || (rows.size() < 3 && pick(10) < 7)) {
      const int p = pick(static_cast<int>(pledges.size()));
      placed[static_cast<size_t>(p)] = 1;
      rows.push_back(pledges[static_cast<size_t>(p)]);
    } else if (choice < 50) {
      // Mostly a pledge already given, mostly the right kind, amounts that
      // may or may not go over the balance.
      size_t p = static_cast<size_t>(pick(static_cast<int>(pledges.size())));
      for (int tries = 0; tries < 4 && !placed[p] && pick(10) < 9; ++tries) {
        p = static_cast<size_t>(pick(static_cast<int>(pledges.size())));
      }
      const Row& pledge = pledges[p];
      const bool write_off = pledge.kind == "expected" ? pick(20) != 0 : pick(8) == 0;
      const std::string amounts[] = {"10", "10", "20", "20", "30", "0.01"};
      Row r{"S" + std::to_string(++next_id), write_off ? "write_off" : "receipt", pledge.donor, pledge.fund,
            amounts[pick(6)], pledge.currency, pledge.id, ""};
      rows.push_back(r);
      made.push_back(r);
    } else if (choice < 62) {
      // Mostly an entry given before; now and then a reversal or a pledge
      // not given (yet).
      std::vector<const Row*> targets;
      for (const Row& r : rows) {
        if (r.kind != "reversal" || pick(10) == 0) targets.push_back(&r);
      }
      if (targets.empty() || pick(10) == 0) {
        for (const Row& r : pledges) targets.push_back(&r);
      }
      const Row& t = *targets[static_cast<size_t>(pick(static_cast<int>(targets.size())))];
      Row r{"V" + std::to_string(++next_id), "reversal", t.donor, t.fund, t.amount, t.currency, "", t.id};
      rows.push_back(r);
      made.push_back(r);
    } else if (choice < 72 && !made.empty()) {
      Row r = made[static_cast<size_t>(pick(static_cast<int>(made.size())))];
      if (pick(4) == 0) r.amount = "1";
      rows.push_back(r);
    } else {
      rows.push_back({"B" + std::to_string(++next_id), "receipt", "mex", "core", "10", "USD", "", ""});
    }
  }
  std::string text;
  for (const Row& r : rows) {
    text += r.id + "," + r.kind + "," + r.donor + "," + r.fund + "," + r.amount + "," + r.currency + ",2021-03-" +
            (r.kind == "reversal" ? "25" : r.settles.empty() ? "01" : "20") + "," + r.settles + "," + r.reverses + "\n";
  }
  return text;
}

TEST_P(ImportStreamStoreTest, RandomDatasetsAreAcceptedAndStoredAlikeInAnyChunks) {
  ledger::Dataset reference = Fixture("small");
  reference.entries.clear();
  const int datasets = GetParam() == StoreKind::kSqlite ? 300 : 20;
  std::mt19937 random(20261128);
  int compared = 0, accepted = 0;
  for (int d = 0; d < datasets; ++d) {
    const std::string rows = RandomRows(random);
    ledger::Dataset dataset = Entries(rows);
    // Left out: a reversal of a settlement, or of a pledge that is settled.
    // One chunk applies every reversal of the file before it checks the
    // balances; smaller chunks check each row against the reversals before
    // it, so an over-balance settlement reversed later, or a settlement of
    // a pledge reversed before it and itself reversed after, is accepted by
    // one and refused by the other (docs/performance.md, "Seen and left").
    {
      std::set<std::string> linked;
      for (const auto& item : dataset.entries) {
        if (item.value.settles.empty()) continue;
        linked.insert(item.value.id);
        linked.insert(item.value.settles);
      }
      bool left_out = false;
      for (const auto& item : dataset.entries) left_out |= linked.count(item.value.reverses) > 0;
      if (left_out) continue;
    }
    ++compared;
    std::optional<bool> whole_accepted;
    std::map<std::string, ledger::Entry> whole_entries;
    for (size_t chunk_rows : {size_t{1000}, size_t{1}, size_t{2}, size_t{3}}) {
      auto store = Open();
      ASSERT_TRUE(store);
      auto result = store->ImportStream(reference, Chunks(dataset.entries, chunk_rows), Write("random"));
      ASSERT_TRUE(result) << result.error().message;
      auto stored = store->LoadLedger();
      ASSERT_TRUE(stored) << stored.error().message;
      const bool ok = result->problems.empty();
      if (!ok) EXPECT_TRUE(stored->entries.empty()) << "chunks of " << chunk_rows << ", refused:\n" << rows;
      if (!whole_accepted) {
        whole_accepted = ok;
        whole_entries = ById(*stored);
        accepted += ok;
        continue;
      }
      EXPECT_EQ(ok, *whole_accepted) << "chunks of " << chunk_rows << ":\n" << rows;
      EXPECT_EQ(ById(*stored), whole_entries) << "chunks of " << chunk_rows << ":\n" << rows;
    }
    locations_.clear();
  }
  // A good part of the datasets is compared, and not all refused (nor all
  // accepted).
  EXPECT_GT(compared, datasets / 4) << compared;
  EXPECT_GT(accepted, compared / 10) << accepted << " of " << compared << " accepted";
  EXPECT_LT(accepted, compared * 9 / 10) << accepted << " of " << compared << " accepted";
}

}  // namespace
}  // namespace rmis::store
