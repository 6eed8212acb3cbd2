// Dates, instants, months, probabilities and names of the ledger.
#include "ledger/types.h"

#include <gtest/gtest.h>

namespace rmis::ledger {
namespace {

struct DateCase {
  const char* text;
  bool ok;
};

TEST(ParseDate, AcceptsOnlyDaysThatExist) {
  const DateCase cases[] = {
      {"2021-06-30", true},  {"2020-02-29", true},  {"2021-02-29", false}, {"2021-04-31", false},
      {"2021-13-01", false}, {"2021-00-10", false}, {"2021-6-30", false},  {"21-06-30", false},
      {"2021/06/30", false}, {"", false},           {"2021-06-30 ", false}, {"2000-02-29", true},
      {"1900-02-29", false}, {"1900-01-01", true},  {"1899-12-31", false}, {"0000-01-01", false},
      {"0201-06-30", false}, {"9999-12-31", true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ParseDate(c.text).has_value(), c.ok) << c.text;
  }
}

TEST(ParseDate, SaysAnEarlyYearIsMistyped) {
  EXPECT_EQ(ParseDate("0201-06-30").error().message,
            "\"0201-06-30\" is before 1900-01-01, the earliest date rmis takes (a mistyped year?)");
  EXPECT_FALSE(ParseInstant("0000-01-01T00:00:00Z"));
  EXPECT_FALSE(ParseMonth("1899-12"));
  EXPECT_TRUE(ParseMonth("1900-01"));
}

TEST(ParseDate, RoundTripsAndOrders) {
  auto a = ParseDate("2021-06-30");
  auto b = ParseDate("2021-07-01");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(FormatDate(*a), "2021-06-30");
  EXPECT_EQ(b->days - a->days, 1);
  EXPECT_EQ(YearOf(*a), 2021);
  EXPECT_EQ(MonthOf(*a), 6);
  EXPECT_EQ(ParseDate("1970-01-01")->days, 0);
  EXPECT_EQ(FormatDate(EndOfYear(2020)), "2020-12-31");
}

TEST(ParseInstant, TakesADateOrAUtcTime) {
  EXPECT_EQ(*ParseInstant("1970-01-02"), 86400);
  EXPECT_EQ(*ParseInstant("1970-01-02T01:02:03Z"), 86400 + 3723);
  EXPECT_FALSE(ParseInstant("1970-01-02T25:00:00Z"));
  EXPECT_FALSE(ParseInstant("1970-01-02T01:02:03"));
  EXPECT_EQ(FormatInstant(*ParseInstant("2021-08-19T14:05:09Z")), "2021-08-19T14:05:09Z");
  EXPECT_EQ(EndOfDay(*ParseDate("1970-01-01")), 86399);
}

TEST(ParseMonth, TakesYearAndMonth) {
  EXPECT_EQ(*ParseMonth("2021-06"), 2021 * 12 + 5);
  EXPECT_EQ(FormatMonth(*ParseMonth("2021-06")), "2021-06");
  EXPECT_FALSE(ParseMonth("2021-13"));
  EXPECT_FALSE(ParseMonth("2021-6"));
  EXPECT_EQ(MonthIndexOf(*ParseDate("2021-06-30")), *ParseMonth("2021-06"));
}

TEST(ParseProbability, IsExactInPartsPerMillion) {
  EXPECT_EQ(*ParseProbability("0.5"), 500000);
  EXPECT_EQ(*ParseProbability("1"), 1000000);
  EXPECT_EQ(*ParseProbability("0"), 0);
  EXPECT_EQ(*ParseProbability("0.000001"), 1);
  EXPECT_EQ(*ParseProbability("1.000000"), 1000000);
  for (const char* bad : {"1.1", "-0.5", "0.1234567", "", ".5", "5.", "50%", "2"}) {
    EXPECT_FALSE(ParseProbability(bad)) << bad;
  }
  EXPECT_EQ(FormatProbability(250000), "0.25");
  EXPECT_EQ(FormatProbability(1000000), "1");
}

TEST(Names, RoundTrip) {
  for (auto type : {DonorType::kMemberState, DonorType::kRegionalOrganization, DonorType::kUnEntity,
                    DonorType::kMultilateralFund, DonorType::kFoundation, DonorType::kPrivateSector,
                    DonorType::kSubnationalGovernment, DonorType::kIndividual, DonorType::kOther}) {
    EXPECT_EQ(ParseDonorType(Name(type)), type);
  }
  for (auto kind : {EntryKind::kPledge, EntryKind::kReceipt, EntryKind::kExpected,
                    EntryKind::kWriteOff, EntryKind::kReversal}) {
    EXPECT_EQ(ParseEntryKind(Name(kind)), kind);
  }
  EXPECT_EQ(ParseRegion(""), Region::kNone);
  EXPECT_EQ(ParseRegion("latin_america_caribbean"), Region::kLatinAmericaCaribbean);
  EXPECT_FALSE(ParseRegion("Africa"));
  EXPECT_EQ(ParseChannel("internal_emergency_fund"), Channel::kInternalEmergencyFund);
  EXPECT_TRUE(InMemberStateTable(DonorType::kRegionalOrganization));
  EXPECT_FALSE(InMemberStateTable(DonorType::kFoundation));
}

TEST(IsValidId, LettersDigitsAndFewMarks) {
  EXPECT_TRUE(IsValidId("E2021-0001"));
  EXPECT_TRUE(IsValidId("donor:eu.1_a"));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId("has space"));
  EXPECT_FALSE(IsValidId(std::string(65, 'a')));
  EXPECT_FALSE(IsValidId("墨西哥"));
}

}  // namespace
}  // namespace rmis::ledger
