// The SQLite store on a real file: migrations, WAL, append-only, one
// transaction per import, listing with filters and cursors.
#include "store/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "exchange/csv/dataset_reader.h"
#include "reference/countries.h"
#include "support/test_support.h"

namespace rmis::store {
namespace {

using ::testing::HasSubstr;

StoreEnvironment TestEnvironment() {
  return StoreEnvironment{[] { return ledger::Instant{1700000000}; }, reference::IsCountryAlpha3};
}

WriteOptions Write(const std::string& source) {
  WriteOptions options;
  options.actor = Actor{"tester", "127.0.0.1", "req-1"};
  options.source = source;
  return options;
}

std::string QueryText(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  std::string text;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* value = sqlite3_column_text(stmt, 0);
    text = value ? reinterpret_cast<const char*>(value) : "";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return text;
}

// Runs a statement directly on the file, as a careless tool might; returns the
// error or "".
std::string ExecRaw(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  char* message = nullptr;
  sqlite3_exec(db, sql, nullptr, nullptr, &message);
  std::string error = message ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  return error;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("store.db");
    auto store = OpenStore(path_, OpenMode::kCreate, TestEnvironment());
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }
  ImportResult ImportFixture() {
    exchange::DatasetRead read = exchange::ReadDatasetDirectory(testing::FixtureDir("small").string());
    EXPECT_TRUE(read.problems.empty());
    auto result = store_->Import(read.dataset, Write("small"));
    EXPECT_TRUE(result) << result.error().message;
    return *result;
  }
  testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, MigrationsAreAppliedAndRecorded) {
  auto migrations = store_->Migrations();
  ASSERT_TRUE(migrations);
  ASSERT_FALSE(migrations->empty());
  EXPECT_EQ((*migrations)[0].version, 1);
  EXPECT_EQ((*migrations)[0].name, "0001_ledger");
  EXPECT_EQ((*migrations)[0].applied_at, 1700000000);
  // Opening again applies nothing twice.
  store_.reset();
  auto again = OpenStore(path_, OpenMode::kExisting, TestEnvironment());
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->Migrations()->size(), migrations->size());
}

TEST_F(SqliteStoreTest, UsesWalAndFullSync) {
  EXPECT_EQ(QueryText(path_, "PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, RefusesToCreateOverOrOpenWhatIsNotThere) {
  auto over = OpenStore(path_, OpenMode::kCreate, TestEnvironment());
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kConflict);
  auto missing = OpenStore(dir_.File("none.db"), OpenMode::kExisting, TestEnvironment());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  testing::WriteFile(dir_.File("junk.db"), "this is not a database, but long enough to look like one......");
  auto junk = OpenStore(dir_.File("junk.db"), OpenMode::kExisting, TestEnvironment());
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().code, ErrorCode::kIo);
}

TEST_F(SqliteStoreTest, WhatIsImportedIsWhatIsLoaded) {
  ImportResult result = ImportFixture();
  EXPECT_EQ(result.entries_added, 7u);
  EXPECT_TRUE(result.problems.empty());
  auto ledger = store_->LoadLedger();
  ASSERT_TRUE(ledger);
  ASSERT_EQ(ledger->entries.size(), 7u);
  const ledger::Entry& r1 = ledger->entries[1];
  EXPECT_EQ(r1.id, "R1");
  EXPECT_EQ(r1.amount.minor_units(), 4000000);
  EXPECT_EQ(r1.amount.currency().str(), "CHF");
  EXPECT_EQ(r1.usd_cents, 4347826);
  EXPECT_EQ(r1.settles, "P1");
  EXPECT_EQ(ledger->donors[0].names[1], "墨西哥");
  EXPECT_EQ(ledger->targets.size(), 2u);
  EXPECT_EQ(ledger->entries[6].probability_ppm, 500000);
}

TEST_F(SqliteStoreTest, EntriesCannotBeEditedOrDeleted) {
  ImportFixture();
  EXPECT_THAT(ExecRaw(path_, "UPDATE entries SET amount_minor = 1 WHERE id = 'R1'"),
              HasSubstr("append-only"));
  EXPECT_THAT(ExecRaw(path_, "DELETE FROM entries WHERE id = 'R1'"), HasSubstr("append-only"));
  EXPECT_THAT(ExecRaw(path_, "DELETE FROM targets"), HasSubstr("append-only"));
}

TEST_F(SqliteStoreTest, ARefusedImportWritesNothing) {
  ImportFixture();
  std::string before = testing::DumpSqlite(path_);
  ledger::Dataset bad;
  ledger::Entry e;
  e.id = "N1";
  e.kind = ledger::EntryKind::kReceipt;
  e.donor = "nobody";
  e.fund = "core";
  e.amount = money::Money(100, money::CurrencyCode("USD"));
  bad.entries.push_back({e, {"entries.csv", 2}});
  bad.donors.push_back({ledger::Donor{"new", "New donor", ledger::DonorType::kFoundation, "", {}}, {"donors.csv", 2}});
  auto result = store_->Import(bad, Write("bad"));
  ASSERT_TRUE(result);
  ASSERT_EQ(result->problems.size(), 1u);
  EXPECT_EQ(testing::DumpSqlite(path_), before);
}

TEST_F(SqliteStoreTest, ListsWithFiltersAndCursor) {
  ImportFixture();
  EntryFilter receipts;
  receipts.kind = ledger::EntryKind::kReceipt;
  auto list = store_->ListEntries(receipts);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 4u);
  EntryFilter page;
  page.limit = 3;
  auto first = store_->ListEntries(page);
  ASSERT_EQ(first->size(), 3u);
  page.after_seq = first->back().seq;
  auto second = store_->ListEntries(page);
  ASSERT_EQ(second->size(), 3u);
  EXPECT_EQ((*second)[0].entry.id, "R2");
  EntryFilter dated;
  dated.from = *ledger::ParseDate("2021-03-01");
  dated.to = *ledger::ParseDate("2021-03-10");
  dated.fund = "earmarked";
  auto march = store_->ListEntries(dated);
  ASSERT_EQ(march->size(), 1u);
  EXPECT_EQ((*march)[0].entry.id, "R1");
}

TEST_F(SqliteStoreTest, ForeignKeysAreEnforced) {
  ImportFixture();
  std::string error = ExecRaw(path_,
                              "PRAGMA foreign_keys=ON; INSERT INTO entries (id, kind, donor, fund, currency,"
                              " amount_minor, usd_cents, value_date, recorded_at, attributed_year)"
                              " VALUES ('Z', 'receipt', 'ghost', 'core', 'USD', 1, 1, 0, 0, 1970)");
  EXPECT_THAT(error, HasSubstr("FOREIGN KEY"));
}

}  // namespace
}  // namespace rmis::store
