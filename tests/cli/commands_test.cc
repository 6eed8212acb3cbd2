// The rmis command as a user meets it: help, exit codes, the store's
// location, the report's formats and snapshots, the entry list.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace rmis::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("store.db");
    ASSERT_EQ(RunRmis({"init", "--db", db_}).exit_code, 0);
    CommandResult result = RunRmis({"import", "--db", db_, FixtureDir("small").string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
  nlohmann::json ReportJson(std::vector<std::string> extra) {
    std::vector<std::string> args = {"report", "--db", db_, "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    CommandResult result = RunRmis(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return nlohmann::json::parse(result.out);
  }
  TempDir dir_;
  std::string db_;
};

TEST(Help, EverySubcommandHasHelp) {
  for (const char* command : {"init", "import", "report", "entries"}) {
    CommandResult result = RunRmis({command, "--help"});
    EXPECT_EQ(result.exit_code, 0) << command;
    EXPECT_THAT(result.out, HasSubstr("--db")) << command;
  }
  CommandResult top = RunRmis({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_THAT(top.out, HasSubstr("Exit codes"));
}

TEST(ExitCodes, UsageNotFoundAndConflict) {
  TempDir dir;
  EXPECT_EQ(RunRmis({"report", "--year", "abc"}).exit_code, 2);
  EXPECT_EQ(RunRmis({"report", "--db", dir.File("x.db"), "--year", "2021", "--as-of", "2021-02-30"}).exit_code, 2);
  CommandResult missing = RunRmis({"report", "--db", dir.File("none.db"), "--year", "2021"});
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_THAT(missing.err, HasSubstr("no store at"));
  EXPECT_EQ(RunRmis({"init", "--db", dir.File("a.db")}).exit_code, 0);
  CommandResult again = RunRmis({"init", "--db", dir.File("a.db")});
  EXPECT_EQ(again.exit_code, 5);
  EXPECT_THAT(again.err, HasSubstr("already exists"));
}

TEST(StoreLocation, ComesFromTheEnvironmentWhenNotGiven) {
  TempDir dir;
  std::string db = dir.File("env.db");
  EXPECT_EQ(RunRmis({"init"}, {{"RMIS_DB", db}}).exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(db));
}

TEST_F(CommandsTest, ReportJsonHasTheDocumentedFields) {
  nlohmann::json report = ReportJson({"--year", "2021", "--as-of", "2021-06-30"});
  for (const char* key : {"year", "as_of", "known_at", "basis", "income_vs_target", "top_contributors",
                          "regions", "forecast", "appeals", "events", "concentration", "target_history"}) {
    EXPECT_TRUE(report.contains(key)) << key;
  }
  const auto& core = report["income_vs_target"][0];
  EXPECT_EQ(core["fund"], "core");
  // R0 5000 (prior-year) + R3 700 reversed by V3: 5000 received, all prior-year.
  EXPECT_EQ(core["received_usd"], "5000.00");
  EXPECT_EQ(core["prior_year_usd"], "5000.00");
  EXPECT_EQ(core["net_usd"], "0.00");
  EXPECT_EQ(core["target_usd"], "10000000.00");
  EXPECT_DOUBLE_EQ(core["share"].get<double>(), 0.0005);
  // 40000 CHF at 0.92 = 43478.26 USD.
  EXPECT_EQ(report["income_vs_target"][1]["received_usd"], "43478.26");
  // Forecast for core: 0 received for 2021, expected 200000 at 0.5.
  EXPECT_EQ(report["forecast"][0]["expected_usd"], "100000.00");
  EXPECT_EQ(report["forecast"][0]["expected_unweighted_usd"], "200000.00");
  // The pledge P1: 100000 CHF at 0.89 = 112359.55; 60% open = 67415.73.
  EXPECT_EQ(report["forecast"][1]["pledged_usd"], "67415.73");
  // Target history: 18.9 M replaced by 10 M.
  ASSERT_EQ(report["target_history"].size(), 2u);
  EXPECT_EQ(report["target_history"][1]["previous_usd"], "18900000.00");
  EXPECT_EQ(report["target_history"][1]["in_force"], true);
  EXPECT_EQ(report["target_history"][0]["in_force"], false);
  // Appeal: the EU receipt of 1000.50 EUR at 0.84 = 1191.07.
  EXPECT_EQ(report["appeals"][0]["mobilized_usd"], "1191.07");
  EXPECT_EQ(report["appeals"][0]["by_channel"]["new_contribution"], "1191.07");
}

TEST_F(CommandsTest, AsOfLeavesOutLaterValueDates) {
  nlohmann::json before = ReportJson({"--year", "2021", "--as-of", "2021-03-09"});
  EXPECT_EQ(before["income_vs_target"][1]["received_usd"], "0.00");
  // The reversal V3 (20 March) is not yet in the snapshot of 16 March.
  nlohmann::json mid = ReportJson({"--year", "2021", "--as-of", "2021-03-16"});
  EXPECT_EQ(mid["income_vs_target"][0]["received_usd"], "5700.00");
}

TEST_F(CommandsTest, KnownAtLeavesOutWhatWasRecordedLater) {
  std::filesystem::path late = dir_.path() / "late";
  std::filesystem::create_directories(late);
  WriteFile(late / "entries.csv",
            "id,kind,donor,fund,amount,currency,value_date,recorded_at,attributed_year\n"
            "L1,receipt,mex,core,1000,USD,2021-03-01,2021-09-15T10:00:00Z,2021\n");
  ASSERT_EQ(RunRmis({"import", "--db", db_, late.string()}).exit_code, 0);
  nlohmann::json now = ReportJson({"--year", "2021", "--as-of", "2021-06-30"});
  EXPECT_EQ(now["income_vs_target"][0]["received_usd"], "6000.00");
  nlohmann::json then = ReportJson({"--year", "2021", "--as-of", "2021-06-30", "--known-at", "2021-06-30"});
  EXPECT_EQ(then["income_vs_target"][0]["received_usd"], "5000.00");
  EXPECT_EQ(then["known_at"], "2021-06-30T23:59:59Z");
}

TEST_F(CommandsTest, NetBasisIsSaid) {
  nlohmann::json report = ReportJson({"--year", "2021", "--as-of", "2021-06-30", "--basis", "net"});
  EXPECT_EQ(report["basis"], "net");
  EXPECT_DOUBLE_EQ(report["income_vs_target"][0]["share"].get<double>(), 0.0);
  CommandResult text = RunRmis({"report", "--db", db_, "--year", "2021", "--as-of", "2021-06-30", "--basis", "net"});
  EXPECT_THAT(text.out, HasSubstr("net basis"));
}

TEST_F(CommandsTest, TextReportAlignsItsColumns) {
  CommandResult result = RunRmis({"report", "--db", db_, "--year", "2021", "--as-of", "2021-06-30"});
  ASSERT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("Income against target (share on the gross basis"));
  EXPECT_THAT(result.out, HasSubstr("Mexico *"));
  // The rows of the income table end at the same column.
  std::istringstream lines(result.out);
  std::string line;
  std::vector<size_t> ends;
  bool in_table = false;
  while (std::getline(lines, line)) {
    if (line.rfind("  Fund", 0) == 0) in_table = true;
    else if (line.empty()) in_table = false;
    if (in_table && ends.size() < 5) ends.push_back(line.size());
  }
  ASSERT_GE(ends.size(), 4u);
  EXPECT_EQ(ends[2], ends[3]);
}

TEST_F(CommandsTest, ReportForAYearWithoutDataSaysSo) {
  CommandResult result = RunRmis({"report", "--db", db_, "--year", "2015", "--as-of", "2015-12-31"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("no entries for 2015"));
  EXPECT_EQ(ReportJson({"--year", "2015", "--as-of", "2015-12-31"})["has_data"], false);
}

TEST_F(CommandsTest, CsvReportIsOneTidyTable) {
  CommandResult result =
      RunRmis({"report", "--db", db_, "--year", "2021", "--as-of", "2021-06-30", "--format", "csv"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("section,fund,item,measure,value\n"));
  EXPECT_THAT(result.out, HasSubstr("income_vs_target,core,,received_usd,5000.00\n"));
}

TEST_F(CommandsTest, EntriesFilterAndPage) {
  CommandResult receipts = RunRmis({"entries", "--db", db_, "--kind", "receipt", "--format", "json"});
  ASSERT_EQ(receipts.exit_code, 0) << receipts.err;
  nlohmann::json list = nlohmann::json::parse(receipts.out);
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0]["id"], "R1");
  EXPECT_EQ(list[0]["settles"], "P1");
  EXPECT_EQ(list[0]["usd"], "43478.26");
  nlohmann::json page = nlohmann::json::parse(
      RunRmis({"entries", "--db", db_, "--limit", "2", "--after", "2", "--format", "json"}).out);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0]["id"], "R0");
  EXPECT_EQ(page[0]["seq"], 3);
  CommandResult text = RunRmis({"entries", "--db", db_, "--donor", "che"});
  EXPECT_THAT(text.out, HasSubstr("2 entries"));
  EXPECT_THAT(text.out, Not(HasSubstr("mex")));
  CommandResult settles = RunRmis({"entries", "--db", db_, "--settles", "P1", "--format", "csv"});
  EXPECT_THAT(settles.out, HasSubstr(",R1,receipt,che,earmarked,40000.00,CHF,43478.26,2021-03-10,"));
}

}  // namespace
}  // namespace rmis::testing

namespace rmis::testing {
namespace {

// Golden outputs: a fixture, a command, the exact expected output and exit
// code (tests/golden/expected/). Regenerate deliberately when the layout
// changes, and read the diff.
TEST_F(CommandsTest, GoldenTextReport) {
  CommandResult result = RunRmis({"report", "--db", db_, "--year", "2021", "--as-of", "2021-06-30"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, ReadFile(SourceDir() / "tests/golden/expected/small-report-2021-06-30.txt"));
}

TEST_F(CommandsTest, GoldenImportErrors) {
  std::string before = DumpSqlite(db_);
  CommandResult result = RunRmis({"import", "--db", db_, FixtureDir("small-bad").string()});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, ReadFile(SourceDir() / "tests/golden/expected/small-bad-import.stderr"));
  EXPECT_EQ(DumpSqlite(db_), before);
}

}  // namespace
}  // namespace rmis::testing
