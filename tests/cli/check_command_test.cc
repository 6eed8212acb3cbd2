// `rmis check` on real stores (issue 6, item 6): the sample store passes;
// an SQLite file changed behind rmis's back with the sqlite3 C API (after
// dropping the append-only triggers where needed) fails with exit 7, naming
// the entry or record; the same on a real PostgreSQL server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <sstream>

#include "analysis/check.h"
#include "cli/render.h"
#include "exchange/csv/dataset_reader.h"
#include "reference/countries.h"
#include "store/store.h"
#include "support/postgres_harness.h"
#include "support/test_support.h"

namespace rmis::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kExitCheckFailed = 7;

// Runs `sql` on the SQLite file as a tool outside rmis would (foreign keys
// off, SQLite's default), after dropping the triggers that make the ledger
// and the audit trail append-only.
void Tamper(const std::string& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  char* error = nullptr;
  std::string script =
      "DROP TRIGGER IF EXISTS entries_no_update; DROP TRIGGER IF EXISTS entries_no_delete;"
      " DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; " +
      sql;
  int rc = sqlite3_exec(handle, script.c_str(), nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(handle);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

class CheckCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("store.db");
    ASSERT_EQ(RunRmis({"init", "--db", db_}).exit_code, 0);
    CommandResult imported = RunRmis({"import", "--db", db_, SampleDir().string()});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }
  CommandResult Check() { return RunRmis({"check", "--db", db_}); }
  TempDir dir_;
  std::string db_;
};

TEST_F(CheckCommandTest, TheSampleStorePassesAndSaysWhatWasChecked) {
  CommandResult result = Check();
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("engine       1 check "));
  EXPECT_THAT(result.out, HasSubstr("PRAGMA integrity_check"));
  EXPECT_THAT(result.out, HasSubstr("usd          376 entries"));
  EXPECT_THAT(result.out, HasSubstr("reversals    3 reversals"));
  EXPECT_THAT(result.out, HasSubstr("imports      1 import "));
  EXPECT_THAT(result.out, HasSubstr("audit        1 record "));
  EXPECT_THAT(result.out, HasSubstr("Every check passed."));
  EXPECT_EQ(result.err, "");
}

TEST_F(CheckCommandTest, AChangedUsdValueIsNamed) {
  Tamper(db_, "UPDATE entries SET usd_cents = usd_cents + 1 WHERE id = 'E2019-0006'");
  CommandResult result = Check();
  EXPECT_EQ(result.exit_code, kExitCheckFailed);
  EXPECT_THAT(result.out, HasSubstr("usd: entry E2019-0006: stores "));
  EXPECT_THAT(result.out, HasSubstr(" EUR at "));
  EXPECT_THAT(result.out, ::testing::ContainsRegex("usd +376 entries +1 FAILED"));
  EXPECT_THAT(result.err, HasSubstr("the store does not check"));
}

// INSERT is what the triggers allow: a row appended by a tool that skips
// rmis's rules is still found.
TEST_F(CheckCommandTest, AnOverSettlingReceiptIsNamed) {
  Tamper(db_,
         "INSERT INTO entries (id, kind, donor, fund, currency, amount_minor, usd_cents, value_date,"
         " recorded_at, attributed_year, settles, import_id)"
         " SELECT 'SNEAK-1', 'receipt', donor, fund, currency, amount_minor, usd_cents, value_date,"
         " recorded_at, attributed_year, id, import_id FROM entries WHERE id = 'E2019-0001'");
  CommandResult result = Check();
  EXPECT_EQ(result.exit_code, kExitCheckFailed);
  EXPECT_THAT(result.out, HasSubstr("settlements: entry E2019-0001: is settled "));
  EXPECT_THAT(result.out, HasSubstr("(over from \"SNEAK-1\")"));
  // The import that is said to have added it did not.
  EXPECT_THAT(result.out, HasSubstr("imports: import 1: "));
}

TEST_F(CheckCommandTest, ADeletedEntryIsFoundByTheEngineAndTheLedger) {
  // E2019-0010 is reversed by E2019-0013.
  Tamper(db_, "DELETE FROM entries WHERE id = 'E2019-0010'");
  CommandResult result = Check();
  EXPECT_EQ(result.exit_code, kExitCheckFailed);
  EXPECT_THAT(result.out, HasSubstr("engine: the store's files: foreign_key_check: row "));
  EXPECT_THAT(result.out, HasSubstr("references: entry E2019-0013: reverses \"E2019-0010\", which is not stored"));
  EXPECT_THAT(result.out, HasSubstr("imports: all imports: say "));
}

TEST_F(CheckCommandTest, AChangedAuditRecordIsNamed) {
  Tamper(db_, "UPDATE audit SET actor = 'mallory' WHERE seq = 1");
  CommandResult result = Check();
  EXPECT_EQ(result.exit_code, kExitCheckFailed);
  EXPECT_THAT(result.out, HasSubstr("audit: audit record 1: "));
  EXPECT_THAT(result.out, Not(HasSubstr("usd: ")));
}

TEST_F(CheckCommandTest, AReversalOfAnotherAmountIsNamed) {
  Tamper(db_, "UPDATE entries SET amount_minor = amount_minor - 1 WHERE id = 'E2019-0013'");
  CommandResult result = Check();
  EXPECT_EQ(result.exit_code, kExitCheckFailed);
  EXPECT_THAT(result.out, HasSubstr("reversals: entry E2019-0013: reverses \"E2019-0010\""));
}

TEST(CheckCommand, NoStoreIsNotFound) {
  TempDir dir;
  CommandResult result = RunRmis({"check", "--db", dir.File("none.db")});
  EXPECT_EQ(result.exit_code, 4);
}

// A store that another writer writes to each time `rmis check` reads its
// columns: between the streamed entries and the columns of the report check
// one receipt is recorded, so the two never hold the same entries. Every
// other call goes to the real SQLite store.
class WrittenWhileChecked : public store::Store {
 public:
  explicit WrittenWhileChecked(store::Store& inner) : inner_(inner) {}
  int writes = 0;
  bool write = true;

  Status ReadColumns(
      const std::function<void(const ledger::Ledger&, const ledger::EntryColumns&)>& use) override {
    if (write) {
      exchange::DatasetRead one;
      exchange::ReadDatasetFileText("entries.csv",
                                    "id,kind,donor,fund,amount,currency,value_date\n"
                                    "W-" + std::to_string(++writes) +
                                        ",receipt,germany,foundation_earmarked,1.00,USD,2021-04-01\n",
                                    one);
      store::WriteOptions options;
      options.action = "entry.create";
      auto added = inner_.Import(one.dataset, options);
      if (!added) return tl::unexpected(added.error());
      EXPECT_TRUE(added->problems.empty());
    }
    return inner_.ReadColumns(use);
  }
  Result<store::StoreContents> StreamContents(store::ContentsReader& reader) override {
    return inner_.StreamContents(reader);
  }
  Result<ledger::Ledger> LoadLedger() override { return inner_.LoadLedger(); }
  Result<std::shared_ptr<const ledger::Ledger>> LoadReference() override { return inner_.LoadReference(); }
  Result<store::ImportResult> Import(const ledger::Dataset& d, const store::WriteOptions& o) override {
    return inner_.Import(d, o);
  }
  Result<store::ImportResult> Check(const ledger::Dataset& d) override { return inner_.Check(d); }
  Result<std::vector<store::ListedEntry>> ListEntries(const store::EntryFilter& f) override {
    return inner_.ListEntries(f);
  }
  Result<std::vector<store::AppliedMigration>> Migrations() override { return inner_.Migrations(); }
  Result<store::User> AddUser(const store::User& u, const store::Actor& a) override { return inner_.AddUser(u, a); }
  Status UpdateUser(const store::User& u, const store::Actor& a) override { return inner_.UpdateUser(u, a); }
  Result<std::optional<store::User>> FindUser(const std::string& n) override { return inner_.FindUser(n); }
  Result<std::optional<store::User>> FindUserById(int64_t id) override { return inner_.FindUserById(id); }
  Result<std::vector<store::User>> ListUsers() override { return inner_.ListUsers(); }
  Status AddSession(const store::Session& s, const store::Actor& a) override { return inner_.AddSession(s, a); }
  Result<std::optional<store::Session>> FindSession(const std::string& h) override { return inner_.FindSession(h); }
  Status DeleteSession(const std::string& h, const store::Actor& a) override { return inner_.DeleteSession(h, a); }
  Status AppendAudit(const store::AuditRecord& r) override { return inner_.AppendAudit(r); }
  Result<std::vector<store::AuditRecord>> ListAudit(int64_t after, int64_t limit) override {
    return inner_.ListAudit(after, limit);
  }
  Result<std::pair<int64_t, std::string>> AuditHead() override { return inner_.AuditHead(); }

 private:
  store::Store& inner_;
};

// When the store is written every time it is read, `rmis check` tries three
// times, then says the report was not checked and exits 1: it never says
// "Every check passed" of totals it did not compare. The same store, not
// written, passes with exit 0.
TEST(CheckCommand, AStoreWrittenWhileCheckedIsNotSaidToPass) {
  TempDir dir;
  store::StoreEnvironment environment{[] { return ledger::Instant{1700000000}; }, reference::IsCountryAlpha3};
  auto opened = store::OpenStore(dir.File("store.db"), store::OpenMode::kCreate, environment);
  ASSERT_TRUE(opened) << opened.error().message;
  exchange::DatasetRead sample = exchange::ReadDatasetDirectory(SampleDir().string());
  ASSERT_TRUE(sample.problems.empty());
  store::WriteOptions options;
  options.source = "sample";
  ASSERT_TRUE((*opened)->Import(sample.dataset, options));

  WrittenWhileChecked store(**opened);
  auto checked = analysis::CheckStore(store);
  ASSERT_TRUE(checked) << checked.error().message;
  EXPECT_EQ(store.writes, 3);
  EXPECT_FALSE(checked->report_checked);
  EXPECT_TRUE(checked->ok());
  std::ostringstream out, err;
  EXPECT_EQ(cli::PrintCheck(*checked, "store.db", out, err), 1);
  EXPECT_THAT(out.str(), HasSubstr("report: not checked: the store changed each time it was read"));
  EXPECT_THAT(out.str(), Not(HasSubstr("Every check passed")));
  EXPECT_THAT(err.str(), HasSubstr("could not be checked while the store was being written"));

  store.write = false;
  auto quiet = analysis::CheckStore(store);
  ASSERT_TRUE(quiet) << quiet.error().message;
  EXPECT_TRUE(quiet->report_checked);
  for (const auto& f : quiet->findings) ADD_FAILURE() << f.check << ": " << f.subject << ": " << f.message;
  std::ostringstream quiet_out, quiet_err;
  EXPECT_EQ(cli::PrintCheck(*quiet, "store.db", quiet_out, quiet_err), 0) << quiet_out.str() << quiet_err.str();
  EXPECT_THAT(quiet_out.str(), HasSubstr("Every check passed."));
  EXPECT_THAT(quiet_out.str(), HasSubstr("usd          379 entries"));
}

TEST(CheckCommandPostgres, TheSamplePassesAndAChangedValueIsNamed) {
  std::string url = PostgresServer::Get().CreateDatabase();
  ASSERT_EQ(RunRmis({"init", "--db", url}).exit_code, 0);
  CommandResult imported = RunRmis({"import", "--db", url, SampleDir().string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  CommandResult ok = RunRmis({"check", "--db", url});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("engine       0 checks"));
  EXPECT_THAT(ok.out, HasSubstr("usd          376 entries"));
  EXPECT_THAT(ok.out, HasSubstr("Every check passed."));

  ASSERT_EQ(PostgresExec(url,
                         "ALTER TABLE entries DISABLE TRIGGER entries_no_update;"
                         " UPDATE entries SET usd_cents = usd_cents - 1 WHERE id = 'E2021-0008';"
                         " ALTER TABLE entries ENABLE TRIGGER entries_no_update;"),
            "");
  CommandResult bad = RunRmis({"check", "--db", url});
  EXPECT_EQ(bad.exit_code, kExitCheckFailed);
  EXPECT_THAT(bad.out, HasSubstr("usd: entry E2021-0008: stores 59999.99 USD, but 60000.00 USD is 60000.00 USD"));
}

}  // namespace
}  // namespace rmis::testing
