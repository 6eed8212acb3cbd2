// The report's figures (see report.h and docs/data-format.md).
#include "analysis/report.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <iterator>
#include <limits>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "base/radix_sort.h"
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
  if (int64_t result = 0; money::MulDivHalfEven64(value, part, whole, result)) return result;
  auto result = money::MulDivHalfEven(value, part, whole);
  return result ? *result : 0;
}

int CategoryOrder(ledger::FundCategory category) { return static_cast<int>(category); }

// What was settled against each entry, by position: amounts added (in order
// of position when they come from a plan's links, else sorted once by
// radix) and read back by a cursor, since the main pass meets the positions
// in ascending order. (A hash table by position was a fifth of the report's
// time on 10 million entries: every look-up a cache miss.)
class PositionSums {
  struct Item {
    int32_t position;
    int64_t amount;
  };

 public:
  void Reserve(size_t count) { items_.reserve(count); }
  void Add(int32_t position, int64_t amount) { items_.push_back(Item{position, amount}); }
  // Sorts by position and adds up the amounts of each.
  void Seal() {
    if (items_.empty()) return;
    const bool in_order = std::is_sorted(items_.begin(), items_.end(),
                                         [](const Item& a, const Item& b) { return a.position < b.position; });
    if (!in_order) Sort();
    size_t out = 0;
    for (size_t k = 0; k < items_.size(); ++k) {
      if (out > 0 && items_[out - 1].position == items_[k].position) {
        items_[out - 1].amount += items_[k].amount;
      } else {
        items_[out++] = items_[k];
      }
    }
    items_.resize(out);
  }
  // Reads the sums in ascending position (after Seal).
  class Cursor {
   public:
    Cursor() = default;
    Cursor(const PositionSums& sums, int32_t from)
        : items_(&sums.items_),
          next_(static_cast<size_t>(
              std::lower_bound(items_->begin(), items_->end(), from,
                               [](const Item& item, int32_t position) { return item.position < position; }) -
              items_->begin())) {}
    // What was settled against `position`; positions asked must not go down.
    int64_t Get(int32_t position) {
      const std::vector<Item>& items = *items_;
      while (next_ < items.size() && items[next_].position < position) ++next_;
      return next_ < items.size() && items[next_].position == position ? items[next_].amount : 0;
    }

   private:
    const std::vector<Item>* items_ = nullptr;
    size_t next_ = 0;
  };

 private:
  void Sort() {
    base::RadixSort(items_, [](const Item& item) { return item.position; });
  }

  std::vector<Item> items_;
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
  // Adds another table of the same shape into this one: the dense cells
  // [begin, end) (a fraction of them, so that two threads can share the
  // work), and all of a sparse table when `begin` is 0.
  void Add(const DonorSums& other, double begin = 0, double end = 1) {
    if (sparse_.empty()) {
      const auto from = static_cast<size_t>(static_cast<double>(dense_.size()) * begin);
      const auto to = end >= 1 ? dense_.size() : static_cast<size_t>(static_cast<double>(dense_.size()) * end);
      for (size_t k = from; k < to; ++k) {
        const int64_t cell = other.dense_[k];
        if (cell == 0) continue;
        int64_t& mine = dense_[k];
        mine = ((mine >> 1) + (cell >> 1)) * 2 | ((mine | cell) & 1);
      }
    } else if (begin == 0) {
      for (size_t f = 0; f < sparse_.size(); ++f) {
        for (const auto& [donor, value] : other.sparse_[f]) {
          auto& mine = sparse_[f][donor];
          mine.first += value.first;
          mine.second = mine.second || value.second;
        }
      }
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

struct FundSums {
  int64_t received = 0, prior = 0;
  int64_t forecast_received = 0, pledged = 0, expected = 0, expected_unweighted = 0;
  void Add(const FundSums& o) {
    received += o.received;
    prior += o.prior;
    forecast_received += o.forecast_received;
    pledged += o.pledged;
    expected += o.expected;
    expected_unweighted += o.expected_unweighted;
  }
};

struct EventSums {
  int64_t pledged = 0;
  std::array<int64_t, 3> by_category{};  // by ledger::FundCategory
};

// Per appeal, by channel: the three receipt channels, then open pledges.
constexpr size_t kNewPledge = 4;
using AppealSums = std::array<int64_t, 5>;

// What one pass adds up; a report made on two threads adds two of these.
struct Sums {
  explicit Sums(const ledger::EntryColumns& c)
      : funds(c.funds.size()),
        by_fund_donor(c.funds.size(), c.donors.size()),
        appeal_channels(c.appeals.size()),
        event_sums(c.events.size()) {}
  // Adds `other` in, all but the donor table (by_fund_donor.Add, which two
  // threads share).
  void Add(const Sums& other) {
    for (size_t f = 0; f < funds.size(); ++f) funds[f].Add(other.funds[f]);
    for (size_t r = 0; r < by_region.size(); ++r) {
      by_region[r] += other.by_region[r];
      region_seen[r] = region_seen[r] || other.region_seen[r];
    }
    for (size_t a = 0; a < appeal_channels.size(); ++a) {
      for (size_t k = 0; k < appeal_channels[a].size(); ++k) appeal_channels[a][k] += other.appeal_channels[a][k];
    }
    for (size_t e = 0; e < event_sums.size(); ++e) {
      event_sums[e].pledged += other.event_sums[e].pledged;
      for (size_t k = 0; k < 3; ++k) event_sums[e].by_category[k] += other.event_sums[e].by_category[k];
    }
    has_data = has_data || other.has_data;
  }

  std::vector<FundSums> funds;
  DonorSums by_fund_donor;
  std::array<int64_t, 16> by_region{};
  std::array<bool, 16> region_seen{};
  std::vector<AppealSums> appeal_channels;
  std::vector<EventSums> event_sums;
  bool has_data = false;
};

// The columns as plain pointers: the sums written by a pass cannot alias
// them.
struct Columns {
  explicit Columns(const ledger::EntryColumns& c)
      : kind(c.kind.data()),
        region(c.region.data()),
        channel(c.channel.data()),
        donor(c.donor.data()),
        fund(c.fund.data()),
        appeal(c.appeal.data()),
        event(c.event.data()),
        settles(c.settles.data()),
        reverses(c.reverses.data()),
        value_day(c.value_day.data()),
        attributed_year(c.attributed_year.data()),
        probability_ppm(c.probability_ppm.data()),
        recorded_at(c.recorded_at.data()),
        usd_cents(c.usd_cents.data()),
        amount_minor(c.amount_minor.data()) {}
  const EntryKind* __restrict kind;
  const ledger::Region* __restrict region;
  const ledger::Channel* __restrict channel;
  const int32_t* __restrict donor;
  const int32_t* __restrict fund;
  const int32_t* __restrict appeal;
  const int32_t* __restrict event;
  const int32_t* __restrict settles;
  const int32_t* __restrict reverses;
  const int32_t* __restrict value_day;
  const int32_t* __restrict attributed_year;
  const int32_t* __restrict probability_ppm;
  const ledger::Instant* __restrict recorded_at;
  const int64_t* __restrict usd_cents;
  const int64_t* __restrict amount_minor;
};

// One entry as the passes see it: read from the columns at a position...
struct ColumnEntry {
  const Columns& c;
  size_t i;
  int32_t position() const { return static_cast<int32_t>(i); }
  EntryKind kind() const { return c.kind[i]; }
  ledger::Region region() const { return c.region[i]; }
  ledger::Channel channel() const { return c.channel[i]; }
  int32_t donor() const { return c.donor[i]; }
  int32_t fund() const { return c.fund[i]; }
  int32_t appeal() const { return c.appeal[i]; }
  int32_t event() const { return c.event[i]; }
  int32_t settles() const { return c.settles[i]; }
  int32_t reverses() const { return c.reverses[i]; }
  int32_t value_day() const { return c.value_day[i]; }
  int32_t attributed_year() const { return c.attributed_year[i]; }
  int32_t probability_ppm() const { return c.probability_ppm[i]; }
  ledger::Instant recorded_at() const { return c.recorded_at[i]; }
  int64_t usd_cents() const { return c.usd_cents[i]; }
  int64_t amount_minor() const { return c.amount_minor[i]; }
};

// ... or from a row copied out of them (EntryColumns::AlwaysRows).
struct RowEntry {
  const ledger::ReportRow& r;
  int32_t position() const { return r.position; }
  EntryKind kind() const { return r.kind; }
  ledger::Region region() const { return r.region; }
  ledger::Channel channel() const { return r.channel; }
  int32_t donor() const { return r.donor; }
  int32_t fund() const { return r.fund; }
  int32_t appeal() const { return r.appeal; }
  int32_t event() const { return r.event; }
  int32_t value_day() const { return r.value_day; }
  int32_t attributed_year() const { return r.attributed_year; }
  int32_t probability_ppm() const { return r.probability_ppm; }
  ledger::Instant recorded_at() const { return r.recorded_at; }
  int64_t usd_cents() const { return r.usd_cents; }
  int64_t amount_minor() const { return r.amount_minor; }
};

// Whether an entry is in the snapshot (value date and, if given, known-at).
struct SnapshotTest {
  int32_t as_of_day;
  bool by_known;
  ledger::Instant known_at;
  bool Contains(int32_t value_day, ledger::Instant recorded_at) const {
    return value_day <= as_of_day && (!by_known || recorded_at <= known_at);
  }
  template <typename E>
  bool Contains(const E& e) const {
    return e.value_day() <= as_of_day && (!by_known || e.recorded_at() <= known_at);
  }
};

constexpr int32_t kEnd = std::numeric_limits<int32_t>::max();

// The part of a plan's entries one thread reads: the runs' positions in
// [from, to), the rows [row_begin, row_end), and whether the entries
// appended since the plan was made.
struct ThreadShare {
  int32_t from = 0, to = kEnd;
  size_t row_begin = 0, row_end = 0;
  bool appended = false;
};

// visit(entry) for every entry of a share, in three parts: its runs, its
// rows, the entries appended since (`appended`); each ascending, and
// start(position) is called before each with its first position. ahead(fund,
// donor) is told of an entry kAhead places on, to fetch what its visit will
// need. Entries with a value date after `last_day` are not in the snapshot:
// the blocks of a run or of the rows whose earliest date is later are
// skipped whole (a plan without blocks skips none).
constexpr int32_t kAhead = 8;
template <typename Start, typename Visit, typename Ahead>
void ForShare(const ledger::ReportPlan& plan, const std::vector<int32_t>& appended, const Columns& c,
              const ThreadShare& share, int32_t last_day, Start&& start, Visit&& visit, Ahead&& ahead) {
  const auto& runs = plan.runs;
  auto run = std::partition_point(runs.begin(), runs.end(), [&](const auto& r) { return r.end <= share.from; });
  bool started = false;
  for (; run != runs.end() && run->begin < share.to; ++run) {
    const int32_t begin = std::max(run->begin, share.from), end = std::min(run->end, share.to);
    for (int32_t block = run->begin + (std::max(begin - run->begin, 0) / ledger::ReportPlan::kBlock) *
                                          ledger::ReportPlan::kBlock;
         block < end; block += ledger::ReportPlan::kBlock) {
      const size_t number = run->first_block + static_cast<size_t>((block - run->begin) / ledger::ReportPlan::kBlock);
      if (!plan.block_first_day.empty() && plan.block_first_day[number] > last_day) continue;
      const int32_t from = std::max(block, begin), to = std::min(block + ledger::ReportPlan::kBlock, end);
      if (!started) {
        start(from);
        started = true;
      }
      for (int32_t i = from; i < to; ++i) {
        if (i + kAhead < to) ahead(c.fund[i + kAhead], c.donor[i + kAhead]);
        visit(ColumnEntry{c, static_cast<size_t>(i)});
      }
    }
  }
  if (share.row_begin < share.row_end) {
    const auto& rows = plan.rows;
    start(rows[share.row_begin].position);
    constexpr auto kBlock = static_cast<size_t>(ledger::ReportPlan::kBlock);
    for (size_t block = share.row_begin / kBlock * kBlock; block < share.row_end; block += kBlock) {
      if (!plan.row_block_first_day.empty() && plan.row_block_first_day[block / kBlock] > last_day) continue;
      const size_t from = std::max(block, share.row_begin), to = std::min(block + kBlock, share.row_end);
      for (size_t k = from; k < to; ++k) {
        if (k + kAhead < to) ahead(rows[k + kAhead].fund, rows[k + kAhead].donor);
        visit(RowEntry{rows[k]});
      }
    }
  }
  if (share.appended && !appended.empty()) {
    start(appended.front());
    for (int32_t position : appended) visit(ColumnEntry{c, static_cast<size_t>(position)});
  }
}

// What every part of the main pass reads.
struct ScanContext {
  int year;
  int32_t year_first, year_last;  // day numbers
  SnapshotTest snapshot;
  const std::vector<int32_t>& reversed;  // ascending
  std::array<const PositionSums*, 4> settled;  // what was settled, in parts to add up
  const Columns& columns;
  const std::vector<const ledger::Fund*>& fund_of;  // by the columns' fund numbers
};

// The open part of a pledge or expectation in USD, given what was settled
// against it (in its own minor units).
template <typename E>
int64_t OpenCents(const E& e, int64_t settled) {
  if (settled == 0 && e.amount_minor() > 0) return e.usd_cents();
  int64_t open = e.amount_minor() - settled;
  if (open <= 0) return 0;
  return Proportion(e.usd_cents(), open, e.amount_minor());
}

// The main pass over one thread's share of the plan: every live entry's
// part of the figures, added into `sums`.
void ScanLive(const ScanContext& x, const ledger::ReportPlan& plan, const std::vector<int32_t>& appended,
              const ThreadShare& share, Sums& sums) {
  const std::vector<int32_t>& reversed = x.reversed;
  // Cursors into what was reversed and what was settled, set at the start of
  // each ascending part of the share.
  size_t next_reversed = 0;
  std::array<PositionSums::Cursor, 4> settled_parts;
  auto start = [&](int32_t first) {
    next_reversed = static_cast<size_t>(std::lower_bound(reversed.begin(), reversed.end(), first) - reversed.begin());
    for (size_t k = 0; k < settled_parts.size(); ++k) settled_parts[k] = PositionSums::Cursor(*x.settled[k], first);
  };
  auto settled_on = [&](int32_t position) {
    return settled_parts[0].Get(position) + settled_parts[1].Get(position) + settled_parts[2].Get(position) +
           settled_parts[3].Get(position);
  };
  const int year = x.year;
  auto visit = [&](const auto& e) {
    // Live: in the snapshot, not a reversal, not reversed by one (the
    // removed positions are met in ascending order).
    const int32_t position = e.position();
    while (next_reversed < reversed.size() && reversed[next_reversed] < position) ++next_reversed;
    if (next_reversed < reversed.size() && reversed[next_reversed] == position) return;
    const EntryKind kind = e.kind();
    if (kind == EntryKind::kReversal || !x.snapshot.Contains(e)) return;

    const auto fund_number = static_cast<size_t>(e.fund());
    FundSums& fund = sums.funds[fund_number];
    const int32_t day = e.value_day();
    const bool in_year = day >= x.year_first && day <= x.year_last;
    const int attributed = e.attributed_year();
    if (in_year || attributed == year) sums.has_data = true;
    const int64_t usd = e.usd_cents();
    switch (kind) {
      case EntryKind::kReceipt: {
        if (in_year) {
          const bool prior = attributed < year;
          fund.received += usd;
          if (prior) fund.prior += usd;
          sums.by_fund_donor.Add(fund_number, static_cast<size_t>(e.donor()), usd, prior);
          const auto region = static_cast<size_t>(e.region()) & 15;
          sums.by_region[region] += usd;
          sums.region_seen[region] = true;
        }
        if (attributed == year) fund.forecast_received += usd;
        if (e.appeal() >= 0) {
          const ledger::Channel channel =
              e.channel() == ledger::Channel::kNone ? ledger::Channel::kNewContribution : e.channel();
          sums.appeal_channels[static_cast<size_t>(e.appeal())][static_cast<size_t>(channel)] += usd;
        }
        break;
      }
      case EntryKind::kPledge: {
        const bool needs_open = attributed == year || e.appeal() >= 0;
        const int64_t open = needs_open ? OpenCents(e, settled_on(position)) : 0;
        if (attributed == year) fund.pledged += open;
        if (e.appeal() >= 0 && open > 0) sums.appeal_channels[static_cast<size_t>(e.appeal())][kNewPledge] += open;
        if (e.event() >= 0) {
          EventSums& event = sums.event_sums[static_cast<size_t>(e.event())];
          event.pledged += usd;
          if (const ledger::Fund* f = x.fund_of[fund_number]) {
            event.by_category[static_cast<size_t>(f->category)] += usd;
          }
        }
        break;
      }
      case EntryKind::kExpected: {
        if (attributed == year) {
          const int64_t open = OpenCents(e, settled_on(position));
          fund.expected_unweighted += open;
          const int32_t ppm = e.probability_ppm() >= 0 ? e.probability_ppm() : 1000000;
          fund.expected += Proportion(open, ppm, 1000000);
        }
        break;
      }
      case EntryKind::kWriteOff:
      case EntryKind::kReversal:
        break;
    }
  };
  // Rows of a year lie close together (a ledger is stored roughly in date
  // order), but the donor cells they add to do not: fetched ahead.
  auto ahead = [&](int32_t fund, int32_t donor) {
    sums.by_fund_donor.Prefetch(static_cast<size_t>(fund), static_cast<size_t>(donor));
  };
  ForShare(plan, appended, x.columns, share, x.snapshot.as_of_day, start, visit, ahead);
}


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
  // Donor records by the columns' donor numbers, and which of them are in
  // the Member State table (read once, not per ranking; for the rankings
  // only, so on the thread that ranks).
  std::vector<const ledger::Donor*> donor_of;
  std::vector<uint8_t> member_state;
  auto number_donors = [&] {
    donor_of.assign(c.donors.size(), nullptr);
    member_state.assign(c.donors.size(), 0);
    for (size_t k = 0; k < ledger.donors.size(); ++k) {
      const ledger::Donor& d = ledger.donors[k];
      // A store interns the donors in their stored order first (then numbers
      // match and no hash lookup is needed); any other order is looked up.
      const bool same = k < c.donors.size() && c.donors.Name(static_cast<int32_t>(k)) == d.id;
      const int32_t number = same ? static_cast<int32_t>(k) : c.donors.Find(d.id);
      if (number >= 0) {
        donor_of[static_cast<size_t>(number)] = &d;
        member_state[static_cast<size_t>(number)] = ledger::InMemberStateTable(d.type) ? 1 : 0;
      }
    }
  };

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
  // The entries to read: with the year index, those listed under the year
  // and those listed for every year, each list read by its plan (runs from
  // the columns, scattered entries from rows copied side by side); without
  // the index, every entry (one run). Every entry that can change a figure of
  // the year is in, and each list is ascending.
  const size_t n = c.size();
  const bool indexed = c.indexed();
  std::shared_ptr<const ledger::ReportPlan> plan;
  // Listed entries appended after the plan was made (read from the columns).
  std::vector<int32_t> appended;
  if (indexed) {
    plan = c.Plan(year);
    const std::vector<int32_t>& year_list = c.YearPositions(year);
    const std::vector<int32_t>& always_list = c.AlwaysPositions();
    std::set_union(year_list.begin() + static_cast<std::ptrdiff_t>(plan->year_listed), year_list.end(),
                   always_list.begin() + static_cast<std::ptrdiff_t>(plan->always_listed), always_list.end(),
                   std::back_inserter(appended));
  } else {
    auto all = std::make_shared<ledger::ReportPlan>();
    if (n > 0) all->runs.push_back(ledger::ReportPlan::Run{0, static_cast<int32_t>(n), 0});  // no blocks: none skipped
    plan = std::move(all);
  }
  const Columns columns(c);
  const SnapshotTest snapshot{as_of.days, options.snapshot.known_at.has_value(),
                              options.snapshot.known_at.value_or(0)};

  // Large reports run each pass on two threads. The main pass is cut into
  // chunks of about the same number of entries to read (the blocks skipped
  // for the as-of date not counted), which the threads take in turn as each
  // finishes one: with a fixed split into halves one thread waited for the
  // other a fifth of the time (a row costs more than an entry of a run, and
  // an open pledge more than a receipt).
  size_t in_runs = 0;
  for (const auto& run : plan->runs) in_runs += static_cast<size_t>(run.end - run.begin);
  const bool parallel = in_runs + plan->rows.size() + appended.size() >= options.parallel_from &&
                        options.threads >= 2 && std::thread::hardware_concurrency() >= 2;
  std::vector<ThreadShare> chunks;
  if (!parallel) {
    ThreadShare all;
    all.row_end = plan->rows.size();
    all.appended = true;
    chunks.push_back(all);
  } else {
    constexpr size_t kChunks = 32;  // of the runs, and as many of the rows
    constexpr int32_t kBlock = ledger::ReportPlan::kBlock;
    const int32_t last_day = snapshot.as_of_day;
    auto run_block_read = [&](const ledger::ReportPlan::Run& run, int32_t block) {
      const size_t number = run.first_block + static_cast<size_t>((block - run.begin) / kBlock);
      return plan->block_first_day.empty() || plan->block_first_day[number] <= last_day;
    };
    size_t run_entries = 0;
    for (const auto& run : plan->runs) {
      for (int32_t block = run.begin; block < run.end; block += kBlock) {
        if (run_block_read(run, block)) run_entries += static_cast<size_t>(std::min(run.end - block, kBlock));
      }
    }
    const size_t run_chunk = std::max<size_t>(1, run_entries / kChunks);
    int32_t chunk_from = 0;
    size_t in_chunk = 0;
    for (const auto& run : plan->runs) {
      for (int32_t block = run.begin; block < run.end; block += kBlock) {
        if (!run_block_read(run, block)) continue;
        const int32_t block_end = std::min(run.end, block + kBlock);
        in_chunk += static_cast<size_t>(block_end - block);
        if (in_chunk >= run_chunk) {
          ThreadShare chunk;
          chunk.from = chunk_from;
          chunk.to = block_end;
          chunks.push_back(chunk);
          chunk_from = block_end;
          in_chunk = 0;
        }
      }
    }
    ThreadShare last_runs;
    last_runs.from = chunk_from;
    chunks.push_back(last_runs);  // to kEnd; no rows
    const size_t rows = plan->rows.size();
    const auto row_block = static_cast<size_t>(kBlock);
    const auto& row_days = plan->row_block_first_day;
    auto row_block_read = [&](size_t b) { return row_days.empty() || row_days[b] <= last_day; };
    size_t rows_read = 0;
    for (size_t b = 0; b * row_block < rows; ++b) rows_read += row_block_read(b) ? 1 : 0;
    const size_t row_chunk = std::max<size_t>(1, rows_read / kChunks);
    size_t row_from = 0, blocks_in_chunk = 0;
    for (size_t b = 0; b * row_block < rows; ++b) {
      blocks_in_chunk += row_block_read(b) ? 1 : 0;
      if (blocks_in_chunk >= row_chunk || (b + 1) * row_block >= rows) {
        ThreadShare chunk;
        chunk.from = kEnd;  // no runs
        chunk.row_begin = row_from;
        chunk.row_end = std::min(rows, (b + 1) * row_block);
        chunks.push_back(chunk);
        row_from = chunk.row_end;
        blocks_in_chunk = 0;
      }
    }
    ThreadShare appended_entries;
    appended_entries.from = kEnd;
    appended_entries.appended = true;
    chunks.push_back(appended_entries);
  }
  // first() on this thread and second() on another; without `parallel`,
  // only first(), which then does it all.
  auto in_two = [&](auto&& first, auto&& second) {
    if (!parallel) {
      first();
      return;
    }
    // What the second thread throws (memory running out, say) is thrown
    // here, after both are done, as on one thread.
    std::exception_ptr failure;
    std::thread helper([&] {
      try {
        second();
      } catch (...) {
        failure = std::current_exception();
      }
    });
    try {
      first();
    } catch (...) {
      helper.join();
      throw;
    }
    helper.join();
    if (failure) std::rethrow_exception(failure);
  };

  // A reversal in the snapshot removes itself and the entry it reverses.
  // What receipts and write-offs settled against each entry, by position,
  // counts only those not reversed. One pass over the entries that settle or
  // reverse sums what each settling entry in the snapshot paid and lists what
  // the snapshot's reversals remove (few: kept sorted); then what the removed
  // ones paid is taken back.
  struct Links {
    PositionSums settled;
    std::vector<int32_t> reversed;
  };
  // [0], [1]: the plan's links, one half each; [2]: what the removed ones
  // paid, taken back; [3]: links read from the columns (appended since the
  // plan was made, or every entry when there is no index).
  std::array<Links, 4> links;
  auto plan_links = [&](Links& part, size_t begin, size_t end) {
    part.settled.Reserve(end - begin);
    for (size_t k = begin; k < end; ++k) {
      const ledger::ReportPlan::Link& link = plan->links[k];
      if (!snapshot.Contains(link.value_day, link.recorded_at)) continue;
      if (link.kind == EntryKind::kReversal) {
        part.reversed.push_back(link.target);
      } else {
        part.settled.Add(link.target, link.amount_minor);
      }
    }
    part.settled.Seal();  // in order already (the plan keeps its links by target)
  };
  auto column_links = [&](Links& part) {
    auto link = [&](size_t i) {
      const ColumnEntry e{columns, i};
      const EntryKind kind = e.kind();
      if (kind != EntryKind::kReversal && e.settles() < 0) return;  // neither settles nor reverses
      if (!snapshot.Contains(e)) return;
      if (kind == EntryKind::kReversal) {
        if (e.reverses() >= 0) part.reversed.push_back(e.reverses());
      } else {
        part.settled.Add(e.settles(), e.amount_minor());
      }
    };
    if (!indexed) {
      for (const auto& run : plan->runs) {
        for (int32_t i = run.begin; i < run.end; ++i) link(static_cast<size_t>(i));
      }
    }
    for (int32_t position : appended) link(static_cast<size_t>(position));
    part.settled.Seal();
  };
  const size_t links_middle = parallel ? plan->links.size() / 2 : plan->links.size();
  in_two([&] { plan_links(links[0], 0, links_middle); }, [&] { plan_links(links[1], links_middle, plan->links.size()); });
  column_links(links[3]);  // without the index, every entry; with it, what was appended
  std::vector<int32_t> reversed;
  for (size_t k : {0, 1, 3}) reversed.insert(reversed.end(), links[k].reversed.begin(), links[k].reversed.end());
  std::sort(reversed.begin(), reversed.end());
  reversed.erase(std::unique(reversed.begin(), reversed.end()), reversed.end());
  for (int32_t position : reversed) {
    const ColumnEntry e{columns, static_cast<size_t>(position)};
    if (e.settles() >= 0 && e.kind() != EntryKind::kReversal && snapshot.Contains(e)) {
      links[2].settled.Add(e.settles(), -e.amount_minor());
    }
  }
  links[2].settled.Seal();

  // --- One pass over the live entries. -------------------------------------
  // Fund records by the columns' fund numbers.
  std::vector<const ledger::Fund*> fund_of(c.funds.size(), nullptr);
  for (size_t f = 0; f < c.funds.size(); ++f) {
    auto it = funds.find(c.funds.Name(static_cast<int32_t>(f)));
    if (it != funds.end()) fund_of[f] = it->second;
  }
  const ScanContext context{year,
                            ledger::MakeDate(year, 1, 1).days,
                            ledger::EndOfYear(year).days,
                            snapshot,
                            reversed,
                            {&links[0].settled, &links[1].settled, &links[2].settled, &links[3].settled},
                            columns,
                            fund_of};
  // The second thread's sums are made (and cleared) on that thread, and the
  // two halves of the donor table are added up by the two threads.
  Sums total(c);
  std::optional<Sums> second;
  std::atomic<size_t> next_chunk{0};
  auto take_chunks = [&](Sums& sums) {
    for (size_t k = next_chunk++; k < chunks.size(); k = next_chunk++) ScanLive(context, *plan, appended, chunks[k], sums);
  };
  in_two([&] { take_chunks(total); }, [&] { take_chunks(second.emplace(c)); });
  if (second) {
    total.Add(*second);
    in_two([&] { total.by_fund_donor.Add(second->by_fund_donor, 0, 0.5); },
           [&] { total.by_fund_donor.Add(second->by_fund_donor, 0.5, 1); });
  }
  if (total.has_data) report.has_data = true;
  const std::vector<FundSums>& sums = total.funds;
  const DonorSums& by_fund_donor = total.by_fund_donor;
  const std::array<int64_t, 16>& by_region = total.by_region;
  const std::array<bool, 16>& region_seen = total.region_seen;
  const std::vector<std::array<int64_t, 5>>& appeal_channels = total.appeal_channels;
  const std::vector<EventSums>& event_sums = total.event_sums;

  // --- Income against target, forecast, rankings per fund. ---------------
  // --- Concentration of the donor base (on the second thread, while the
  // first ranks each fund's donors). -----------------------------------------
  auto concentrate = [&]() {
    Concentration result;
    std::vector<int64_t> by_donor_all(c.donors.size());
    for (size_t f = 0; f < c.funds.size(); ++f) {
      by_fund_donor.ForEach(f, [&](size_t number, int64_t cents, bool) { by_donor_all[number] += cents; });
    }
    std::vector<int64_t> amounts;
    for (int64_t cents : by_donor_all) {
      if (cents > 0) amounts.push_back(cents);
    }
    result.top_n = options.top_n;
    result.donors = static_cast<int>(amounts.size());
    const size_t top = std::min(amounts.size(), static_cast<size_t>(std::max(options.top_n, 0)));
    std::nth_element(amounts.begin(), amounts.begin() + static_cast<std::ptrdiff_t>(top), amounts.end(),
                     std::greater<>());
    Int128 squares = 0;
    for (size_t i = 0; i < amounts.size(); ++i) {
      result.total_cents += amounts[i];
      if (i < top) result.top_cents += amounts[i];
      squares += static_cast<Int128>(amounts[i]) * amounts[i];
    }
    if (result.total_cents > 0) {
      result.top_share = Divide(result.top_cents, result.total_cents);
      const double total = static_cast<double>(result.total_cents);
      result.hhi = static_cast<double>(squares) / (total * total);
    }
    return result;
  };
  Concentration concentration;
  // The top n are kept as they come (a heap whose front is the least of
  // them), not collected and sorted: a fund of 100,000 donors has tens of
  // thousands of givers. Larger sums first; equal sums by name, then by the
  // donor's number, so the order never depends on the pass.
  struct Candidate {
    int64_t cents;
    int32_t number;
    bool prior;
  };
  auto better = [&](const Candidate& a, const Candidate& b) {
    if (a.cents != b.cents) return a.cents > b.cents;
    const std::string& a_name = donor_of[static_cast<size_t>(a.number)]->name;
    const std::string& b_name = donor_of[static_cast<size_t>(b.number)]->name;
    if (a_name != b_name) return a_name < b_name;
    return a.number < b.number;
  };
  const auto keep = static_cast<size_t>(std::max(options.top_n, 0));
  auto offer = [&](std::vector<Candidate>& top, const Candidate& candidate) {
    if (top.size() < keep) {
      top.push_back(candidate);
      std::push_heap(top.begin(), top.end(), better);
    } else if (keep > 0 && better(candidate, top.front())) {
      std::pop_heap(top.begin(), top.end(), better);
      top.back() = candidate;
      std::push_heap(top.begin(), top.end(), better);
    }
  };
  auto ranked_list = [&](std::vector<Candidate>& top) {
    std::sort_heap(top.begin(), top.end(), better);
    std::vector<RankedDonor> list;
    list.reserve(top.size());
    for (size_t i = 0; i < top.size(); ++i) {
      const ledger::Donor& d = *donor_of[static_cast<size_t>(top[i].number)];
      list.push_back(RankedDonor{static_cast<int>(i + 1), d.id, d.name, d.type, top[i].cents, top[i].prior,
                                 ledger::InMemberStateTable(d.type)});
    }
    return list;
  };
  // The largest givers to a fund: all of them, and those in the Member State
  // table (from one pass over the fund's donors).
  auto rankings = [&](size_t fund_number) {
    std::vector<Candidate> all, member_states;
    all.reserve(keep);
    member_states.reserve(keep);
    by_fund_donor.ForEach(fund_number, [&](size_t number, int64_t cents, bool prior) {
      if (cents <= 0 || donor_of[number] == nullptr) return;
      const Candidate candidate{cents, static_cast<int32_t>(number), prior};
      offer(all, candidate);
      if (member_state[number] != 0) offer(member_states, candidate);
    });
    return std::make_pair(ranked_list(member_states), ranked_list(all));
  };

  std::vector<std::pair<std::vector<RankedDonor>, std::vector<RankedDonor>>> ranked(fund_order.size());
  auto rank_all = [&] {
    number_donors();
    for (size_t k = 0; k < fund_order.size(); ++k) {
      const int32_t number = c.funds.Find(fund_order[k]->id);
      if (number >= 0) ranked[k] = rankings(static_cast<size_t>(number));
    }
  };
  if (parallel) {
    in_two([&] { rank_all(); }, [&] { concentration = concentrate(); });
  } else {
    rank_all();
    concentration = concentrate();
  }

  const FundSums no_sums;
  size_t fund_index = 0;
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

    auto& [member_states, all] = ranked[fund_index++];
    report.top_contributors.push_back(FundRanking{f->id, f->name, std::move(member_states), std::move(all)});
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

  report.concentration = std::move(concentration);
  return report;
}

}  // namespace rmis::analysis
