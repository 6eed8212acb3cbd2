// Column-wise entries (see columns.h).
#include "ledger/columns.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>

#include "base/radix_sort.h"

namespace rmis::ledger {

int32_t Interner::Intern(std::string_view name) {
  auto it = index_.find(name);
  if (it != index_.end()) return it->second;
  int32_t index = static_cast<int32_t>(names_.size());
  names_.emplace_back(name);
  index_.emplace(names_.back(), index);
  return index;
}

int32_t Interner::Find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? -1 : it->second;
}

uint64_t Interner::Fingerprint(size_t count) const {
  constexpr uint64_t kBasis = 14695981039346656037ULL, kPrime = 1099511628211ULL;
  count = std::min(count, names_.size());
  while (fingerprints_.size() < count) {
    uint64_t hash = fingerprints_.empty() ? kBasis : fingerprints_.back();
    const std::string& name = names_[fingerprints_.size()];
    uint64_t size = name.size();
    for (int k = 0; k < 4; ++k, size >>= 8) hash = (hash ^ (size & 0xff)) * kPrime;
    for (unsigned char byte : name) hash = (hash ^ byte) * kPrime;
    fingerprints_.push_back(hash);
  }
  return count == 0 ? kBasis : fingerprints_[count - 1];
}

void EntryColumns::Reserve(size_t entries) {
  // Not `ids`: a store resolves references itself and leaves it empty (on
  // millions of entries its table alone would be 80 MB to clear).
  kind.reserve(entries);
  region.reserve(entries);
  channel.reserve(entries);
  donor.reserve(entries);
  fund.reserve(entries);
  appeal.reserve(entries);
  event.reserve(entries);
  settles.reserve(entries);
  reverses.reserve(entries);
  value_day.reserve(entries);
  attributed_year.reserve(entries);
  probability_ppm.reserve(entries);
  recorded_at.reserve(entries);
  usd_cents.reserve(entries);
  amount_minor.reserve(entries);
}

void EntryColumns::Append(const Entry& e) {
  EntryView view;
  view.id = e.id;
  view.donor = e.donor;
  view.fund = e.fund;
  view.appeal = e.appeal;
  view.event = e.event;
  view.settles = e.settles;
  view.reverses = e.reverses;
  view.kind = e.kind;
  view.region = e.region;
  view.channel = e.channel;
  view.value_day = e.value_date.days;
  view.attributed_year = e.attributed_year;
  view.probability_ppm = e.probability_ppm ? *e.probability_ppm : kNone;
  view.recorded_at = e.recorded_at;
  view.usd_cents = e.usd_cents;
  view.amount_minor = e.amount.minor_units();
  Append(view);
}

void EntryColumns::AppendResolved(const EntryView& e, int32_t settles_position, int32_t reverses_position) {
  const size_t position = size();
  Extend(1);
  SetResolved(position, e, settles_position, reverses_position, /*intern=*/true);
  IndexFilled(position, position + 1);
}

void EntryColumns::Extend(size_t count) {
  const size_t size = kind.size() + count;
  kind.resize(size);
  region.resize(size);
  channel.resize(size);
  donor.resize(size);
  fund.resize(size);
  appeal.resize(size);
  event.resize(size);
  settles.resize(size);
  reverses.resize(size);
  value_day.resize(size);
  attributed_year.resize(size);
  probability_ppm.resize(size);
  recorded_at.resize(size);
  usd_cents.resize(size);
  amount_minor.resize(size);
}

bool EntryColumns::SetResolved(size_t position, const EntryView& e, int32_t settles_position,
                               int32_t reverses_position, bool intern) {
  // -1 when not interned yet (and `intern` is false).
  auto number = [intern](Interner& names, std::string_view name) {
    return intern ? names.Intern(name) : names.Find(name);
  };
  // An appeal or event not given is kNone; a donor and a fund are always given.
  auto optional = [&](Interner& names, std::string_view name) { return name.empty() ? kNone : number(names, name); };
  const int32_t donor_number = number(donors, e.donor);
  const int32_t fund_number = number(funds, e.fund);
  const int32_t appeal_number = optional(appeals, e.appeal);
  const int32_t event_number = optional(events, e.event);
  if (donor_number < 0 || fund_number < 0 || (appeal_number < 0 && !e.appeal.empty()) ||
      (event_number < 0 && !e.event.empty())) {
    return false;
  }
  kind[position] = e.kind;
  region[position] = e.region;
  channel[position] = e.channel;
  donor[position] = donor_number;
  fund[position] = fund_number;
  appeal[position] = appeal_number;
  event[position] = event_number;
  settles[position] = settles_position;
  reverses[position] = reverses_position;
  value_day[position] = e.value_day;
  attributed_year[position] = e.attributed_year;
  probability_ppm[position] = e.probability_ppm;
  recorded_at[position] = e.recorded_at;
  usd_cents[position] = e.usd_cents;
  amount_minor[position] = e.amount_minor;
  return true;
}

void EntryColumns::IndexFilled(size_t begin, size_t end) {
  // An entry that names one stored after it (a dataset may name entries in
  // any order) cannot be listed before that one is here: Reindex lists both.
  for (size_t i = begin; i < end; ++i) {
    const auto position = static_cast<int32_t>(i);
    if (settles[i] >= position || reverses[i] >= position) indexed_ = false;
  }
  IndexRange(begin, end);
}

const std::vector<int32_t>& EntryColumns::YearPositions(int year) const {
  static const std::vector<int32_t> kEmpty;
  if (year < kFirstYear || year >= kFirstYear + kYears) return kEmpty;
  return by_year_[static_cast<size_t>(year - kFirstYear)];
}

namespace {

static_assert(sizeof(ReportRow) == 64, "a report row fills one cache line");

// A plan keeps no run shorter than this (shorter ones are copied as rows).
constexpr int32_t kShortestRun = 8;
// How many years' plans are kept (each about 70 bytes per entry it copies:
// 40 MB for a year of a 10-million-entry ledger).
constexpr size_t kPlansKept = 2;

}  // namespace

std::shared_ptr<const ReportPlan> EntryColumns::Plan(int year) const {
  const std::vector<int32_t>& list = YearPositions(year);
  std::lock_guard<std::mutex> lock(plans_.mutex);
  const uint64_t now = ++plans_.clock;
  const size_t most_appended = std::max<size_t>(4096, (list.size() + always_.size()) / 64);
  for (auto& cached : plans_.plans) {
    if (cached.year != year || cached.generation != generation_) continue;
    const ReportPlan& plan = *cached.plan;
    if (plan.year_listed > list.size() || plan.always_listed > always_.size()) continue;
    // A little appended since is read from the columns; much is planned anew.
    if (list.size() - plan.year_listed + always_.size() - plan.always_listed <= most_appended) {
      cached.last_used = now;
      return cached.plan;
    }
  }
  auto plan = std::make_shared<ReportPlan>();
  plan->year_listed = list.size();
  plan->always_listed = always_.size();
  // The union of the two ascending lists.
  std::vector<int32_t> both;
  both.reserve(list.size() + always_.size());
  std::set_union(list.begin(), list.end(), always_.begin(), always_.end(), std::back_inserter(both));
  for (size_t k = 0; k < both.size();) {
    size_t end = k + 1;
    while (end < both.size() && both[end] == both[end - 1] + 1) ++end;
    if (static_cast<int32_t>(end - k) >= kShortestRun) {
      const ReportPlan::Run run{both[k], both[end - 1] + 1, plan->block_first_day.size()};
      for (int32_t block = run.begin; block < run.end; block += ReportPlan::kBlock) {
        const int32_t block_end = std::min(run.end, block + ReportPlan::kBlock);
        plan->block_first_day.push_back(*std::min_element(value_day.begin() + block, value_day.begin() + block_end));
      }
      plan->runs.push_back(run);
    } else {
      for (size_t j = k; j < end; ++j) {
        const auto i = static_cast<size_t>(both[j]);
        ReportRow row;
        row.usd_cents = usd_cents[i];
        row.amount_minor = amount_minor[i];
        row.recorded_at = recorded_at[i];
        row.position = both[j];
        row.donor = donor[i];
        row.fund = fund[i];
        row.appeal = appeal[i];
        row.event = event[i];
        row.value_day = value_day[i];
        row.attributed_year = attributed_year[i];
        row.probability_ppm = probability_ppm[i];
        row.kind = kind[i];
        row.region = region[i];
        row.channel = channel[i];
        plan->rows.push_back(row);
      }
    }
    k = end;
  }
  for (size_t block = 0; block < plan->rows.size(); block += ReportPlan::kBlock) {
    const size_t block_end = std::min(plan->rows.size(), block + ReportPlan::kBlock);
    int32_t first = plan->rows[block].value_day;
    for (size_t k = block; k < block_end; ++k) first = std::min(first, plan->rows[k].value_day);
    plan->row_block_first_day.push_back(first);
  }
  // The links, ordered by what they settle or reverse: a report then sums
  // what was settled against each entry in that order, with nothing to sort.
  for (int32_t position : both) {
    const auto i = static_cast<size_t>(position);
    const int32_t target = kind[i] == EntryKind::kReversal ? reverses[i] : settles[i];
    if (target == kNone) continue;
    plan->links.push_back(ReportPlan::Link{target, value_day[i], amount_minor[i], recorded_at[i], kind[i]});
  }
  base::RadixSort(plan->links, [](const ReportPlan::Link& link) { return link.target; });
  auto& plans = plans_.plans;
  plans.erase(std::remove_if(plans.begin(), plans.end(),
                             [&](const auto& cached) { return cached.year == year || cached.generation != generation_; }),
              plans.end());
  if (plans.size() >= kPlansKept) {
    plans.erase(std::min_element(plans.begin(), plans.end(),
                                 [](const auto& a, const auto& b) { return a.last_used < b.last_used; }));
  }
  plans.push_back(ReportPlanCache::Cached{year, generation_, now, plan});
  return plan;
}

const std::vector<int32_t>& EntryColumns::YearLinkPositions(int year) const {
  static const std::vector<int32_t> kEmpty;
  if (year < kFirstYear || year >= kFirstYear + kYears) return kEmpty;
  return by_year_links_[static_cast<size_t>(year - kFirstYear)];
}

namespace {

// The year of a day number, by table for the years the index lists (the
// index computes two per entry, millions of times when a store loads).
class YearTable {
 public:
  YearTable(int first_year, int years) : first_day_(MakeDate(first_year, 1, 1).days) {
    const int32_t last_day = MakeDate(first_year + years, 1, 1).days;
    years_.resize(static_cast<size_t>(last_day - first_day_));
    for (int y = first_year; y < first_year + years; ++y) {
      const int32_t from = MakeDate(y, 1, 1).days, to = MakeDate(y + 1, 1, 1).days;
      for (int32_t d = from; d < to; ++d) years_[static_cast<size_t>(d - first_day_)] = static_cast<int16_t>(y);
    }
  }
  int Year(int32_t day) const {
    const int64_t at = static_cast<int64_t>(day) - first_day_;
    if (at < 0 || at >= static_cast<int64_t>(years_.size())) return YearOf(Date{day});
    return years_[static_cast<size_t>(at)];
  }

 private:
  int32_t first_day_;
  std::vector<int16_t> years_;
};

}  // namespace

// A few distinct years (an entry has at most a handful).
struct YearKeys {
  std::array<int, 8> years{};
  int count = 0;
  bool always = false;
  void Add(int year) {
    for (int i = 0; i < count; ++i) {
      if (years[static_cast<size_t>(i)] == year) return;
    }
    if (count == static_cast<int>(years.size())) {
      always = true;  // too many to list: read by every report
      return;
    }
    years[static_cast<size_t>(count++)] = year;
  }
};

void EntryColumns::CollectKeys(int32_t i, YearKeys& keys, int depth) const {
  static const YearTable table(kFirstYear, kYears);
  const auto at = static_cast<size_t>(i);
  keys.Add(table.Year(value_day[at]));
  keys.Add(attributed_year[at]);
  if (appeal[at] != kNone || event[at] != kNone) keys.always = true;
  for (int32_t target : {settles[at], reverses[at]}) {
    if (target == kNone) continue;
    if (static_cast<size_t>(target) >= size()) {
      keys.always = true;  // not here yet: read by every report
      continue;
    }
    // Chains are short (a reversal of a receipt that settles a pledge); a
    // longer one is read by every report.
    if (depth >= 4) {
      keys.always = true;
    } else {
      CollectKeys(target, keys, depth + 1);
    }
  }
}

void EntryColumns::IndexEntry(int32_t position) {
  YearKeys keys;
  CollectKeys(position, keys, 0);
  bool always = keys.always;
  const auto at = static_cast<size_t>(position);
  const bool link = settles[at] != kNone || kind[at] == EntryKind::kReversal;
  for (int k = 0; k < keys.count; ++k) {
    const int year = keys.years[static_cast<size_t>(k)];
    if (year < kFirstYear || year >= kFirstYear + kYears) {
      always = true;
      continue;
    }
    by_year_[static_cast<size_t>(year - kFirstYear)].push_back(position);
    if (link) by_year_links_[static_cast<size_t>(year - kFirstYear)].push_back(position);
  }
  if (always) always_.push_back(position);
  if (always && link) always_links_.push_back(position);
}

void EntryColumns::IndexRange(size_t begin, size_t end) {
  if (!indexed_) return;
  for (size_t i = begin; i < end; ++i) IndexEntry(static_cast<int32_t>(i));
}

void EntryColumns::Reindex() {
  ++generation_;
  for (auto& list : by_year_) list.clear();
  for (auto& list : by_year_links_) list.clear();
  always_.clear();
  always_links_.clear();
  indexed_ = true;
  for (size_t i = 0; i < size(); ++i) IndexEntry(static_cast<int32_t>(i));
}

void EntryColumns::Append(const EntryView& e) {
  const int32_t position = static_cast<int32_t>(kind.size());
  ids.Intern(e.id);
  auto reference = [&](std::string_view id, bool is_settles) {
    if (id.empty()) return kNone;
    int32_t target = ids.Find(id);
    if (target == kNone || target == position) {
      pending_[std::string(id)].emplace_back(position, is_settles);
      return kNone;
    }
    return target;
  };
  const int32_t settles_position = reference(e.settles, true);
  const int32_t reverses_position = reference(e.reverses, false);
  Extend(1);
  SetResolved(static_cast<size_t>(position), e, settles_position, reverses_position, /*intern=*/true);
  // Entries appended earlier that named this one.
  if (!pending_.empty()) {
    if (auto it = pending_.find(std::string(e.id)); it != pending_.end()) {
      for (const auto& [waiting, is_settles] : it->second) {
        (is_settles ? settles : reverses)[static_cast<size_t>(waiting)] = position;
      }
      pending_.erase(it);
      ++generation_;
      indexed_ = false;  // the waiting entries are listed without this one's years
    }
  }
  if (indexed_) IndexEntry(position);
}

namespace {

// RMISSEG3 (RMISSEG2 named donors, funds, appeals and events per segment;
// such segments are rejected and sealed anew):
//   magic, u32 rows,
//   for donors, funds, appeals, events: u32 interner size, u64 Fingerprint,
//   u32 lists, then per list: i32 year (-1: every year), u32 positions,
//     u32 of them that settle or reverse,
//   the columns, `rows` values each: kind, region, channel (a byte each),
//     donor, fund, appeal, event, settles, reverses, value_day,
//     attributed_year, probability_ppm (4 bytes each), recorded_at,
//     usd_cents, amount_minor (8 bytes each),
//   per list its positions, then those that settle or reverse (ascending,
//     all within the segment).
// Numbers in the machine's byte order (a segment is a cache of one store).
constexpr std::string_view kSegmentMagic = "RMISSEG3";
constexpr size_t kRowBytes = 3 * 1 + 9 * 4 + 3 * 8;

template <typename T>
void PutRaw(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

template <typename T>
void PutColumn(std::string& out, const std::vector<T>& column, size_t begin, size_t end) {
  out.append(reinterpret_cast<const char*>(column.data() + begin), (end - begin) * sizeof(T));
}

class BytesSource : public SegmentSource {
 public:
  explicit BytesSource(std::string_view data) : data_(data) {}
  size_t size() const override { return data_.size(); }
  bool Read(size_t offset, void* to, size_t size) const override {
    if (offset > data_.size() || data_.size() - offset < size) return false;
    if (size > 0) std::memcpy(to, data_.data() + offset, size);
    return true;
  }

 private:
  std::string_view data_;
};

struct ListHead {
  int32_t year = 0;
  uint32_t all = 0, links = 0;
};

}  // namespace

std::string EncodeSegment(const EntryColumns& c, size_t begin, size_t end) {
  // The segment's part of the year index: per list, the positions in
  // [begin, end) (lists are ascending).
  auto part = [&](const std::vector<int32_t>& list) {
    auto from = std::lower_bound(list.begin(), list.end(), static_cast<int32_t>(begin));
    auto to = std::lower_bound(from, list.end(), static_cast<int32_t>(end));
    return std::make_pair(from - list.begin(), to - list.begin());
  };
  struct List {
    ListHead head;
    const std::vector<int32_t>* all;
    const std::vector<int32_t>* links;
    ptrdiff_t all_from, links_from;
  };
  std::vector<List> lists;
  auto add_list = [&](int32_t year, const std::vector<int32_t>& all, const std::vector<int32_t>& links) {
    auto [all_from, all_to] = part(all);
    auto [links_from, links_to] = part(links);
    if (all_from == all_to) return;
    lists.push_back(List{ListHead{year, static_cast<uint32_t>(all_to - all_from),
                                  static_cast<uint32_t>(links_to - links_from)},
                         &all, &links, all_from, links_from});
  };
  if (c.indexed()) {
    for (size_t y = 0; y < c.by_year_.size(); ++y) {
      add_list(static_cast<int32_t>(y) + EntryColumns::kFirstYear, c.by_year_[y], c.by_year_links_[y]);
    }
    add_list(-1, c.always_, c.always_links_);
  }
  std::string out;
  out.reserve(kRowBytes * (end - begin) + 4096);
  out.append(kSegmentMagic);
  PutRaw(out, static_cast<uint32_t>(end - begin));
  for (const Interner* names : {&c.donors, &c.funds, &c.appeals, &c.events}) {
    PutRaw(out, static_cast<uint32_t>(names->size()));
    PutRaw(out, names->Fingerprint(names->size()));
  }
  PutRaw(out, static_cast<uint32_t>(lists.size()));
  for (const List& list : lists) {
    PutRaw(out, list.head.year);
    PutRaw(out, list.head.all);
    PutRaw(out, list.head.links);
  }
  PutColumn(out, c.kind, begin, end);
  PutColumn(out, c.region, begin, end);
  PutColumn(out, c.channel, begin, end);
  PutColumn(out, c.donor, begin, end);
  PutColumn(out, c.fund, begin, end);
  PutColumn(out, c.appeal, begin, end);
  PutColumn(out, c.event, begin, end);
  PutColumn(out, c.settles, begin, end);
  PutColumn(out, c.reverses, begin, end);
  PutColumn(out, c.value_day, begin, end);
  PutColumn(out, c.attributed_year, begin, end);
  PutColumn(out, c.probability_ppm, begin, end);
  PutColumn(out, c.recorded_at, begin, end);
  PutColumn(out, c.usd_cents, begin, end);
  PutColumn(out, c.amount_minor, begin, end);
  for (const List& list : lists) {
    PutColumn(out, *list.all, static_cast<size_t>(list.all_from), static_cast<size_t>(list.all_from) + list.head.all);
    PutColumn(out, *list.links, static_cast<size_t>(list.links_from),
              static_cast<size_t>(list.links_from) + list.head.links);
  }
  return out;
}

bool DecodeSegment(std::string_view data, EntryColumns& c, size_t entries) {
  return DecodeSegment(BytesSource(data), c, entries);
}

bool DecodeSegment(const SegmentSource& source, EntryColumns& c, size_t entries) {
  const size_t total = source.size();
  size_t at = 0;
  auto read = [&](void* to, size_t size) {
    if (total - at < size || !source.Read(at, to, size)) return false;
    at += size;
    return true;
  };
  auto raw = [&](auto& value) { return read(&value, sizeof(value)); };
  char magic[kSegmentMagic.size()];
  uint32_t rows = 0;
  if (!read(magic, sizeof(magic)) || std::string_view(magic, sizeof(magic)) != kSegmentMagic || !raw(rows)) {
    return false;
  }
  // The numbers must mean the names they meant when the segment was cut.
  for (const Interner* names : {&c.donors, &c.funds, &c.appeals, &c.events}) {
    uint32_t count = 0;
    uint64_t fingerprint = 0;
    if (!raw(count) || !raw(fingerprint) || count > names->size() || names->Fingerprint(count) != fingerprint) {
      return false;
    }
  }
  uint32_t list_count = 0;
  if (!raw(list_count) || list_count > static_cast<uint32_t>(EntryColumns::kYears) + 1) return false;
  std::vector<ListHead> heads(list_count);
  uint64_t list_positions = 0;
  for (ListHead& head : heads) {
    if (!raw(head.year) || !raw(head.all) || !raw(head.links)) return false;
    if (head.all > rows || head.links > head.all ||
        (head.year != -1 && (head.year < EntryColumns::kFirstYear ||
                             head.year >= EntryColumns::kFirstYear + EntryColumns::kYears))) {
      return false;
    }
    list_positions += uint64_t{head.all} + head.links;
  }
  const size_t begin = c.size();
  const size_t position_limit = begin + rows;
  if (position_limit > static_cast<size_t>(INT32_MAX) ||
      total - at != uint64_t{rows} * kRowBytes + list_positions * sizeof(int32_t)) {
    return false;
  }
  // A segment's entries may name entries stored after it, up to `entries`.
  const auto reference_limit = static_cast<int64_t>(std::max(position_limit, entries));
  // Straight into the columns; a segment that turns out bad is cut off again.
  auto cut = [&] {
    auto to_begin = [&](auto& column) { column.resize(std::min(column.size(), begin)); };
    to_begin(c.kind), to_begin(c.region), to_begin(c.channel), to_begin(c.donor), to_begin(c.fund);
    to_begin(c.appeal), to_begin(c.event), to_begin(c.settles), to_begin(c.reverses), to_begin(c.value_day);
    to_begin(c.attributed_year), to_begin(c.probability_ppm), to_begin(c.recorded_at), to_begin(c.usd_cents);
    to_begin(c.amount_minor);
    return false;
  };
  auto column = [&](auto& to) {
    to.resize(begin + rows);
    return read(to.data() + begin, rows * sizeof(to[0]));
  };
  if (!column(c.kind) || !column(c.region) || !column(c.channel) || !column(c.donor) || !column(c.fund) ||
      !column(c.appeal) || !column(c.event) || !column(c.settles) || !column(c.reverses) ||
      !column(c.value_day) || !column(c.attributed_year) || !column(c.probability_ppm) ||
      !column(c.recorded_at) || !column(c.usd_cents) || !column(c.amount_minor)) {
    return cut();
  }
  // Every value within its range (branch-free sums, so that the loops stay
  // cheap on millions of entries).
  auto outside = [&](const std::vector<int32_t>& numbers, int32_t low, int64_t high) {
    size_t bad = 0;
    for (size_t i = begin; i < position_limit; ++i) bad += (numbers[i] < low) | (numbers[i] >= high);
    return bad != 0;
  };
  auto outside_enum = [&](const auto& values, auto last) {
    size_t bad = 0;
    for (size_t i = begin; i < position_limit; ++i) bad += static_cast<uint8_t>(values[i]) > static_cast<uint8_t>(last);
    return bad != 0;
  };
  constexpr int32_t kNone = EntryColumns::kNone;
  if (outside(c.donor, 0, static_cast<int64_t>(c.donors.size())) ||
      outside(c.fund, 0, static_cast<int64_t>(c.funds.size())) ||
      outside(c.appeal, kNone, static_cast<int64_t>(c.appeals.size())) ||
      outside(c.event, kNone, static_cast<int64_t>(c.events.size())) || outside(c.settles, kNone, reference_limit) ||
      outside(c.reverses, kNone, reference_limit) || outside_enum(c.kind, EntryKind::kReversal) ||
      outside_enum(c.region, Region::kGlobal) || outside_enum(c.channel, Channel::kInternalEmergencyFund)) {
    return cut();
  }
  // The year index: each list as the segment carries it, appended to the
  // columns' list and checked to hold ascending positions of this segment.
  if (!c.indexed()) return true;  // Reindex lists them later
  if (heads.empty()) {
    c.IndexRange(begin, position_limit);  // a segment cut from columns without an index
    return true;
  }
  std::vector<std::pair<std::vector<int32_t>*, size_t>> touched;
  auto append = [&](std::vector<int32_t>& list, uint32_t count) {
    const size_t old = list.size();
    touched.emplace_back(&list, old);
    list.resize(old + count);
    if (!read(list.data() + old, count * sizeof(int32_t))) return false;
    int32_t previous = old == 0 ? static_cast<int32_t>(begin) - 1 : std::max(list[old - 1], static_cast<int32_t>(begin) - 1);
    size_t bad = 0;
    for (size_t i = old; i < list.size(); ++i) {
      bad += (list[i] <= previous) | (static_cast<size_t>(list[i]) >= position_limit);
      previous = list[i];
    }
    return bad == 0;
  };
  for (const ListHead& head : heads) {
    const auto y = static_cast<size_t>(head.year - EntryColumns::kFirstYear);
    std::vector<int32_t>& all = head.year == -1 ? c.always_ : c.by_year_[y];
    std::vector<int32_t>& links = head.year == -1 ? c.always_links_ : c.by_year_links_[y];
    if (!append(all, head.all) || !append(links, head.links)) {
      for (auto it = touched.rbegin(); it != touched.rend(); ++it) it->first->resize(it->second);
      return cut();
    }
  }
  return true;  // the size was checked: every byte is read
}

void NumberNames(const Ledger& reference, EntryColumns& columns) {
  columns.donors.Reserve(reference.donors.size());
  for (const auto& donor : reference.donors) columns.donors.Intern(donor.id);
  for (const auto& fund : reference.funds) columns.funds.Intern(fund.id);
  for (const auto& appeal : reference.appeals) columns.appeals.Intern(appeal.id);
  for (const auto& event : reference.events) columns.events.Intern(event.id);
}

EntryColumns ToColumns(const std::vector<Entry>& entries) {
  EntryColumns columns;
  columns.Reserve(entries.size());
  columns.ids.Reserve(entries.size());
  for (const Entry& e : entries) columns.Append(e);
  if (!columns.indexed()) columns.Reindex();
  return columns;
}

}  // namespace rmis::ledger
