// The ledger rules of PlanImport, on datasets built in memory.
#include "ledger/import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reference/countries.h"

namespace rmis::ledger {
namespace {

using ::testing::HasSubstr;

Entry MakeEntry(std::string id, EntryKind kind, std::string amount, std::string currency = "USD",
                std::string date = "2021-03-01") {
  Entry e;
  e.id = std::move(id);
  e.kind = kind;
  e.donor = "che";
  e.fund = "core";
  e.amount = *money::Money::Parse(amount, currency);
  e.value_date = *ParseDate(date);
  e.recorded_at = StartOfDay(e.value_date);
  e.attributed_year = YearOf(e.value_date);
  return e;
}

class PlanImportTest : public ::testing::Test {
 protected:
  PlanImportTest() {
    stored_.donors.push_back(Donor{"che", "Switzerland", DonorType::kMemberState, "CHE", {}});
    stored_.donors.push_back(Donor{"mex", "Mexico", DonorType::kMemberState, "MEX", {}});
    stored_.funds.push_back(Fund{"core", "Core", FundCategory::kCore});
    stored_.funds.push_back(Fund{"tc", "Technical cooperation", FundCategory::kTechnicalCooperation});
    stored_.rates.push_back(RateRecord{"CHF", *ParseMonth("2021-03"), "0.92"});
  }
  void Add(Entry entry) {
    int64_t line = static_cast<int64_t>(dataset_.entries.size()) + 2;
    dataset_.entries.push_back({std::move(entry), {"entries.csv", line}});
  }
  PlanOutcome Plan() { return PlanImport(stored_, dataset_, reference::IsCountryAlpha3); }
  // Plans, and on success stores the additions as a store would.
  PlanOutcome PlanAndStore() {
    PlanOutcome outcome = Plan();
    if (outcome.problems.empty()) {
      for (auto& e : outcome.plan.additions.entries) stored_.entries.push_back(e);
      dataset_ = Dataset{};
    }
    return outcome;
  }
  std::string Problems(const PlanOutcome& outcome) {
    std::string text;
    for (const auto& p : outcome.problems) text += FormatProblem(p) + "\n";
    return text;
  }
  Ledger stored_;
  Dataset dataset_;
};

TEST_F(PlanImportTest, ComputesTheUsdValueOnce) {
  Add(MakeEntry("R1", EntryKind::kReceipt, "1000.00", "CHF"));
  PlanOutcome outcome = Plan();
  ASSERT_TRUE(outcome.problems.empty()) << Problems(outcome);
  ASSERT_EQ(outcome.plan.additions.entries.size(), 1u);
  EXPECT_EQ(outcome.plan.additions.entries[0].usd_cents, 108696);  // 1000 / 0.92 = 1086.956...
}

TEST_F(PlanImportTest, SettlementsNeverExceedThePledge) {
  Entry pledge = MakeEntry("P1", EntryKind::kPledge, "100.00", "CHF");
  Add(pledge);
  Entry first = MakeEntry("R1", EntryKind::kReceipt, "60.00", "CHF");
  first.settles = "P1";
  Add(first);
  ASSERT_TRUE(PlanAndStore().problems.empty());

  Entry too_much = MakeEntry("R2", EntryKind::kReceipt, "40.01", "CHF");
  too_much.settles = "P1";
  Add(too_much);
  PlanOutcome outcome = Plan();
  ASSERT_EQ(outcome.problems.size(), 1u);
  EXPECT_EQ(FormatProblem(outcome.problems[0]),
            "entries.csv:2: amount: 40.01 CHF is more than the open balance of \"P1\" (40.00 CHF)");
  EXPECT_TRUE(outcome.plan.additions.entries.empty());
}

TEST_F(PlanImportTest, ReversingASettlementFreesTheBalance) {
  Add(MakeEntry("P1", EntryKind::kPledge, "100.00"));
  Entry r1 = MakeEntry("R1", EntryKind::kReceipt, "100.00");
  r1.settles = "P1";
  Add(r1);
  ASSERT_TRUE(PlanAndStore().problems.empty());
  Entry reversal = MakeEntry("V1", EntryKind::kReversal, "100.00");
  reversal.reverses = "R1";
  Add(reversal);
  Entry r2 = MakeEntry("R2", EntryKind::kReceipt, "100.00");
  r2.settles = "P1";
  Add(r2);
  PlanOutcome outcome = Plan();
  EXPECT_TRUE(outcome.problems.empty()) << Problems(outcome);
}

TEST_F(PlanImportTest, AReceiptSettlesAPledgeOfTheSameDonorFundAndCurrency) {
  Add(MakeEntry("P1", EntryKind::kPledge, "100.00", "CHF"));
  Entry other_donor = MakeEntry("R1", EntryKind::kReceipt, "10.00", "CHF");
  other_donor.donor = "mex";
  other_donor.settles = "P1";
  Add(other_donor);
  Entry other_currency = MakeEntry("R2", EntryKind::kReceipt, "10.00", "USD");
  other_currency.settles = "P1";
  Add(other_currency);
  Entry settles_receipt = MakeEntry("R3", EntryKind::kReceipt, "1.00", "USD");
  settles_receipt.settles = "R2";
  Add(settles_receipt);
  PlanOutcome outcome = Plan();
  std::string text = Problems(outcome);
  EXPECT_THAT(text, HasSubstr("entries.csv:3: settles: \"P1\" is from donor \"che\""));
  EXPECT_THAT(text, HasSubstr("entries.csv:4: currency: \"P1\" is in CHF"));
  EXPECT_THAT(text, HasSubstr("entries.csv:5: settles: \"R2\" is a receipt"));
}

TEST_F(PlanImportTest, AReversalRepeatsItsEntryAndHappensOnce) {
  Add(MakeEntry("R1", EntryKind::kReceipt, "50.00"));
  ASSERT_TRUE(PlanAndStore().problems.empty());
  Entry wrong_amount = MakeEntry("V1", EntryKind::kReversal, "49.00");
  wrong_amount.reverses = "R1";
  Add(wrong_amount);
  Entry right = MakeEntry("V2", EntryKind::kReversal, "50.00");
  right.reverses = "R1";
  Add(right);
  Entry twice = MakeEntry("V3", EntryKind::kReversal, "50.00");
  twice.reverses = "R1";
  Add(twice);
  Entry of_reversal = MakeEntry("V4", EntryKind::kReversal, "50.00");
  of_reversal.reverses = "V2";
  Add(of_reversal);
  std::string text = Problems(Plan());
  EXPECT_THAT(text, HasSubstr("entries.csv:2: reverses: a reversal must repeat"));
  EXPECT_THAT(text, HasSubstr("entries.csv:4: reverses: \"R1\" is already reversed by \"V2\""));
  EXPECT_THAT(text, HasSubstr("entries.csv:5: reverses: \"V2\" is itself a reversal"));
}

TEST_F(PlanImportTest, APledgeWithPaymentsIsReversedOnlyAfterThem) {
  Add(MakeEntry("P1", EntryKind::kPledge, "100.00"));
  Entry r1 = MakeEntry("R1", EntryKind::kReceipt, "10.00");
  r1.settles = "P1";
  Add(r1);
  ASSERT_TRUE(PlanAndStore().problems.empty());
  Entry reversal = MakeEntry("V1", EntryKind::kReversal, "100.00");
  reversal.reverses = "P1";
  Add(reversal);
  EXPECT_THAT(Problems(Plan()), HasSubstr("reverse those first"));
}

TEST_F(PlanImportTest, AWriteOffClosesAPledgeOrExpectation) {
  Add(MakeEntry("P1", EntryKind::kPledge, "100.00"));
  Entry off = MakeEntry("W1", EntryKind::kWriteOff, "100.00");
  off.settles = "P1";
  Add(off);
  Entry expected = MakeEntry("X1", EntryKind::kExpected, "100.00");
  expected.probability_ppm = 500000;
  Add(expected);
  Entry drop = MakeEntry("W2", EntryKind::kWriteOff, "100.00");
  drop.settles = "X1";
  Add(drop);
  ASSERT_TRUE(PlanAndStore().problems.empty());
  Entry late = MakeEntry("R1", EntryKind::kReceipt, "0.01");
  late.settles = "P1";
  Add(late);
  EXPECT_THAT(Problems(Plan()), HasSubstr("open balance of \"P1\" (0.00 USD)"));
}

TEST_F(PlanImportTest, FieldsBelongToTheirKinds) {
  Entry receipt = MakeEntry("R1", EntryKind::kReceipt, "1.00");
  receipt.probability_ppm = 1;
  Add(receipt);
  Entry pledge = MakeEntry("P1", EntryKind::kPledge, "1.00");
  pledge.reverses = "R1";
  Add(pledge);
  Add(MakeEntry("W1", EntryKind::kWriteOff, "1.00"));
  std::string text = Problems(Plan());
  EXPECT_THAT(text, HasSubstr("entries.csv:2: probability: only an expected entry"));
  EXPECT_THAT(text, HasSubstr("entries.csv:3: reverses: only a reversal"));
  EXPECT_THAT(text, HasSubstr("entries.csv:4: settles: a write_off must name"));
}

TEST_F(PlanImportTest, ReferenceRecordsAreNeverChanged) {
  dataset_.donors.push_back({Donor{"che", "Switzerland", DonorType::kMemberState, "CHE", {}}, {"donors.csv", 2}});
  dataset_.donors.push_back({Donor{"mex", "Mexico (renamed)", DonorType::kMemberState, "MEX", {}}, {"donors.csv", 3}});
  dataset_.rates.push_back({RateRecord{"CHF", *ParseMonth("2021-03"), "0.920"}, {"rates.csv", 2}});
  dataset_.rates.push_back({RateRecord{"CHF", *ParseMonth("2021-03"), "0.93"}, {"rates.csv", 3}});
  PlanOutcome outcome = Plan();
  ASSERT_EQ(outcome.problems.size(), 2u) << Problems(outcome);
  EXPECT_EQ(outcome.problems[0].file, "donors.csv");
  EXPECT_EQ(outcome.problems[0].line, 3);
  EXPECT_EQ(outcome.problems[1].file, "rates.csv");
  EXPECT_EQ(outcome.problems[1].line, 3);
}

TEST_F(PlanImportTest, MemberStatesNeedACountry) {
  dataset_.donors.push_back({Donor{"x", "X", DonorType::kMemberState, "", {}}, {"donors.csv", 2}});
  dataset_.donors.push_back({Donor{"y", "Y", DonorType::kSubnationalGovernment, "BRA", {}}, {"donors.csv", 3}});
  dataset_.donors.push_back({Donor{"z", "Z", DonorType::kFoundation, "", {}}, {"donors.csv", 4}});
  PlanOutcome outcome = Plan();
  ASSERT_EQ(outcome.problems.size(), 1u);
  EXPECT_EQ(outcome.problems[0].field, "country");
}

TEST_F(PlanImportTest, StopsCollectingAtTheCap) {
  for (int i = 0; i < 1500; ++i) {
    Entry e = MakeEntry("R" + std::to_string(i), EntryKind::kReceipt, "1.00");
    e.donor = "nobody";
    Add(e);
  }
  PlanOutcome outcome = Plan();
  EXPECT_EQ(outcome.problems.size(), kMaxProblems);
  EXPECT_TRUE(outcome.truncated);
}

}  // namespace
}  // namespace rmis::ledger
