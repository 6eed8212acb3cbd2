// The report's figures (see report.h and docs/data-format.md).
#include "analysis/report.h"

#include <algorithm>
#include <array>
#include <unordered_map>
#include <unordered_set>

#include "ledger/columns.h"
#include "money/money.h"

namespace rmis::analysis {
namespace {

using ledger::Entry;
using ledger::EntryKind;

Share Divide(int64_t part, int64_t whole) {
  if (whole <= 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

// round_half_even(value * part / whole); the rule for a part of an entry's
// USD value (docs/data-format.md, "Money").
int64_t Proportion(int64_t value, int64_t part, int64_t whole) {
  if (whole <= 0) return 0;
  auto result = money::MulDivHalfEven(value, part, whole);
  return result ? *result : 0;
}

// The open part of a pledge or expectation at position `i` in USD, given
// what was settled against it (in its own minor units).
int64_t OpenCents(const ledger::EntryColumns& c, size_t i, int64_t settled) {
  int64_t open = c.amount_minor[i] - settled;
  if (open <= 0) return 0;
  return Proportion(c.usd_cents[i], open, c.amount_minor[i]);
}

int CategoryOrder(ledger::FundCategory category) { return static_cast<int>(category); }

}  // namespace

const char* Name(Basis basis) { return basis == Basis::kGross ? "gross" : "net"; }

bool InSnapshot(const Entry& entry, const Snapshot& snapshot) {
  if (entry.value_date > snapshot.as_of) return false;
  if (snapshot.known_at && entry.recorded_at > *snapshot.known_at) return false;
  return true;
}

Report ComputeReport(const ledger::Ledger& ledger, const ReportOptions& options) {
  return ComputeReport(ledger, ledger::ToColumns(ledger.entries), options);
}

Report ComputeReport(const ledger::Ledger& ledger, const ledger::EntryColumns& c, const ReportOptions& options) {
  Report report;
  report.year = options.year;
  report.snapshot = options.snapshot;
  report.basis = options.basis;
  const int year = options.year;
  const ledger::Date as_of = options.snapshot.as_of;

  std::unordered_map<std::string, const ledger::Fund*> funds;
  std::vector<const ledger::Fund*> fund_order;
  for (const auto& f : ledger.funds) {
    funds.emplace(f.id, &f);
    fund_order.push_back(&f);
  }
  std::stable_sort(fund_order.begin(), fund_order.end(), [](const auto* a, const auto* b) {
    return CategoryOrder(a->category) < CategoryOrder(b->category);
  });
  std::unordered_map<std::string, const ledger::Donor*> donors;
  for (const auto& d : ledger.donors) donors.emplace(d.id, &d);

  // --- Targets: the annual target in force per fund, and the history. ----
  std::unordered_map<std::string, const ledger::Target*> annual;
  std::vector<const ledger::Target*> covering;
  for (const auto& t : ledger.targets) {
    if (t.decided_on > as_of || t.year_from > year || t.year_to < year) continue;
    covering.push_back(&t);
    if (t.year_from == year && t.year_to == year) {
      const ledger::Target*& current = annual[t.fund];
      if (current == nullptr || current->decided_on < t.decided_on) current = &t;
    }
  }
  std::stable_sort(covering.begin(), covering.end(), [&](const auto* a, const auto* b) {
    auto key = [&](const ledger::Target* t) {
      auto it = funds.find(t->fund);
      int category = it == funds.end() ? 9 : CategoryOrder(it->second->category);
      return std::make_tuple(category, t->fund, t->year_from, t->year_to, t->decided_on);
    };
    return key(a) < key(b);
  });
  for (size_t i = 0; i < covering.size(); ++i) {
    const ledger::Target& t = *covering[i];
    TargetRevision revision{t.fund, t.year_from, t.year_to, t.amount_cents, std::nullopt,
                            t.decided_on, t.note, true};
    if (i > 0) {
      const ledger::Target& before = *covering[i - 1];
      if (before.fund == t.fund && before.year_from == t.year_from && before.year_to == t.year_to) {
        revision.previous_cents = before.amount_cents;
        report.target_history.back().in_force = false;
      }
    }
    report.target_history.push_back(revision);
  }
  auto target_of = [&](const std::string& fund) -> std::optional<int64_t> {
    auto it = annual.find(fund);
    if (it == annual.end()) return std::nullopt;
    return it->second->amount_cents;
  };

  // --- The snapshot: which entries count. -----------------------------------
  const size_t n = c.size();
  const int32_t as_of_day = as_of.days;
  const bool by_known = options.snapshot.known_at.has_value();
  const ledger::Instant known_at = by_known ? *options.snapshot.known_at : 0;
  auto in_snapshot = [&](size_t i) {
    return c.value_day[i] <= as_of_day && (!by_known || c.recorded_at[i] <= known_at);
  };
  // A reversal in the snapshot removes itself and the entry it reverses.
  std::vector<uint8_t> live(n);
  for (size_t i = 0; i < n; ++i) live[i] = c.kind[i] != EntryKind::kReversal && in_snapshot(i);
  for (size_t i = 0; i < n; ++i) {
    if (c.kind[i] == EntryKind::kReversal && c.reverses[i] >= 0 && in_snapshot(i)) {
      live[static_cast<size_t>(c.reverses[i])] = false;
    }
  }
  // What live receipts and write-offs settled against each entry, by position.
  std::vector<int64_t> settled(n);
  for (size_t i = 0; i < n; ++i) {
    if (live[i] && c.settles[i] >= 0) settled[static_cast<size_t>(c.settles[i])] += c.amount_minor[i];
  }
  auto settled_on = [&](size_t i) { return settled[i]; };

  // --- One pass over the live entries. -------------------------------------
  struct FundSums {
    int64_t received = 0, prior = 0;
    int64_t forecast_received = 0, pledged = 0, expected = 0, expected_unweighted = 0;
    std::unordered_map<int32_t, std::pair<int64_t, bool>> by_donor;  // cents, prior-year
  };
  std::vector<FundSums> sums(c.funds.size());
  std::unordered_map<int, int64_t> by_region;
  std::vector<int64_t> by_donor_all(c.donors.size());
  // Per appeal, by channel: the three receipt channels, then open pledges.
  constexpr size_t kNewPledge = 4;
  std::vector<std::array<int64_t, 5>> appeal_channels(c.appeals.size());
  struct EventSums {
    int64_t pledged = 0;
    std::map<std::string, int64_t> by_category;
  };
  std::vector<EventSums> event_sums(c.events.size());
  // Fund categories by the columns' fund numbers.
  std::vector<const ledger::Fund*> fund_of(c.funds.size(), nullptr);
  for (size_t f = 0; f < c.funds.size(); ++f) {
    auto it = funds.find(c.funds.Name(static_cast<int32_t>(f)));
    if (it != funds.end()) fund_of[f] = it->second;
  }
  const int32_t year_first = ledger::MakeDate(year, 1, 1).days;
  const int32_t year_last = ledger::EndOfYear(year).days;

  for (size_t i = 0; i < n; ++i) {
    if (!live[i]) continue;
    FundSums& fund = sums[static_cast<size_t>(c.fund[i])];
    const bool in_year = c.value_day[i] >= year_first && c.value_day[i] <= year_last;
    const int attributed = c.attributed_year[i];
    if (in_year || attributed == year) report.has_data = true;
    const int64_t usd = c.usd_cents[i];
    switch (c.kind[i]) {
      case EntryKind::kReceipt: {
        if (in_year) {
          bool prior = attributed < year;
          fund.received += usd;
          if (prior) fund.prior += usd;
          auto& donor = fund.by_donor[c.donor[i]];
          donor.first += usd;
          donor.second = donor.second || prior;
          by_region[static_cast<int>(c.region[i])] += usd;
          by_donor_all[static_cast<size_t>(c.donor[i])] += usd;
        }
        if (attributed == year) fund.forecast_received += usd;
        if (c.appeal[i] >= 0) {
          ledger::Channel channel =
              c.channel[i] == ledger::Channel::kNone ? ledger::Channel::kNewContribution : c.channel[i];
          appeal_channels[static_cast<size_t>(c.appeal[i])][static_cast<size_t>(channel)] += usd;
        }
        break;
      }
      case EntryKind::kPledge: {
        int64_t open = OpenCents(c, i, settled_on(i));
        if (attributed == year) fund.pledged += open;
        if (c.appeal[i] >= 0 && open > 0) appeal_channels[static_cast<size_t>(c.appeal[i])][kNewPledge] += open;
        if (c.event[i] >= 0) {
          EventSums& event = event_sums[static_cast<size_t>(c.event[i])];
          event.pledged += usd;
          if (const ledger::Fund* f = fund_of[static_cast<size_t>(c.fund[i])]) {
            event.by_category[std::string(ledger::Name(f->category))] += usd;
          }
        }
        break;
      }
      case EntryKind::kExpected: {
        if (attributed == year) {
          int64_t open = OpenCents(c, i, settled_on(i));
          fund.expected_unweighted += open;
          int32_t ppm = c.probability_ppm[i] >= 0 ? c.probability_ppm[i] : 1000000;
          fund.expected += Proportion(open, ppm, 1000000);
        }
        break;
      }
      case EntryKind::kWriteOff:
      case EntryKind::kReversal:
        break;
    }
  }

  // --- Income against target, forecast, rankings per fund. ---------------
  auto rank = [&](const std::unordered_map<int32_t, std::pair<int64_t, bool>>& by_donor,
                  bool member_states_only) {
    std::vector<RankedDonor> list;
    for (const auto& [number, value] : by_donor) {
      auto it = donors.find(c.donors.Name(number));
      if (it == donors.end()) continue;
      const ledger::Donor& d = *it->second;
      bool member_state = ledger::InMemberStateTable(d.type);
      if (member_states_only && !member_state) continue;
      if (value.first <= 0) continue;
      list.push_back(RankedDonor{0, d.id, d.name, d.type, value.first, value.second, member_state});
    }
    std::sort(list.begin(), list.end(), [](const RankedDonor& a, const RankedDonor& b) {
      if (a.received_cents != b.received_cents) return a.received_cents > b.received_cents;
      return a.donor_name < b.donor_name;
    });
    if (list.size() > static_cast<size_t>(options.top_n)) list.resize(options.top_n);
    for (size_t i = 0; i < list.size(); ++i) list[i].rank = static_cast<int>(i + 1);
    return list;
  };

  const FundSums no_sums;
  for (const ledger::Fund* f : fund_order) {
    int32_t number = c.funds.Find(f->id);
    const FundSums& s = number >= 0 ? sums[static_cast<size_t>(number)] : no_sums;
    FundIncome income;
    income.fund = f->id;
    income.fund_name = f->name;
    income.category = f->category;
    income.received_cents = s.received;
    income.prior_year_cents = s.prior;
    income.net_cents = s.received - s.prior;
    income.target_cents = target_of(f->id);
    if (income.target_cents) {
      income.share_gross = Divide(income.received_cents, *income.target_cents);
      income.share_net = Divide(income.net_cents, *income.target_cents);
      income.share = options.basis == Basis::kGross ? income.share_gross : income.share_net;
    }
    report.income_vs_target.push_back(income);

    FundForecast forecast;
    forecast.fund = f->id;
    forecast.fund_name = f->name;
    forecast.received_cents = s.forecast_received;
    forecast.pledged_cents = s.pledged;
    forecast.expected_cents = s.expected;
    forecast.expected_unweighted_cents = s.expected_unweighted;
    forecast.total_cents = s.forecast_received + s.pledged + s.expected;
    forecast.target_cents = income.target_cents;
    report.forecast.push_back(forecast);

    report.top_contributors.push_back(
        FundRanking{f->id, f->name, rank(s.by_donor, true), rank(s.by_donor, false)});
  }

  // --- Regions, largest first. --------------------------------------------
  for (const auto& [region, cents] : by_region) {
    report.regions.push_back(RegionIncome{static_cast<ledger::Region>(region), cents});
  }
  std::sort(report.regions.begin(), report.regions.end(), [](const auto& a, const auto& b) {
    if (a.received_cents != b.received_cents) return a.received_cents > b.received_cents;
    return a.region < b.region;
  });

  // --- Appeals launched by the as-of date. --------------------------------
  for (const auto& a : ledger.appeals) {
    if (a.launched_on > as_of) continue;
    AppealCoverage coverage;
    if (int32_t number = c.appeals.Find(a.id); number >= 0) {
      const auto& channels = appeal_channels[static_cast<size_t>(number)];
      for (auto channel : {ledger::Channel::kNewContribution, ledger::Channel::kReprogrammed,
                           ledger::Channel::kInternalEmergencyFund}) {
        coverage.by_channel[std::string(ledger::Name(channel))] = channels[static_cast<size_t>(channel)];
      }
      coverage.by_channel["new_pledge"] = channels[kNewPledge];
    }
    coverage.appeal = a.id;
    coverage.name = a.name;
    coverage.countries = a.countries;
    coverage.launched_on = a.launched_on;
    coverage.requirement_cents = a.requirement_cents;
    for (const char* channel :
         {"new_contribution", "reprogrammed", "internal_emergency_fund", "new_pledge"}) {
      coverage.mobilized_cents += coverage.by_channel[channel];
    }
    coverage.gap_cents = std::max<int64_t>(0, a.requirement_cents - coverage.mobilized_cents);
    coverage.coverage = Divide(coverage.mobilized_cents, a.requirement_cents);
    report.appeals.push_back(std::move(coverage));
  }

  // --- Pledging events held in the year. -----------------------------------
  for (const auto& ev : ledger.events) {
    if (ledger::YearOf(ev.held_on) != year || ev.held_on > as_of) continue;
    EventPledges pledges;
    if (int32_t number = c.events.Find(ev.id); number >= 0) {
      pledges.pledged_cents = event_sums[static_cast<size_t>(number)].pledged;
      pledges.by_category = event_sums[static_cast<size_t>(number)].by_category;
    }
    pledges.event = ev.id;
    pledges.name = ev.name;
    pledges.held_on = ev.held_on;
    for (const char* category : {"core", "earmarked", "technical_cooperation"}) {
      pledges.by_category[category] += 0;
    }
    report.events.push_back(std::move(pledges));
  }

  // --- Concentration of the donor base. -------------------------------------
  std::vector<int64_t> amounts;
  for (int64_t cents : by_donor_all) {
    if (cents > 0) amounts.push_back(cents);
  }
  std::sort(amounts.rbegin(), amounts.rend());
  Concentration& c = report.concentration;
  c.top_n = options.top_n;
  c.donors = static_cast<int>(amounts.size());
  for (size_t i = 0; i < amounts.size(); ++i) {
    c.total_cents += amounts[i];
    if (i < static_cast<size_t>(options.top_n)) c.top_cents += amounts[i];
  }
  if (c.total_cents > 0) {
    c.top_share = Divide(c.top_cents, c.total_cents);
    double hhi = 0;
    for (int64_t amount : amounts) {
      double share = static_cast<double>(amount) / static_cast<double>(c.total_cents);
      hhi += share * share;
    }
    c.hhi = hhi;
  }
  return report;
}

}  // namespace rmis::analysis
