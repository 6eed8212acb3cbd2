// The stored ledger's invariants (analysis/check.h; issue 6, item 6): the
// sample store, read from a real SQLite file, passes every check; each way of
// breaking one invariant is found by that check and names the record.
#include "analysis/check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <set>

#include "exchange/csv/dataset_reader.h"
#include "exchange/generate/generator.h"
#include "reference/countries.h"
#include "store/store.h"
#include "support/postgres_harness.h"
#include "support/test_support.h"

namespace rmis::analysis {
namespace {

using ::testing::HasSubstr;

store::StoreEnvironment TestEnvironment() {
  return store::StoreEnvironment{[] { return ledger::Instant{1700000000}; }, reference::IsCountryAlpha3};
}

// The sample, and one receipt recorded on its own (as the API records one),
// read back from a real SQLite store; each test changes its own copy.
class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::TempDir dir;
    auto store = store::OpenStore(dir.File("store.db"), store::OpenMode::kCreate, TestEnvironment());
    ASSERT_TRUE(store) << store.error().message;
    exchange::DatasetRead sample = exchange::ReadDatasetDirectory(testing::SampleDir().string());
    ASSERT_TRUE(sample.problems.empty());
    store::WriteOptions options;
    options.actor = store::Actor{"tester", "", ""};
    options.source = "sample";
    ASSERT_TRUE((*store)->Import(sample.dataset, options));
    exchange::DatasetRead one;
    exchange::ReadDatasetFileText("entries.csv",
                                  "id,kind,donor,fund,amount,currency,value_date,settles\n"
                                  "R-1,receipt,germany,foundation_earmarked,1000.00,EUR,2020-12-20,E2020-0128\n",
                                  one);
    ASSERT_TRUE(one.problems.empty());
    options.action = "entry.create";
    auto added = (*store)->Import(one.dataset, options);
    ASSERT_TRUE(added) << added.error().message;
    ASSERT_TRUE(added->problems.empty()) << ledger::FormatProblem(added->problems[0]);
    auto contents = (*store)->ReadContents();
    ASSERT_TRUE(contents) << contents.error().message;
    sample_ = std::make_unique<store::StoreContents>(std::move(*contents));
  }

  std::unique_ptr<store::StoreContents> sample_;
};

ledger::Entry& Find(store::StoreContents& contents, const std::string& id) {
  for (auto& e : contents.ledger.entries) {
    if (e.id == id) return e;
  }
  throw std::runtime_error("no entry " + id);
}

std::set<std::string> FailedChecks(const CheckResult& result) {
  std::set<std::string> failed;
  for (const auto& finding : result.findings) failed.insert(finding.check);
  return failed;
}

TEST_F(CheckTest, TheSampleStorePassesEveryCheck) {
  CheckResult result = CheckContents(*sample_);
  for (const auto& finding : result.findings) ADD_FAILURE() << finding.check << ": " << finding.subject << ": " << finding.message;
  ASSERT_TRUE(result.ok());
  std::map<std::string, int64_t> checked;
  for (const auto& check : result.checks) checked[check.name] = check.checked;
  const auto entries = static_cast<int64_t>(sample_->ledger.entries.size());
  EXPECT_EQ(checked["engine"], 1);
  EXPECT_EQ(checked["references"], entries);
  EXPECT_EQ(checked["usd"], entries);
  EXPECT_EQ(checked["reversals"], 3);
  EXPECT_EQ(checked["imports"], 2);
  EXPECT_EQ(checked["audit"], 2);
  EXPECT_GE(checked["report"], 3);  // 2019, 2020, 2021 at least
  EXPECT_GT(checked["settlements"], 10);
}

struct Breakage {
  std::string name;
  std::function<void(store::StoreContents&)> change;
  std::set<std::string> failed;  // the checks that must fail, and only they
  std::string subject;
  std::string message;
};

TEST_F(CheckTest, EachBrokenInvariantIsFoundAndNamed) {
  using C = store::StoreContents;
  const std::vector<Breakage> cases = {
      {"a usd_cents one cent off", [](C& c) { Find(c, "E2019-0006").usd_cents += 1; }, {"usd"},
       "entry E2019-0006", "EUR at"},
      {"a usd_cents of a USD entry", [](C& c) { Find(c, "E2019-0002").usd_cents = 1; }, {"usd"},
       "entry E2019-0002", "stores 0.01 USD, but 450000.00 USD is 450000.00 USD"},
      {"a rate that changed", [](C& c) {
         for (auto& r : c.ledger.rates) {
           if (r.currency == "EUR" && ledger::FormatMonth(r.month) == "2019-02") r.units_per_usd = "2";
         }
       }, {"usd"}, "entry E2019-0006", "at 2 EUR per USD (2019-02)"},
      {"a receipt that over-settles its pledge", [](C& c) {
         ledger::Entry over = Find(c, "R-1");
         over.id = "R-2";
         over.amount = money::Money(750000000, over.amount.currency());  // the whole pledge, 7,500,000.00 EUR
         auto usd = money::ToUsdCents(over.amount, *money::Rate::Parse([&] {
           for (auto& r : c.ledger.rates) {
             if (r.currency == "EUR" && r.month == ledger::MonthIndexOf(over.value_date)) return r.units_per_usd;
           }
           return std::string("1");
         }()));
         over.usd_cents = *usd;
         c.ledger.entries.push_back(over);
         c.imports.back().entries += 1;  // as if the same import had added it
         c.imports.back().added += 1;
       }, {"settlements", "imports"}, "entry E2020-0128", "over from \"R-2\""},
      {"a receipt that settles an expectation", [](C& c) { Find(c, "R-1").settles = "E2021-0009"; },
       {"settlements"}, "entry R-1", "settles \"E2021-0009\", an entry of kind expected; a receipt settles a pledge"},
      {"a reversal of another amount", [](C& c) {
         Find(c, "E2019-0013").amount = money::Money(1, money::CurrencyCode("USD"));
       }, {"reversals", "usd"}, "entry E2019-0013", "reverses \"E2019-0010\""},
      {"an entry reversed twice", [](C& c) {
         ledger::Entry again = Find(c, "E2019-0013");
         again.id = "E2019-0013b";
         c.ledger.entries.push_back(again);
       }, {"reversals", "imports"}, "entry E2019-0013b", "which \"E2019-0013\" already reverses"},
      {"a reversal of a reversal", [](C& c) {
         ledger::Entry undo = Find(c, "E2019-0013");
         undo.id = "E2019-0013c";
         undo.reverses = "E2019-0013";
         c.ledger.entries.push_back(undo);
       }, {"reversals", "imports"}, "entry E2019-0013c", "which is itself a reversal"},
      {"a live receipt on a reversed pledge", [](C& c) {
         ledger::Entry reversal = Find(c, "E2019-0001");
         reversal.id = "X-1";
         reversal.kind = ledger::EntryKind::kReversal;
         reversal.reverses = "E2019-0001";
         c.ledger.entries.push_back(reversal);
       }, {"settlements", "imports"}, "entry E2019-0006", "which \"X-1\" reverses"},
      {"an unknown donor", [](C& c) { Find(c, "E2019-0002").donor = "nobody"; }, {"references"},
       "entry E2019-0002", "names the donor \"nobody\""},
      {"an id stored twice", [](C& c) {
         ledger::Entry again = Find(c, "E2019-0002");
         c.ledger.entries.push_back(again);
         c.imports.back().entries += 1;
         c.imports.back().added += 1;
       }, {"references", "imports"}, "entry E2019-0002", "the id is stored more than once"},
      {"a settlement of an entry stored nowhere", [](C& c) { Find(c, "R-1").settles = "NOPE"; }, {"references"},
       "entry R-1", "settles \"NOPE\", which is not stored"},
      {"an import's count", [](C& c) { c.imports.front().added += 1; }, {"imports"}, "import 1",
       "audit record 1 says"},
      {"entries without an import", [](C& c) { c.entries_without_import = 2; }, {"imports"}, "entries",
       "2 entries carry no recorded import"},
      {"an audit record changed", [](C& c) { c.audit.front().actor = "mallory"; }, {"audit"}, "audit record 1",
       "changed"},
      {"the engine's own check", [](C& c) { c.engine_problems.push_back("integrity_check: page 7 is never used"); },
       {"engine"}, "the store's files", "page 7"},
  };
  for (const auto& item : cases) {
    SCOPED_TRACE(item.name);
    store::StoreContents broken = *sample_;
    item.change(broken);
    CheckResult result = CheckContents(broken);
    EXPECT_FALSE(result.ok());
    std::set<std::string> failed = FailedChecks(result);
    for (const auto& name : item.failed) EXPECT_TRUE(failed.count(name)) << name << " did not fail";
    for (const auto& name : failed) {
      if (!item.failed.count(name)) {
        for (const auto& f : result.findings) {
          if (f.check == name) ADD_FAILURE() << "unexpected: " << f.check << ": " << f.subject << ": " << f.message;
        }
      }
    }
    bool named = false;
    for (const auto& finding : result.findings) {
      if (finding.subject == item.subject && finding.message.find(item.message) != std::string::npos) named = true;
    }
    EXPECT_TRUE(named) << "no finding names " << item.subject << " with \"" << item.message << "\"";
  }
}

// A pledge stored with an amount below zero (the CHECK constraint bypassed)
// that nothing settles is named by the usd check, and the settlement check
// neither fails it nor stops.
TEST_F(CheckTest, APledgeBelowZeroThatNothingSettlesIsNotOverSettled) {
  store::StoreContents broken = *sample_;
  ledger::Entry negative = Find(broken, "E2019-0001");
  negative.id = "NEG-1";
  negative.amount = money::Money(-100, negative.amount.currency());
  broken.ledger.entries.push_back(negative);
  CheckResult result;
  ASSERT_NO_THROW(result = CheckContents(broken));
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(FailedChecks(result).count("settlements"), 0u);
  EXPECT_EQ(FailedChecks(result).count("usd"), 1u);
}

// The report is recomputed over the columns the store serves reports from:
// a column that disagrees with the entry records is found.
TEST_F(CheckTest, ReportColumnsThatDisagreeWithTheEntriesAreFound) {
  std::vector<ledger::Entry> entries = sample_->ledger.entries;
  for (auto& e : entries) {
    // A 2019 receipt to technical_cooperation, region africa.
    if (e.id == "E2019-0002") e.usd_cents += 100;
  }
  ledger::EntryColumns columns = ledger::ToColumns(entries);
  CheckResult result = CheckContents(*sample_, &columns);
  EXPECT_EQ(FailedChecks(result), std::set<std::string>{"report"});
  std::vector<std::string> subjects;
  for (const auto& f : result.findings) subjects.push_back(f.subject + ": " + f.message);
  EXPECT_THAT(subjects, ::testing::Contains(HasSubstr("year 2019, fund technical_cooperation: the report gives received")));
  EXPECT_THAT(subjects, ::testing::Contains(HasSubstr("year 2019, region africa")));
}

// What the import path accepts, the checks accept: generated datasets (skewed
// giving, several currencies, partial and full settlements, write-offs,
// reversals) of several seeds, each imported into a real SQLite store in
// three parts, pass every check.
TEST(CheckGenerated, EveryDatasetTheImportAcceptsChecks) {
  for (uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    testing::TempDir dir;
    exchange::GenerateOptions options;
    options.entries = 3000;
    options.donors = 100;
    options.seed = seed;
    ASSERT_TRUE(exchange::GenerateDataset(options, dir.File("data")));
    exchange::DatasetRead read = exchange::ReadDatasetDirectory(dir.File("data"));
    ASSERT_TRUE(read.problems.empty()) << ledger::FormatProblem(read.problems[0]);
    auto store = store::OpenStore(dir.File("store.db"), store::OpenMode::kCreate, TestEnvironment());
    ASSERT_TRUE(store) << store.error().message;
    // The reference records with the first third of the entries, then the
    // rest in two imports: three imports to count.
    const auto all = read.dataset.entries;
    const size_t third = all.size() / 3;
    for (int part = 0; part < 3; ++part) {
      ledger::Dataset dataset = part == 0 ? read.dataset : ledger::Dataset{};
      dataset.entries.assign(all.begin() + static_cast<std::ptrdiff_t>(part * third),
                             part == 2 ? all.end() : all.begin() + static_cast<std::ptrdiff_t>((part + 1) * third));
      store::WriteOptions write;
      write.source = "part " + std::to_string(part);
      auto imported = (*store)->Import(dataset, write);
      ASSERT_TRUE(imported) << imported.error().message;
      ASSERT_TRUE(imported->problems.empty()) << ledger::FormatProblem(imported->problems[0]);
    }
    auto contents = (*store)->ReadContents();
    ASSERT_TRUE(contents) << contents.error().message;
    CheckResult result = CheckContents(*contents);
    for (const auto& f : result.findings) ADD_FAILURE() << f.check << ": " << f.subject << ": " << f.message;
    EXPECT_EQ(contents->imports.size(), 3u);
  }
}

// What `rmis check` does on a store too large to hold as records: the
// entries are streamed (Store::StreamContents) into LedgerCheck, on SQLite
// and on a real PostgreSQL server, over more entries than PostgreSQL reads in
// one page, with a receipt stored before the pledge it settles (a dataset may
// give them in that order). The store passes, with the counts of the checks
// over the whole ledger read as records, and the entries arrive once each,
// in storage order.
class CheckStreamedTest : public ::testing::TestWithParam<testing::StoreKind> {};

INSTANTIATE_TEST_SUITE_P(Stores, CheckStreamedTest,
                         ::testing::Values(testing::StoreKind::kSqlite, testing::StoreKind::kPostgres),
                         [](const auto& info) { return testing::StoreKindName(info.param); });

TEST_P(CheckStreamedTest, AStreamedStoreChecksAsWhenReadWhole) {
  testing::TestStoreLocation where(GetParam());
  auto store = store::OpenStore(where.location(), store::OpenMode::kCreate, TestEnvironment());
  ASSERT_TRUE(store) << store.error().message;
  exchange::DatasetRead sample = exchange::ReadDatasetDirectory(testing::SampleDir().string());
  ASSERT_TRUE(sample.problems.empty());
  store::WriteOptions options;
  options.source = "sample";
  ASSERT_TRUE((*store)->Import(sample.dataset, options));
  std::string rows = "id,kind,donor,fund,amount,currency,value_date,settles\n"
                     "F-0,receipt,germany,foundation_earmarked,5.00,USD,2021-04-01,F-P\n";
  for (int i = 1; i < 21000; ++i) rows += "F-" + std::to_string(i) + ",receipt,germany,foundation_earmarked,1.00,USD,2021-04-01,\n";
  rows += "F-P,pledge,germany,foundation_earmarked,1000.00,USD,2021-03-01,\n";
  exchange::DatasetRead more;
  exchange::ReadDatasetFileText("entries.csv", rows, more);
  ASSERT_TRUE(more.problems.empty()) << ledger::FormatProblem(more.problems[0]);
  options.source = "more";
  auto added = (*store)->Import(more.dataset, options);
  ASSERT_TRUE(added) << added.error().message;
  ASSERT_TRUE(added->problems.empty()) << ledger::FormatProblem(added->problems[0]);

  auto ledger = (*store)->LoadLedger();
  ASSERT_TRUE(ledger);
  const size_t stored = ledger->entries.size();
  ASSERT_GT(stored, 21000u);

  // Streamed: every entry once, in storage order, none kept.
  class Ids : public store::ContentsReader {
   public:
    void OnReference(const ledger::Ledger& reference) override { donors = reference.donors.size(); }
    void OnEntry(const ledger::Entry& entry) override { ids.push_back(entry.id); }
    size_t donors = 0;
    std::vector<std::string> ids;
  } ids;
  auto streamed = (*store)->StreamContents(ids);
  ASSERT_TRUE(streamed) << streamed.error().message;
  EXPECT_TRUE(streamed->ledger.entries.empty());
  EXPECT_EQ(streamed->entries, static_cast<int64_t>(stored));
  EXPECT_EQ(ids.donors, ledger->donors.size());
  ASSERT_EQ(ids.ids.size(), stored);
  for (size_t i = 0; i < stored; ++i) ASSERT_EQ(ids.ids[i], ledger->entries[i].id) << "at " << i;

  // Checked as `rmis check` checks it.
  LedgerCheck check;
  auto contents = (*store)->StreamContents(check);
  ASSERT_TRUE(contents) << contents.error().message;
  check.Finish(*contents);
  bool report_checked = false;
  ASSERT_TRUE((*store)->ReadColumns([&](const ledger::Ledger&, const ledger::EntryColumns& columns) {
    ASSERT_EQ(columns.size(), stored);
    check.CheckReport(contents->ledger, columns);
    report_checked = true;
  }));
  EXPECT_TRUE(report_checked);
  CheckResult result = check.TakeResult();
  for (const auto& f : result.findings) ADD_FAILURE() << f.check << ": " << f.subject << ": " << f.message;

  // The same counts as the check of the whole ledger read as records.
  auto whole = (*store)->ReadContents();
  ASSERT_TRUE(whole);
  ASSERT_EQ(whole->ledger.entries.size(), stored);
  CheckResult expected = CheckContents(*whole);
  ASSERT_EQ(result.checks.size(), expected.checks.size());
  for (size_t i = 0; i < expected.checks.size(); ++i) {
    EXPECT_EQ(result.checks[i].name, expected.checks[i].name);
    EXPECT_EQ(result.checks[i].checked, expected.checks[i].checked) << expected.checks[i].name;
  }
  std::map<std::string, int64_t> checked;
  for (const auto& c : result.checks) checked[c.name] = c.checked;
  // And counted here from the records, independently of LedgerCheck.
  int64_t reversals = 0, settleable = 0;
  for (const auto& e : ledger->entries) {
    reversals += e.kind == ledger::EntryKind::kReversal;
    settleable += e.kind == ledger::EntryKind::kPledge || e.kind == ledger::EntryKind::kExpected;
  }
  ASSERT_GT(reversals, 0);
  EXPECT_EQ(checked["references"], static_cast<int64_t>(stored));
  EXPECT_EQ(checked["usd"], static_cast<int64_t>(stored));
  EXPECT_EQ(checked["reversals"], reversals);
  EXPECT_EQ(checked["settlements"], settleable);
  EXPECT_EQ(checked["imports"], 2);
}

}  // namespace
}  // namespace rmis::analysis
