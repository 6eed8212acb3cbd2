// The report's figures (see report.h and docs/data-format.md).
#include "analysis/report.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <unordered_map>
#include <unordered_set>

#include "ledger/columns.h"
#include "money/money.h"

namespace rmis::analysis {
namespace {

__extension__ using Int128 = __int128;  // GCC's and Clang's 128-bit integer

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

// Sums by entry position for the few positions a report touches: an
// open-addressing table (linear probing), cleared by being made anew.
class PositionSums {
 public:
  void Add(int32_t position, int64_t amount) {
    if ((used_ + 1) * 2 > keys_.size()) Grow();
    size_t slot = Find(position);
    if (keys_[slot] == kEmpty) {
      keys_[slot] = position;
      ++used_;
    }
    values_[slot] += amount;
  }
  int64_t Get(int32_t position) const {
    if (used_ == 0) return 0;
    size_t slot = Find(position);
    return keys_[slot] == kEmpty ? 0 : values_[slot];
  }

 private:
  static constexpr int32_t kEmpty = -1;
  size_t Find(int32_t position) const {
    const size_t mask = keys_.size() - 1;
    size_t slot = (static_cast<uint64_t>(static_cast<uint32_t>(position)) * 0x9E3779B97F4A7C15ull >> 20) & mask;
    while (keys_[slot] != kEmpty && keys_[slot] != position) slot = (slot + 1) & mask;
    return slot;
  }
  void Grow() {
    std::vector<int32_t> keys = std::move(keys_);
    std::vector<int64_t> values = std::move(values_);
    const size_t capacity = keys.empty() ? 1024 : keys.size() * 2;
    keys_.assign(capacity, kEmpty);
    values_.assign(capacity, 0);
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == kEmpty) continue;
      size_t slot = Find(keys[i]);
      keys_[slot] = keys[i];
      values_[slot] = values[i];
    }
  }
  std::vector<int32_t> keys_;
  std::vector<int64_t> values_;
  size_t used_ = 0;
};

// Receipts per fund and donor, and whether any of them was prior-year money:
// one dense table while funds x donors is small, else a hash map per fund.
// A dense cell holds cents * 2 + the prior-year mark, so that one receipt
// touches one cache line (the table is larger than the CPU's caches on a
// ledger of 100,000 donors, and these look-ups are the report's main cost).
class DonorSums {
 public:
  DonorSums(size_t funds, size_t donors) : donors_(donors) {
    if (funds * donors <= kDenseLimit) {
      dense_.assign(funds * donors, 0);
    } else {
      sparse_.resize(funds);
    }
  }
  void Add(size_t fund, size_t donor, int64_t cents, bool prior) {
    if (sparse_.empty()) {
      int64_t& cell = dense_[fund * donors_ + donor];
      cell += cents * 2;
      cell |= static_cast<int64_t>(prior);
    } else {
      auto& value = sparse_[fund][static_cast<int32_t>(donor)];
      value.first += cents;
      value.second = value.second || prior;
    }
  }
  // Asks the CPU to bring the cell in ahead of Add.
  void Prefetch(size_t fund, size_t donor) const {
    if (sparse_.empty()) __builtin_prefetch(&dense_[fund * donors_ + donor], 1);
  }
  // visit(donor, cents, prior) for every donor with receipts to `fund`.
  template <typename Visit>
  void ForEach(size_t fund, Visit&& visit) const {
    if (sparse_.empty()) {
      const int64_t* row = dense_.data() + fund * donors_;
      for (size_t d = 0; d < donors_; ++d) {
        if (row[d] != 0) visit(d, row[d] >> 1, (row[d] & 1) != 0);
      }
    } else {
      for (const auto& [donor, value] : sparse_[fund]) visit(static_cast<size_t>(donor), value.first, value.second);
    }
  }

 private:
  static constexpr size_t kDenseLimit = size_t{1} << 21;
  size_t donors_;
  std::vector<int64_t> dense_;
  std::vector<std::unordered_map<int32_t, std::pair<int64_t, bool>>> sparse_;
};

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
  // Donor records by the columns' donor numbers.
  std::vector<const ledger::Donor*> donor_of(c.donors.size(), nullptr);
  for (size_t k = 0; k < ledger.donors.size(); ++k) {
    const ledger::Donor& d = ledger.donors[k];
    // A store interns the donors in their stored order first (then numbers
    // match and no hash lookup is needed); any other order is looked up.
    const bool same = k < c.donors.size() && c.donors.Name(static_cast<int32_t>(k)) == d.id;
    const int32_t number = same ? static_cast<int32_t>(k) : c.donors.Find(d.id);
    if (number >= 0) donor_of[static_cast<size_t>(number)] = &d;
  }

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
  // The positions to read: with the year index, the entries listed under the
  // year and those listed for every year; without it, all of them. Either way
  // ascending, and every entry that can change a figure of the year is in.
  const size_t n = c.size();
  const bool indexed = c.indexed();
  // visit(i) for every position of the union of two ascending lists, in order.
  auto merge = [](const std::vector<int32_t>& first, const std::vector<int32_t>& second, auto&& visit) {
    size_t a = 0, b = 0;
    while (a < first.size() || b < second.size()) {
      int32_t next;
      if (b == second.size() || (a < first.size() && first[a] < second[b])) {
        next = first[a++];
      } else if (a == first.size() || second[b] < first[a]) {
        next = second[b++];
      } else {
        next = first[a++];
        ++b;
      }
      visit(static_cast<size_t>(next));
    }
  };
  auto for_each = [&](auto&& visit) {
    if (!indexed) {
      for (size_t i = 0; i < n; ++i) visit(i);
    } else {
      merge(c.YearPositions(year), c.AlwaysPositions(), visit);
    }
  };
  // Only the entries that settle or reverse another (a subset of for_each's).
  auto for_each_link = [&](auto&& visit) {
    if (!indexed) {
      for (size_t i = 0; i < n; ++i) visit(i);
    } else {
      merge(c.YearLinkPositions(year), c.AlwaysLinkPositions(), visit);
    }
  };

  // The columns as plain pointers: the sums written below cannot alias them.
  const ledger::EntryKind* __restrict col_kind = c.kind.data();
  const ledger::Region* __restrict col_region = c.region.data();
  const ledger::Channel* __restrict col_channel = c.channel.data();
  const int32_t* __restrict col_donor = c.donor.data();
  const int32_t* __restrict col_fund = c.fund.data();
  const int32_t* __restrict col_appeal = c.appeal.data();
  const int32_t* __restrict col_event = c.event.data();
  const int32_t* __restrict col_settles = c.settles.data();
  const int32_t* __restrict col_reverses = c.reverses.data();
  const int32_t* __restrict col_value_day = c.value_day.data();
  const int32_t* __restrict col_attributed_year = c.attributed_year.data();
  const int32_t* __restrict col_probability_ppm = c.probability_ppm.data();
  const ledger::Instant* __restrict col_recorded_at = c.recorded_at.data();
  const int64_t* __restrict col_usd_cents = c.usd_cents.data();
  const int64_t* __restrict col_amount_minor = c.amount_minor.data();
  const int32_t as_of_day = as_of.days;
  const bool by_known = options.snapshot.known_at.has_value();
  const ledger::Instant known_at = by_known ? *options.snapshot.known_at : 0;
  auto in_snapshot = [&](size_t i) {
    return col_value_day[i] <= as_of_day && (!by_known || col_recorded_at[i] <= known_at);
  };
  // A reversal in the snapshot removes itself and the entry it reverses.
  // What receipts and write-offs settled against each entry, by position,
  // counts only those not reversed. One pass sums what every settling entry
  // in the snapshot paid and lists what the snapshot's reversals remove
  // (few: kept sorted); then what the removed ones paid is taken back.
  std::vector<int32_t> reversed;
  PositionSums settled;
  for_each_link([&](size_t i) {
    if (!in_snapshot(i)) return;
    if (col_kind[i] == EntryKind::kReversal) {
      if (col_reverses[i] >= 0) reversed.push_back(col_reverses[i]);
    } else if (col_settles[i] >= 0) {
      settled.Add(col_settles[i], col_amount_minor[i]);
    }
  });
  std::sort(reversed.begin(), reversed.end());
  reversed.erase(std::unique(reversed.begin(), reversed.end()), reversed.end());
  for (int32_t position : reversed) {
    const auto i = static_cast<size_t>(position);
    if (col_settles[i] >= 0 && col_kind[i] != EntryKind::kReversal && in_snapshot(i)) {
      settled.Add(col_settles[i], -col_amount_minor[i]);
    }
  }
  // Whether entry i counts; called with ascending positions in one pass, so
  // the removed ones are met in order.
  size_t next_reversed = 0;
  auto live = [&](size_t i) {
    while (next_reversed < reversed.size() && static_cast<size_t>(reversed[next_reversed]) < i) ++next_reversed;
    if (next_reversed < reversed.size() && static_cast<size_t>(reversed[next_reversed]) == i) return false;
    return col_kind[i] != EntryKind::kReversal && in_snapshot(i);
  };
  auto settled_on = [&](size_t i) { return settled.Get(static_cast<int32_t>(i)); };

  // --- One pass over the live entries. -------------------------------------
  struct FundSums {
    int64_t received = 0, prior = 0;
    int64_t forecast_received = 0, pledged = 0, expected = 0, expected_unweighted = 0;
  };
  std::vector<FundSums> sums(c.funds.size());
  DonorSums by_fund_donor(c.funds.size(), c.donors.size());
  std::array<int64_t, 16> by_region{};
  std::array<bool, 16> region_seen{};
  // Per appeal, by channel: the three receipt channels, then open pledges.
  constexpr size_t kNewPledge = 4;
  std::vector<std::array<int64_t, 5>> appeal_channels(c.appeals.size());
  struct EventSums {
    int64_t pledged = 0;
    std::array<int64_t, 3> by_category{};  // by ledger::FundCategory
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

  // Rows of a year lie close together (a ledger is stored roughly in date
  // order): the donor cell of the row a few places on is fetched ahead.
  constexpr size_t kAhead = 8;
  for_each([&](size_t i) {
    if (i + kAhead < n) {
      by_fund_donor.Prefetch(static_cast<size_t>(col_fund[i + kAhead]), static_cast<size_t>(col_donor[i + kAhead]));
    }
    if (!live(i)) return;
    const auto fund_number = static_cast<size_t>(col_fund[i]);
    FundSums& fund = sums[fund_number];
    const bool in_year = col_value_day[i] >= year_first && col_value_day[i] <= year_last;
    const int attributed = col_attributed_year[i];
    if (in_year || attributed == year) report.has_data = true;
    const int64_t usd = col_usd_cents[i];
    switch (col_kind[i]) {
      case EntryKind::kReceipt: {
        if (in_year) {
          bool prior = attributed < year;
          fund.received += usd;
          if (prior) fund.prior += usd;
          by_fund_donor.Add(fund_number, static_cast<size_t>(col_donor[i]), usd, prior);
          const auto region = static_cast<size_t>(col_region[i]) & 15;
          by_region[region] += usd;
          region_seen[region] = true;
        }
        if (attributed == year) fund.forecast_received += usd;
        if (col_appeal[i] >= 0) {
          ledger::Channel channel =
              col_channel[i] == ledger::Channel::kNone ? ledger::Channel::kNewContribution : col_channel[i];
          appeal_channels[static_cast<size_t>(col_appeal[i])][static_cast<size_t>(channel)] += usd;
        }
        break;
      }
      case EntryKind::kPledge: {
        const bool needs_open = attributed == year || col_appeal[i] >= 0;
        int64_t open = needs_open ? OpenCents(c, i, settled_on(i)) : 0;
        if (attributed == year) fund.pledged += open;
        if (col_appeal[i] >= 0 && open > 0) appeal_channels[static_cast<size_t>(col_appeal[i])][kNewPledge] += open;
        if (col_event[i] >= 0) {
          EventSums& event = event_sums[static_cast<size_t>(col_event[i])];
          event.pledged += usd;
          if (const ledger::Fund* f = fund_of[fund_number]) {
            event.by_category[static_cast<size_t>(f->category)] += usd;
          }
        }
        break;
      }
      case EntryKind::kExpected: {
        if (attributed == year) {
          int64_t open = OpenCents(c, i, settled_on(i));
          fund.expected_unweighted += open;
          int32_t ppm = col_probability_ppm[i] >= 0 ? col_probability_ppm[i] : 1000000;
          fund.expected += Proportion(open, ppm, 1000000);
        }
        break;
      }
      case EntryKind::kWriteOff:
      case EntryKind::kReversal:
        break;
    }
  });

  // --- Income against target, forecast, rankings per fund. ---------------
  auto rank = [&](size_t fund_number, bool member_states_only) {
    struct Candidate {
      int64_t cents;
      bool prior;
      const ledger::Donor* donor;
    };
    std::vector<Candidate> candidates;
    by_fund_donor.ForEach(fund_number, [&](size_t number, int64_t cents, bool prior) {
      if (cents <= 0) return;
      const ledger::Donor* d = donor_of[number];
      if (d == nullptr) return;
      if (member_states_only && !ledger::InMemberStateTable(d->type)) return;
      candidates.push_back(Candidate{cents, prior, d});
    });
    const size_t keep = std::min(candidates.size(), static_cast<size_t>(std::max(options.top_n, 0)));
    std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(keep), candidates.end(),
                      [](const Candidate& a, const Candidate& b) {
                        if (a.cents != b.cents) return a.cents > b.cents;
                        return a.donor->name < b.donor->name;
                      });
    std::vector<RankedDonor> list;
    list.reserve(keep);
    for (size_t i = 0; i < keep; ++i) {
      const ledger::Donor& d = *candidates[i].donor;
      list.push_back(RankedDonor{static_cast<int>(i + 1), d.id, d.name, d.type, candidates[i].cents,
                                 candidates[i].prior, ledger::InMemberStateTable(d.type)});
    }
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

    if (number >= 0) {
      report.top_contributors.push_back(FundRanking{f->id, f->name, rank(static_cast<size_t>(number), true),
                                                    rank(static_cast<size_t>(number), false)});
    } else {
      report.top_contributors.push_back(FundRanking{f->id, f->name, {}, {}});
    }
  }

  // --- Regions, largest first. --------------------------------------------
  for (size_t region = 0; region < by_region.size(); ++region) {
    if (!region_seen[region]) continue;
    report.regions.push_back(RegionIncome{static_cast<ledger::Region>(region), by_region[region]});
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
      const EventSums& sums_of_event = event_sums[static_cast<size_t>(number)];
      pledges.pledged_cents = sums_of_event.pledged;
      for (auto category : {ledger::FundCategory::kCore, ledger::FundCategory::kEarmarked,
                            ledger::FundCategory::kTechnicalCooperation}) {
        int64_t cents = sums_of_event.by_category[static_cast<size_t>(category)];
        if (cents != 0) pledges.by_category[std::string(ledger::Name(category))] = cents;
      }
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
  // The HHI is summed exactly (squares of cents in 128 bits) and divided
  // once, so it does not depend on the order of the donors.
  std::vector<int64_t> by_donor_all(c.donors.size());
  for (size_t f = 0; f < c.funds.size(); ++f) {
    by_fund_donor.ForEach(f, [&](size_t number, int64_t cents, bool) { by_donor_all[number] += cents; });
  }
  std::vector<int64_t> amounts;
  for (int64_t cents : by_donor_all) {
    if (cents > 0) amounts.push_back(cents);
  }
  Concentration& concentration = report.concentration;
  concentration.top_n = options.top_n;
  concentration.donors = static_cast<int>(amounts.size());
  const size_t top = std::min(amounts.size(), static_cast<size_t>(std::max(options.top_n, 0)));
  std::nth_element(amounts.begin(), amounts.begin() + static_cast<std::ptrdiff_t>(top), amounts.end(),
                   std::greater<>());
  Int128 squares = 0;
  for (size_t i = 0; i < amounts.size(); ++i) {
    concentration.total_cents += amounts[i];
    if (i < top) concentration.top_cents += amounts[i];
    squares += static_cast<Int128>(amounts[i]) * amounts[i];
  }
  if (concentration.total_cents > 0) {
    concentration.top_share = Divide(concentration.top_cents, concentration.total_cents);
    const double total = static_cast<double>(concentration.total_cents);
    concentration.hhi = static_cast<double>(squares) / (total * total);
  }
  return report;
}

}  // namespace rmis::analysis
