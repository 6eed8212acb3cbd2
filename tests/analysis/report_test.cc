// The report's rules on small ledgers built in memory, and properties that
// must hold for any ledger: reversals cancel exactly, sums lose no cent.
#include "analysis/report.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace rmis::analysis {
namespace {

using ledger::Entry;
using ledger::EntryKind;

ledger::Date D(const char* text) { return *ledger::ParseDate(text); }

Entry Usd(std::string id, EntryKind kind, std::string donor, int64_t cents, const char* date,
          std::string fund = "core") {
  Entry e;
  e.id = std::move(id);
  e.kind = kind;
  e.donor = std::move(donor);
  e.fund = std::move(fund);
  e.amount = money::Money(cents, money::CurrencyCode("USD"));
  e.usd_cents = cents;
  e.value_date = D(date);
  e.recorded_at = ledger::StartOfDay(e.value_date);
  e.attributed_year = ledger::YearOf(e.value_date);
  return e;
}

ledger::Ledger BaseLedger() {
  ledger::Ledger l;
  l.funds = {{"tc", "Technical cooperation", ledger::FundCategory::kTechnicalCooperation},
             {"core", "Core", ledger::FundCategory::kCore}};
  l.donors = {{"mex", "Mexico", ledger::DonorType::kMemberState, "MEX", {}},
              {"chn", "China", ledger::DonorType::kMemberState, "CHN", {}},
              {"eu", "European Union", ledger::DonorType::kRegionalOrganization, "", {}},
              {"gates", "Gates Foundation", ledger::DonorType::kFoundation, "", {}}};
  return l;
}

ReportOptions Options(int year, const char* as_of) {
  ReportOptions options;
  options.year = year;
  options.snapshot.as_of = D(as_of);
  return options;
}

TEST(Report, FundsComeInCategoryOrder) {
  Report r = ComputeReport(BaseLedger(), Options(2021, "2021-12-31"));
  ASSERT_EQ(r.income_vs_target.size(), 2u);
  EXPECT_EQ(r.income_vs_target[0].fund, "core");
  EXPECT_FALSE(r.has_data);
}

TEST(Report, GrossNetAndPriorYear) {
  ledger::Ledger l = BaseLedger();
  l.entries.push_back(Usd("a", EntryKind::kReceipt, "mex", 70000, "2021-02-01"));
  Entry prior = Usd("b", EntryKind::kReceipt, "mex", 50000, "2021-03-01");
  prior.attributed_year = 2020;
  l.entries.push_back(prior);
  l.targets.push_back({"core", 2021, 2021, 1000000, D("2020-10-29"), ""});
  ReportOptions options = Options(2021, "2021-06-30");
  Report gross = ComputeReport(l, options);
  EXPECT_EQ(gross.income_vs_target[0].received_cents, 120000);
  EXPECT_EQ(gross.income_vs_target[0].prior_year_cents, 50000);
  EXPECT_EQ(gross.income_vs_target[0].net_cents, 70000);
  EXPECT_DOUBLE_EQ(*gross.income_vs_target[0].share, 0.12);
  options.basis = Basis::kNet;
  EXPECT_DOUBLE_EQ(*ComputeReport(l, options).income_vs_target[0].share, 0.07);
  // The receipt for 2020 that came in 2021 counts for the 2020 forecast.
  EXPECT_EQ(ComputeReport(l, Options(2020, "2021-06-30")).forecast[0].received_cents, 50000);
  EXPECT_EQ(gross.forecast[0].received_cents, 70000);
}

TEST(Report, TheTargetInForceIsTheLatestDecidedByTheAsOfDate) {
  ledger::Ledger l = BaseLedger();
  l.targets.push_back({"core", 2021, 2021, 1890000000, D("2020-03-31"), "proposed"});
  l.targets.push_back({"core", 2021, 2021, 1000000000, D("2020-10-29"), "approved"});
  l.targets.push_back({"core", 2020, 2023, 10900000000, D("2019-05-31"), ""});
  EXPECT_EQ(*ComputeReport(l, Options(2021, "2020-06-30")).income_vs_target[0].target_cents, 1890000000);
  Report later = ComputeReport(l, Options(2021, "2021-06-30"));
  EXPECT_EQ(*later.income_vs_target[0].target_cents, 1000000000);
  ASSERT_EQ(later.target_history.size(), 3u);
  EXPECT_EQ(later.target_history[0].year_to, 2023);  // by first year: 2020-2023, then 2021
  EXPECT_TRUE(later.target_history[0].in_force);
  EXPECT_FALSE(later.target_history[1].in_force);
  EXPECT_EQ(later.target_history[2].previous_cents, 1890000000);
  EXPECT_TRUE(later.target_history[2].in_force);
}

TEST(Report, OpenPledgesAndWeightedExpectations) {
  ledger::Ledger l = BaseLedger();
  Entry pledge = Usd("p", EntryKind::kPledge, "chn", 100000, "2021-01-10");
  pledge.amount = money::Money(90000, money::CurrencyCode("EUR"));  // 0.9 EUR per USD
  l.entries.push_back(pledge);
  Entry paid = Usd("r", EntryKind::kReceipt, "chn", 33000, "2021-03-01");
  paid.amount = money::Money(30000, money::CurrencyCode("EUR"));
  paid.settles = "p";
  l.entries.push_back(paid);
  Entry hope = Usd("x", EntryKind::kExpected, "mex", 100001, "2021-04-01");
  hope.probability_ppm = 500000;
  l.entries.push_back(hope);
  Report r = ComputeReport(l, Options(2021, "2021-06-30"));
  // Two thirds of the pledge open: 100000 * 60000 / 90000 = 66666.67 -> 66667.
  EXPECT_EQ(r.forecast[0].pledged_cents, 66667);
  EXPECT_EQ(r.forecast[0].received_cents, 33000);
  EXPECT_EQ(r.forecast[0].expected_unweighted_cents, 100001);
  EXPECT_EQ(r.forecast[0].expected_cents, 50000);  // 50000.5 rounds half to even
  EXPECT_EQ(r.forecast[0].total_cents, 33000 + 66667 + 50000);
  // Before the receipt, the whole pledge is open.
  EXPECT_EQ(ComputeReport(l, Options(2021, "2021-02-01")).forecast[0].pledged_cents, 100000);
}

TEST(Report, RankingsMarkPriorYearAndSeparateMemberStates) {
  ledger::Ledger l = BaseLedger();
  l.entries.push_back(Usd("1", EntryKind::kReceipt, "gates", 900, "2021-02-01"));
  l.entries.push_back(Usd("2", EntryKind::kReceipt, "eu", 500, "2021-02-01"));
  Entry prior = Usd("3", EntryKind::kReceipt, "mex", 100, "2021-02-01");
  prior.attributed_year = 2020;
  l.entries.push_back(prior);
  l.entries.push_back(Usd("4", EntryKind::kReceipt, "mex", 400, "2021-02-01"));
  l.entries.push_back(Usd("5", EntryKind::kReceipt, "chn", 500, "2021-02-01"));
  Report r = ComputeReport(l, Options(2021, "2021-06-30"));
  const FundRanking& core = r.top_contributors[0];
  ASSERT_EQ(core.member_states.size(), 3u);
  EXPECT_EQ(core.member_states[0].donor, "chn");  // ties by name: China before European Union
  EXPECT_EQ(core.member_states[1].donor, "eu");
  EXPECT_EQ(core.member_states[2].donor, "mex");
  EXPECT_TRUE(core.member_states[2].includes_prior_year);
  ASSERT_EQ(core.all_donors.size(), 4u);
  EXPECT_EQ(core.all_donors[0].donor, "gates");
  EXPECT_FALSE(core.all_donors[0].member_state);
  EXPECT_EQ(r.concentration.donors, 4);
  EXPECT_DOUBLE_EQ(*r.concentration.top_share, 1.0);
}

TEST(Report, AppealsCountReceiptsByChannelAndOpenPledges) {
  ledger::Ledger l = BaseLedger();
  l.appeals.push_back({"covid", "COVID-19", 1000000, 64, D("2020-04-15")});
  Entry a = Usd("a", EntryKind::kReceipt, "mex", 1000, "2020-05-01");
  a.appeal = "covid";
  Entry b = Usd("b", EntryKind::kReceipt, "mex", 2000, "2020-05-01");
  b.appeal = "covid";
  b.channel = ledger::Channel::kReprogrammed;
  Entry p = Usd("p", EntryKind::kPledge, "chn", 5000, "2020-06-01");
  p.appeal = "covid";
  Entry s = Usd("s", EntryKind::kReceipt, "chn", 1500, "2020-07-01");
  s.appeal = "covid";
  s.settles = "p";
  l.entries = {a, b, p, s};
  Report r = ComputeReport(l, Options(2020, "2020-11-30"));
  ASSERT_EQ(r.appeals.size(), 1u);
  const AppealCoverage& c = r.appeals[0];
  EXPECT_EQ(c.by_channel.at("new_contribution"), 2500);
  EXPECT_EQ(c.by_channel.at("reprogrammed"), 2000);
  EXPECT_EQ(c.by_channel.at("new_pledge"), 3500);
  EXPECT_EQ(c.mobilized_cents, 8000);  // the paid part of the pledge is not counted twice
  EXPECT_EQ(c.gap_cents, 992000);
  EXPECT_TRUE(ComputeReport(l, Options(2020, "2020-03-31")).appeals.empty());
}

TEST(Report, EventsCountAnnouncedPledgesByCategory) {
  ledger::Ledger l = BaseLedger();
  l.events.push_back({"conf", "Conference", D("2020-12-10")});
  Entry p1 = Usd("p1", EntryKind::kPledge, "mex", 300, "2020-12-10");
  p1.event = "conf";
  p1.attributed_year = 2021;
  Entry p2 = Usd("p2", EntryKind::kPledge, "chn", 700, "2020-12-10", "tc");
  p2.event = "conf";
  l.entries = {p1, p2};
  Report r = ComputeReport(l, Options(2020, "2020-12-31"));
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].pledged_cents, 1000);
  EXPECT_EQ(r.events[0].by_category.at("core"), 300);
  EXPECT_EQ(r.events[0].by_category.at("technical_cooperation"), 700);
  EXPECT_EQ(r.events[0].by_category.at("earmarked"), 0);
}

TEST(Report, RegionsLargestFirstWithUnallocated) {
  ledger::Ledger l = BaseLedger();
  Entry a = Usd("a", EntryKind::kReceipt, "mex", 100, "2021-01-05");
  a.region = ledger::Region::kEurope;
  Entry b = Usd("b", EntryKind::kReceipt, "mex", 300, "2021-01-05");
  b.region = ledger::Region::kAfrica;
  Entry c = Usd("c", EntryKind::kReceipt, "mex", 200, "2021-01-05");
  l.entries = {a, b, c};
  Report r = ComputeReport(l, Options(2021, "2021-12-31"));
  ASSERT_EQ(r.regions.size(), 3u);
  EXPECT_EQ(r.regions[0].region, ledger::Region::kAfrica);
  EXPECT_EQ(r.regions[1].region, ledger::Region::kNone);
}

TEST(Report, KnownAtHidesLaterRecords) {
  ledger::Ledger l = BaseLedger();
  Entry late = Usd("a", EntryKind::kReceipt, "mex", 100, "2021-01-05");
  late.recorded_at = ledger::StartOfDay(D("2021-07-02"));
  l.entries = {late};
  ReportOptions options = Options(2021, "2021-06-30");
  EXPECT_EQ(ComputeReport(l, options).income_vs_target[0].received_cents, 100);
  options.snapshot.known_at = ledger::EndOfDay(D("2021-06-30"));
  EXPECT_EQ(ComputeReport(l, options).income_vs_target[0].received_cents, 0);
}

// Any set of receipts, any subset of them reversed: the report counts
// exactly the cents of those not reversed, whatever the order.
RC_GTEST_PROP(ReportProperties, ReversalsCancelExactly, ()) {
  const auto amounts = *rc::gen::container<std::vector<int64_t>>(
      rc::gen::inRange<int64_t>(1, 1000000000000));
  ledger::Ledger l = BaseLedger();
  int64_t expected = 0;
  for (size_t i = 0; i < amounts.size(); ++i) {
    l.entries.push_back(Usd("r" + std::to_string(i), EntryKind::kReceipt, "mex", amounts[i], "2021-03-01"));
    if (*rc::gen::arbitrary<bool>()) {
      Entry reversal = Usd("v" + std::to_string(i), EntryKind::kReversal, "mex", amounts[i], "2021-04-01");
      reversal.reverses = "r" + std::to_string(i);
      l.entries.push_back(reversal);
    } else {
      expected += amounts[i];
    }
  }
  Report r = ComputeReport(l, Options(2021, "2021-12-31"));
  RC_ASSERT(r.income_vs_target[0].received_cents == expected);
  RC_ASSERT(r.concentration.total_cents == expected);
  // Before the reversals, everything counts.
  int64_t all = 0;
  for (int64_t a : amounts) all += a;
  RC_ASSERT(ComputeReport(l, Options(2021, "2021-03-31")).income_vs_target[0].received_cents == all);
}

// Splitting the money among funds, donors and regions never loses a cent:
// the parts add up to the whole in every breakdown.
RC_GTEST_PROP(ReportProperties, BreakdownsAddUpToTheWhole, ()) {
  const auto count = *rc::gen::inRange(0, 60);
  ledger::Ledger l = BaseLedger();
  const char* donors[] = {"mex", "chn", "eu", "gates"};
  const char* funds[] = {"core", "tc"};
  int64_t total = 0;
  for (int i = 0; i < count; ++i) {
    int64_t cents = *rc::gen::inRange<int64_t>(1, 10000000000);
    Entry e = Usd("r" + std::to_string(i), EntryKind::kReceipt, donors[*rc::gen::inRange(0, 4)], cents,
                  "2021-05-05", funds[*rc::gen::inRange(0, 2)]);
    e.region = static_cast<ledger::Region>(*rc::gen::inRange(0, 7));
    l.entries.push_back(e);
    total += cents;
  }
  Report r = ComputeReport(l, Options(2021, "2021-12-31"));
  int64_t by_fund = 0, by_region = 0, by_donor = 0;
  for (const auto& f : r.income_vs_target) by_fund += f.received_cents;
  for (const auto& g : r.regions) by_region += g.received_cents;
  for (const auto& f : r.top_contributors) {
    for (const auto& d : f.all_donors) by_donor += d.received_cents;
  }
  RC_ASSERT(by_fund == total);
  RC_ASSERT(by_region == total);
  RC_ASSERT(by_donor == total);  // 4 donors, all within the top 10
  RC_ASSERT(r.concentration.total_cents == total);
}

}  // namespace
}  // namespace rmis::analysis
