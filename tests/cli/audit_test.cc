// `rmis audit verify` catches a record changed, removed or reordered by
// someone who edits the database file directly (issue 3, item 6).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "support/test_support.h"

namespace rmis::testing {
namespace {

using ::testing::HasSubstr;

void Tamper(const std::string& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(handle,
                        ("DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; " + sql).c_str(),
                        nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(handle);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

class AuditVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("store.db");
    ASSERT_EQ(RunRmis({"init", "--db", db_}).exit_code, 0);
    ASSERT_EQ(RunRmis({"import", "--db", db_, FixtureDir("small").string()}).exit_code, 0);
    for (const char* name : {"ann", "bob", "cat"}) {
      CommandResult added = RunRmis({"user", "add", name, "--role", "officer", "--db", db_},
                                    {{"RMIS_PASSWORD", "a-long-password"}});
      ASSERT_EQ(added.exit_code, 0) << added.err;
    }
    CommandResult ok = RunRmis({"audit", "verify", "--db", db_});
    ASSERT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_THAT(ok.out, HasSubstr("intact: 4 records"));
  }
  CommandResult Verify() { return RunRmis({"audit", "verify", "--db", db_}); }
  TempDir dir_;
  std::string db_;
};

TEST_F(AuditVerifyTest, TheTrailCannotBeEditedThroughSql) {
  CommandResult list = RunRmis({"audit", "list", "--db", db_});
  EXPECT_THAT(list.out, HasSubstr("user.add\tuser ann"));
  sqlite3* handle = nullptr;
  sqlite3_open(db_.c_str(), &handle);
  char* error = nullptr;
  sqlite3_exec(handle, "UPDATE audit SET actor = 'mallory' WHERE seq = 2", nullptr, nullptr, &error);
  ASSERT_NE(error, nullptr);
  EXPECT_THAT(error, HasSubstr("append-only"));
  sqlite3_free(error);
  sqlite3_close(handle);
}

TEST_F(AuditVerifyTest, FindsAChangedRecord) {
  Tamper(db_, "UPDATE audit SET actor = 'mallory' WHERE seq = 2");
  CommandResult result = Verify();
  EXPECT_EQ(result.exit_code, 6);
  EXPECT_THAT(result.err, HasSubstr("broken at record 2: record 2 was changed after it was written"));
}

TEST_F(AuditVerifyTest, FindsARemovedRecord) {
  Tamper(db_, "DELETE FROM audit WHERE seq = 2");
  CommandResult result = Verify();
  EXPECT_EQ(result.exit_code, 6);
  EXPECT_THAT(result.err, HasSubstr("record 2 is missing"));
}

TEST_F(AuditVerifyTest, FindsTheLastRecordRemoved) {
  Tamper(db_, "DELETE FROM audit WHERE seq = 4");
  CommandResult result = Verify();
  EXPECT_EQ(result.exit_code, 6);
  EXPECT_THAT(result.err, HasSubstr("removed from the end"));
}

TEST_F(AuditVerifyTest, FindsReorderedRecords) {
  Tamper(db_, "UPDATE audit SET seq = 100 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3;"
              " UPDATE audit SET seq = 3 WHERE seq = 100;");
  CommandResult result = Verify();
  EXPECT_EQ(result.exit_code, 6);
  EXPECT_THAT(result.err, HasSubstr("broken at record 2"));
}

TEST_F(AuditVerifyTest, UserCommandsAreAudited) {
  ASSERT_EQ(RunRmis({"user", "disable", "bob", "--db", db_}).exit_code, 0);
  ASSERT_EQ(RunRmis({"user", "passwd", "cat", "--db", db_}, {{"RMIS_PASSWORD", "another-long-password"}}).exit_code, 0);
  EXPECT_EQ(RunRmis({"user", "passwd", "dan", "--db", db_}, {{"RMIS_PASSWORD", "another-long-password"}}).exit_code, 4);
  CommandResult short_password = RunRmis({"user", "add", "eve", "--role", "viewer", "--db", db_}, {{"RMIS_PASSWORD", "short"}});
  EXPECT_EQ(short_password.exit_code, 2);
  EXPECT_THAT(short_password.err, HasSubstr("at least 10 characters"));
  CommandResult users = RunRmis({"user", "list", "--db", db_});
  EXPECT_THAT(users.out, HasSubstr("bob\tofficer\tdisabled"));
  CommandResult list = RunRmis({"audit", "list", "--db", db_});
  EXPECT_THAT(list.out, HasSubstr("user.update\tuser bob"));
  EXPECT_THAT(list.out, HasSubstr("user.update\tuser cat"));
  EXPECT_EQ(Verify().exit_code, 0);
}

}  // namespace
}  // namespace rmis::testing
