// Bad input loses nothing (issue 2, item 7): each bad dataset is refused by
// the real `rmis import` with a message naming file, line and field, a
// non-zero exit, and a store left exactly as it was.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "support/test_support.h"

namespace rmis::testing {
namespace {

using ::testing::HasSubstr;

// A store holding the "small" fixture, and a copy of the fixture to spoil.
class ImportErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("store.db");
    ASSERT_EQ(RunRmis({"init", "--db", db_}).exit_code, 0);
    CommandResult first = RunRmis({"import", "--db", db_, FixtureDir("small").string()});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    data_ = dir_.path() / "data";
    CopyDirectory(FixtureDir("small"), data_);
    before_ = DumpSqlite(db_);
  }

  void Append(const std::string& file, const std::string& text) {
    WriteFile(data_ / file, ReadFile(data_ / file) + text);
  }

  // Imports the spoilt copy and checks the refusal.
  CommandResult ImportExpectingRefusal() {
    CommandResult result = RunRmis({"import", "--db", db_, data_.string()});
    EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
    EXPECT_THAT(result.err, HasSubstr("nothing was imported, the store is unchanged"));
    EXPECT_EQ(DumpSqlite(db_), before_) << "the store changed";
    return result;
  }

  TempDir dir_;
  std::string db_;
  std::filesystem::path data_;
  std::string before_;
};

struct BadCase {
  std::string name;
  std::function<void(ImportErrorsTest&)> spoil;
  std::string expected;  // must appear in stderr: "file:line: field: ..."
};

const char kEntryHeader[] =
    "id,kind,donor,fund,amount,currency,value_date,recorded_at,attributed_year,region,appeal,"
    "channel,event,settles,reverses,probability,note\n";

std::string Entry(const std::string& fields) { return fields + "\n"; }

class BadInput : public ImportErrorsTest, public ::testing::WithParamInterface<BadCase> {
 public:
  using ImportErrorsTest::Append;
  void Write(const std::string& file, const std::string& text) { WriteFile(data_ / file, text); }
};

TEST_P(BadInput, IsRefusedWithItsPlaceAndChangesNothing) {
  GetParam().spoil(*this);
  CommandResult result = ImportExpectingRefusal();
  EXPECT_THAT(result.err, HasSubstr(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Issue2, BadInput,
    ::testing::Values(
        BadCase{"UnterminatedQuote",
                [](ImportErrorsTest& t) {
                  static_cast<BadInput&>(t).Append("entries.csv",
                                                   "N1,receipt,mex,core,10,USD,2021-04-01,,,,,,,,,,\"no end\n");
                },
                "entries.csv:9: a quoted field that starts on this line is never closed"},
        BadCase{"UnknownColumn",
                [](ImportErrorsTest& t) {
                  static_cast<BadInput&>(t).Write("funds.csv", "id,name,category,colour\ncore,Core,core,red\n");
                },
                "funds.csv:1: colour: unknown column \"colour\""},
        BadCase{"UnknownDonor",
                [](ImportErrorsTest& t) {
                  static_cast<BadInput&>(t).Append("entries.csv",
                                                   Entry("N1,receipt,atlantis,core,10,USD,2021-04-01,,,,,,,,,,"));
                },
                "entries.csv:9: donor: unknown donor \"atlantis\""},
        BadCase{"UnknownFund",
                [](ImportErrorsTest& t) {
                  static_cast<BadInput&>(t).Append("entries.csv",
                                                   Entry("N1,receipt,mex,cor,10,USD,2021-04-01,,,,,,,,,,"));
                },
                "entries.csv:9: fund: unknown fund \"cor\""},
        BadCase{"UnknownCurrency",
                [](ImportErrorsTest& t) {
                  static_cast<BadInput&>(t).Append("entries.csv",
                                                   Entry("N1,receipt,mex,core,10,EUX,2021-04-01,,,,,,,,,,"));
                },
                "entries.csv:9: currency: unknown currency \"EUX\""},
        BadCase{"UnknownRegion",
                [](ImportErrorsTest& t) {
                  static_cast<BadInput&>(t).Append("entries.csv",
                                                   Entry("N1,receipt,mex,core,10,USD,2021-04-01,,,atlantis,,,,,,,"));
                },
                "entries.csv:9: region: \"atlantis\" is not one of"},
        BadCase{"DateThatDoesNotExist",
                [](ImportErrorsTest& t) {
                  static_cast<BadInput&>(t).Append("entries.csv",
                                                   Entry("N1,receipt,mex,core,10,USD,2021-02-29,,,,,,,,,,"));
                },
                "entries.csv:9: value_date: \"2021-02-29\" is not a date that exists"},
        BadCase{"TooManyDecimals",
                [](ImportErrorsTest& t) {
                  static_cast<BadInput&>(t).Append("entries.csv",
                                                   Entry("N1,receipt,mex,core,10.005,USD,2021-04-01,,,,,,,,,,"));
                },
                "entries.csv:9: amount: "},
        BadCase{"JapaneseYenWithDecimals",
                [](ImportErrorsTest& t) {
                  auto& b = static_cast<BadInput&>(t);
                  b.Append("rates.csv", "JPY,2021-04,109.5\n");
                  b.Append("entries.csv", Entry("N1,receipt,mex,core,1000.5,JPY,2021-04-01,,,,,,,,,,"));
                },
                "entries.csv:9: amount: "},
        BadCase{"AmountWithSign",
                [](ImportErrorsTest& t) {
                  static_cast<BadInput&>(t).Append("entries.csv",
                                                   Entry("N1,receipt,mex,core,-10,USD,2021-04-01,,,,,,,,,,"));
                },
                "entries.csv:9: amount: "},
        BadCase{"ReceiptBeyondOpenBalance",
                [](ImportErrorsTest& t) {
                  // P1 is 100000 CHF with 40000 paid: 60000 open.
                  auto& b = static_cast<BadInput&>(t);
                  b.Append("rates.csv", "CHF,2021-04,0.93\n");
                  b.Append("entries.csv", Entry("N1,receipt,che,earmarked,60000.01,CHF,2021-04-01,,,,,,,P1,,,"));
                },
                "entries.csv:9: amount: 60000.01 CHF is more than the open balance of \"P1\" (60000.00 CHF)"},
        BadCase{"ReversalOfMissingEntry",
                [](ImportErrorsTest& t) {
                  static_cast<BadInput&>(t).Append("entries.csv",
                                                   Entry("N1,reversal,mex,core,10,USD,2021-04-01,,,,,,,,R99,,"));
                },
                "entries.csv:9: reverses: no entry \"R99\" to reverse"},
        BadCase{"ReversalOfReversedEntry",
                [](ImportErrorsTest& t) {
                  static_cast<BadInput&>(t).Append("entries.csv",
                                                   Entry("V4,reversal,mex,core,700,USD,2021-04-01,,,,,,,,R3,,"));
                },
                "entries.csv:9: reverses: \"R3\" is already reversed by \"V3\""},
        BadCase{"DuplicateIdWithOtherContent",
                [](ImportErrorsTest& t) {
                  static_cast<BadInput&>(t).Append("entries.csv",
                                                   Entry("R0,receipt,mex,core,5001,USD,2021-02-11,,2020,global,,,,,,,"));
                },
                "entries.csv:9: id: entry \"R0\" is already stored with different content (amount/currency"},
        BadCase{"DuplicateIdWithinTheFile",
                [](ImportErrorsTest& t) {
                  auto& b = static_cast<BadInput&>(t);
                  b.Append("entries.csv", Entry("N1,receipt,mex,core,10,USD,2021-04-01,,,,,,,,,,"));
                  b.Append("entries.csv", Entry("N1,receipt,mex,core,11,USD,2021-04-01,,,,,,,,,,"));
                },
                "entries.csv:10: id: entry \"N1\" is already given on line 9"},
        BadCase{"NotUtf8",
                [](ImportErrorsTest& t) {
                  static_cast<BadInput&>(t).Append("donors.csv", "ven,Venezuela \xE9tat,member_state,VEN,,\n");
                },
                "donors.csv:6: bytes that are not UTF-8"},
        BadCase{"EmptyFile",
                [](ImportErrorsTest& t) { static_cast<BadInput&>(t).Write("events.csv", ""); },
                "events.csv: the file is empty"},
        BadCase{"MissingRate",
                [](ImportErrorsTest& t) {
                  static_cast<BadInput&>(t).Append("entries.csv",
                                                   Entry("N1,receipt,eu,tc,10,EUR,2021-05-01,,,,,,,,,,"));
                },
                "entries.csv:9: currency: no rate for EUR in 2021-05"},
        BadCase{"UnknownCountry",
                [](ImportErrorsTest& t) {
                  static_cast<BadInput&>(t).Append("donors.csv", "xx,Nowhere,member_state,XXX,,\n");
                },
                "donors.csv:6: country: \"XXX\" is not an ISO 3166-1 alpha-3 country code"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

TEST_F(ImportErrorsTest, ReportsEveryProblemNotOnlyTheFirst) {
  Append("entries.csv", Entry("N1,receipt,atlantis,core,10,USD,2021-04-01,,,,,,,,,,"));
  Append("entries.csv", Entry("N2,receipt,mex,core,10,USD,2021-13-01,,,,,,,,,,"));
  WriteFile(data_ / "funds.csv", "id,name,category\nnew,New fund,pooled\n");
  CommandResult result = ImportExpectingRefusal();
  EXPECT_THAT(result.err, HasSubstr("entries.csv:9: donor: unknown donor \"atlantis\""));
  EXPECT_THAT(result.err, HasSubstr("entries.csv:10: value_date:"));
  EXPECT_THAT(result.err, HasSubstr("funds.csv:2: category: \"pooled\" is not one of"));
}

TEST_F(ImportErrorsTest, TheSameRowImportedTwiceAddsNothing) {
  CommandResult result = RunRmis({"import", "--db", db_, data_.string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("0 records added (0 entries)"));
  EXPECT_EQ(DumpSqlite(db_), before_) << "a repeated import must not write anything";
}

TEST_F(ImportErrorsTest, AGoodImportAfterARefusedOneStillWorks) {
  Append("entries.csv", Entry("N1,receipt,atlantis,core,10,USD,2021-04-01,,,,,,,,,,"));
  ImportExpectingRefusal();
  CopyDirectory(FixtureDir("small"), data_);
  Append("entries.csv", Entry("N1,receipt,mex,core,10,USD,2021-04-01,,,,,,,,,,"));
  CommandResult result = RunRmis({"import", "--db", db_, data_.string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("1 records added (1 entries)"));
}

}  // namespace
}  // namespace rmis::testing
