// The bulletin's figures (analysis/bulletin.h, issue 5): a month's receipts
// by donor and the monthly series, on a small ledger built here.
#include "analysis/bulletin.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace rmis::analysis {
namespace {

using ledger::Entry;
using ledger::EntryKind;

ledger::Date D(const char* text) { return *ledger::ParseDate(text); }

Entry Receipt(const char* id, const char* donor, const char* fund, int64_t cents, const char* date) {
  Entry e;
  e.id = id;
  e.kind = EntryKind::kReceipt;
  e.donor = donor;
  e.fund = fund;
  e.amount = money::Money(cents, money::CurrencyCode("USD"));
  e.usd_cents = cents;
  e.value_date = D(date);
  e.recorded_at = ledger::StartOfDay(e.value_date);
  e.attributed_year = ledger::YearOf(e.value_date);
  return e;
}

ledger::Ledger Sample() {
  ledger::Ledger l;
  l.donors = {{"che", "Switzerland", ledger::DonorType::kMemberState, "CHE", {}},
              {"jpn", "Japan", ledger::DonorType::kMemberState, "JPN", {}},
              {"gates", "Gates Foundation", ledger::DonorType::kFoundation, "USA", {}}};
  l.funds = {{"tc", "Technical cooperation", ledger::FundCategory::kTechnicalCooperation},
             {"core", "Core", ledger::FundCategory::kCore}};
  l.entries = {Receipt("R1", "che", "core", 100000, "2021-05-31"),
               Receipt("R2", "che", "core", 250000, "2021-06-01"),
               Receipt("R3", "jpn", "tc", 900000, "2021-06-15"),
               Receipt("R4", "che", "tc", 50000, "2021-06-30"),
               Receipt("R5", "gates", "tc", 700000, "2021-06-20"),
               Receipt("R6", "jpn", "core", 300000, "2021-07-01")};
  // Gates's June receipt is reversed in June: Gates gave nothing in June.
  Entry reversal = Receipt("X5", "gates", "tc", 700000, "2021-06-25");
  reversal.kind = EntryKind::kReversal;
  reversal.reverses = "R5";
  l.entries.push_back(reversal);
  Entry pledge = Receipt("P1", "gates", "tc", 5000000, "2021-06-02");
  pledge.kind = EntryKind::kPledge;  // a pledge is not money in
  l.entries.push_back(pledge);
  return l;
}

TEST(MonthReceipts, TheDonorsWhoseReceiptsFallInTheMonth) {
  MonthReceipts june = ComputeMonthReceipts(Sample(), 2021 * 12 + 5, std::nullopt);
  ASSERT_EQ(june.donors.size(), 2u);
  EXPECT_EQ(june.donors[0].donor, "jpn");
  EXPECT_EQ(june.donors[0].received_cents, 900000);
  EXPECT_EQ(june.donors[1].donor, "che");
  EXPECT_EQ(june.donors[1].received_cents, 300000);
  EXPECT_EQ(june.donors[1].by_fund.at("core"), 250000);
  EXPECT_EQ(june.donors[1].by_fund.at("tc"), 50000);
  EXPECT_EQ(june.total_cents, 1200000);
  EXPECT_EQ(june.by_fund.at("tc"), 950000);
}

TEST(MonthReceipts, KnownAtHidesWhatWasRecordedLater) {
  ledger::Ledger l = Sample();
  l.entries[2].recorded_at = ledger::StartOfDay(D("2021-07-10"));  // Japan's June receipt, recorded in July
  MonthReceipts june = ComputeMonthReceipts(l, 2021 * 12 + 5, ledger::EndOfDay(D("2021-06-30")));
  ASSERT_EQ(june.donors.size(), 1u);
  EXPECT_EQ(june.donors[0].donor, "che");
}

TEST(MonthReceipts, AMonthWithoutReceiptsIsEmpty) {
  MonthReceipts march = ComputeMonthReceipts(Sample(), 2021 * 12 + 2, std::nullopt);
  EXPECT_TRUE(march.donors.empty());
  EXPECT_EQ(march.total_cents, 0);
}

TEST(MonthlyIncome, ReceiptsByMonthAndFundUpToTheAsOfDate) {
  MonthlyIncome series = ComputeMonthlyIncome(Sample(), 2021, Snapshot{D("2021-06-30"), std::nullopt});
  EXPECT_THAT(series.funds, ::testing::ElementsAre("core", "tc"));  // report order: core first
  ASSERT_EQ(series.months.size(), 6u);
  EXPECT_EQ(series.cents[4], (std::vector<int64_t>{100000, 0}));       // May
  EXPECT_EQ(series.cents[5], (std::vector<int64_t>{250000, 950000}));  // June, less the reversed receipt
  MonthlyIncome later = ComputeMonthlyIncome(Sample(), 2021, Snapshot{D("2022-03-01"), std::nullopt});
  EXPECT_EQ(later.months.size(), 12u);
  EXPECT_EQ(later.cents[6][0], 300000);
  MonthlyIncome before = ComputeMonthlyIncome(Sample(), 2021, Snapshot{D("2020-12-31"), std::nullopt});
  EXPECT_TRUE(before.months.empty());
}

// The figures over columns (Store::ReadColumns) read only the entries the
// year index lists; they agree with a scan of every entry, month by month,
// and when a reversal arrives before the receipt it reverses (the columns
// are then not indexed and every entry is read).
TEST(MonthReceipts, ColumnsWithTheYearIndexAgreeWithAFullScan) {
  ledger::Ledger l = Sample();
  ledger::EntryColumns indexed = ledger::ToColumns(l.entries);
  ASSERT_TRUE(indexed.indexed());
  ledger::EntryColumns scanned = ledger::ToColumns(l.entries);
  scanned.DropIndex();
  std::vector<ledger::Entry> reversal_first = l.entries;
  std::rotate(reversal_first.begin(), reversal_first.begin() + 6, reversal_first.begin() + 7);  // X5 first
  ledger::EntryColumns out_of_order = ledger::ToColumns(reversal_first);
  for (int32_t month = 2021 * 12; month < 2022 * 12; ++month) {
    MonthReceipts a = ComputeMonthReceipts(l, indexed, month, std::nullopt);
    for (const ledger::EntryColumns* other : {&scanned, &out_of_order}) {
      MonthReceipts b = ComputeMonthReceipts(l, *other, month, std::nullopt);
      EXPECT_EQ(a.total_cents, b.total_cents) << month;
      EXPECT_EQ(a.by_fund, b.by_fund) << month;
      ASSERT_EQ(a.donors.size(), b.donors.size()) << month;
      for (size_t d = 0; d < a.donors.size(); ++d) {
        EXPECT_EQ(a.donors[d].donor, b.donors[d].donor);
        EXPECT_EQ(a.donors[d].by_fund, b.donors[d].by_fund);
      }
    }
  }
  Snapshot june{D("2021-06-30"), std::nullopt};
  EXPECT_EQ(ComputeMonthlyIncome(l, indexed, 2021, june).cents, ComputeMonthlyIncome(l, scanned, 2021, june).cents);
  EXPECT_EQ(ComputeMonthlyIncome(l, out_of_order, 2021, june).cents[5], (std::vector<int64_t>{250000, 950000}));
}

TEST(LastDayOfMonth, Table) {
  EXPECT_EQ(LastDayOfMonth(2021 * 12 + 1), D("2021-02-28"));
  EXPECT_EQ(LastDayOfMonth(2020 * 12 + 1), D("2020-02-29"));
  EXPECT_EQ(LastDayOfMonth(2021 * 12 + 11), D("2021-12-31"));
  EXPECT_EQ(LastDayOfMonth(2021 * 12 + 5), D("2021-06-30"));
}

}  // namespace
}  // namespace rmis::analysis
