// Column-wise entries (see columns.h).
#include "ledger/columns.h"

#include <algorithm>
#include <array>
#include <cstring>

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

void EntryColumns::Reserve(size_t entries) {
  ids.Reserve(entries);
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
  const int32_t position = static_cast<int32_t>(kind.size());
  kind.push_back(e.kind);
  region.push_back(e.region);
  channel.push_back(e.channel);
  donor.push_back(donors.Intern(e.donor));
  fund.push_back(funds.Intern(e.fund));
  appeal.push_back(e.appeal.empty() ? kNone : appeals.Intern(e.appeal));
  event.push_back(e.event.empty() ? kNone : events.Intern(e.event));
  settles.push_back(settles_position);
  reverses.push_back(reverses_position);
  value_day.push_back(e.value_day);
  attributed_year.push_back(e.attributed_year);
  probability_ppm.push_back(e.probability_ppm);
  recorded_at.push_back(e.recorded_at);
  usd_cents.push_back(e.usd_cents);
  amount_minor.push_back(e.amount_minor);
  // An entry that names one stored after it (a dataset may name entries in
  // any order) cannot be listed before that one is here: Reindex lists both.
  if (settles_position >= position || reverses_position >= position) indexed_ = false;
  if (indexed_) IndexEntry(position);
}

const std::vector<int32_t>& EntryColumns::YearPositions(int year) const {
  static const std::vector<int32_t> kEmpty;
  if (year < kFirstYear || year >= kFirstYear + kYears) return kEmpty;
  return by_year_[static_cast<size_t>(year - kFirstYear)];
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
  kind.push_back(e.kind);
  region.push_back(e.region);
  channel.push_back(e.channel);
  donor.push_back(donors.Intern(e.donor));
  fund.push_back(funds.Intern(e.fund));
  appeal.push_back(e.appeal.empty() ? kNone : appeals.Intern(e.appeal));
  event.push_back(e.event.empty() ? kNone : events.Intern(e.event));
  auto reference = [&](std::string_view id, bool is_settles) {
    if (id.empty()) return kNone;
    int32_t target = ids.Find(id);
    if (target == kNone || target == position) {
      pending_[std::string(id)].emplace_back(position, is_settles);
      return kNone;
    }
    return target;
  };
  settles.push_back(reference(e.settles, true));
  reverses.push_back(reference(e.reverses, false));
  value_day.push_back(e.value_day);
  attributed_year.push_back(e.attributed_year);
  probability_ppm.push_back(e.probability_ppm);
  recorded_at.push_back(e.recorded_at);
  usd_cents.push_back(e.usd_cents);
  amount_minor.push_back(e.amount_minor);
  // Entries appended earlier that named this one.
  if (!pending_.empty()) {
    if (auto it = pending_.find(std::string(e.id)); it != pending_.end()) {
      for (const auto& [waiting, is_settles] : it->second) {
        (is_settles ? settles : reverses)[static_cast<size_t>(waiting)] = position;
      }
      pending_.erase(it);
      indexed_ = false;  // the waiting entries are listed without this one's years
    }
  }
  if (indexed_) IndexEntry(position);
}

namespace {

constexpr std::string_view kSegmentMagic = "RMISSEG2";

template <typename T>
void PutRaw(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

template <typename T>
void PutColumn(std::string& out, const std::vector<T>& column, size_t begin, size_t end) {
  out.append(reinterpret_cast<const char*>(column.data() + begin), (end - begin) * sizeof(T));
}

// Numbers the names a segment uses (local numbers), in first-use order.
void PutNames(std::string& out, const Interner& interner, const std::vector<int32_t>& column, size_t begin,
              size_t end, std::vector<int32_t>& local) {
  std::unordered_map<int32_t, int32_t> numbers;
  std::vector<int32_t> order;
  local.resize(end - begin);
  for (size_t i = begin; i < end; ++i) {
    int32_t global = column[i];
    if (global == EntryColumns::kNone) {
      local[i - begin] = EntryColumns::kNone;
      continue;
    }
    auto [it, added] = numbers.emplace(global, static_cast<int32_t>(order.size()));
    if (added) order.push_back(global);
    local[i - begin] = it->second;
  }
  PutRaw(out, static_cast<uint32_t>(order.size()));
  for (int32_t global : order) {
    const std::string& name = interner.Name(global);
    PutRaw(out, static_cast<uint32_t>(name.size()));
    out.append(name);
  }
}

class SegmentReader {
 public:
  explicit SegmentReader(std::string_view data) : data_(data) {}
  bool ok() const { return ok_; }
  template <typename T>
  T Raw() {
    T value{};
    if (!Need(sizeof(T))) return value;
    std::memcpy(&value, data_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return value;
  }
  std::string_view Bytes(size_t size) {
    if (!Need(size)) return {};
    std::string_view view = data_.substr(at_, size);
    at_ += size;
    return view;
  }
  template <typename T>
  void Column(std::vector<T>& column, size_t rows) {
    if (!Need(rows * sizeof(T))) return;
    const size_t old = column.size();
    column.resize(old + rows);
    std::memcpy(column.data() + old, data_.data() + at_, rows * sizeof(T));
    at_ += rows * sizeof(T);
  }
  bool AtEnd() const { return at_ == data_.size(); }

 private:
  bool Need(size_t size) {
    if (!ok_ || data_.size() - at_ < size) ok_ = false;
    return ok_;
  }
  std::string_view data_;
  size_t at_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string EncodeSegment(const EntryColumns& c, size_t begin, size_t end) {
  std::string out;
  out.reserve(64 * (end - begin) + 4096);
  out.append(kSegmentMagic);
  PutRaw(out, static_cast<uint32_t>(end - begin));
  std::vector<int32_t> donor, fund, appeal, event;
  PutNames(out, c.donors, c.donor, begin, end, donor);
  PutNames(out, c.funds, c.fund, begin, end, fund);
  PutNames(out, c.appeals, c.appeal, begin, end, appeal);
  PutNames(out, c.events, c.event, begin, end, event);
  PutColumn(out, c.kind, begin, end);
  PutColumn(out, c.region, begin, end);
  PutColumn(out, c.channel, begin, end);
  PutColumn(out, donor, 0, donor.size());
  PutColumn(out, fund, 0, fund.size());
  PutColumn(out, appeal, 0, appeal.size());
  PutColumn(out, event, 0, event.size());
  PutColumn(out, c.settles, begin, end);
  PutColumn(out, c.reverses, begin, end);
  PutColumn(out, c.value_day, begin, end);
  PutColumn(out, c.attributed_year, begin, end);
  PutColumn(out, c.probability_ppm, begin, end);
  PutColumn(out, c.recorded_at, begin, end);
  PutColumn(out, c.usd_cents, begin, end);
  PutColumn(out, c.amount_minor, begin, end);
  // The segment's part of the year index: per list, the positions in
  // [begin, end) (lists are ascending). Year -1 is the list for every year.
  auto part = [&](const std::vector<int32_t>& list) {
    auto from = std::lower_bound(list.begin(), list.end(), static_cast<int32_t>(begin));
    auto to = std::lower_bound(from, list.end(), static_cast<int32_t>(end));
    return std::make_pair(from, to);
  };
  auto put_list = [&](int32_t year, const std::vector<int32_t>& all, const std::vector<int32_t>& links) {
    auto [all_from, all_to] = part(all);
    auto [links_from, links_to] = part(links);
    if (all_from == all_to) return;
    PutRaw(out, year);
    PutRaw(out, static_cast<uint32_t>(all_to - all_from));
    PutRaw(out, static_cast<uint32_t>(links_to - links_from));
    out.append(reinterpret_cast<const char*>(&*all_from), static_cast<size_t>(all_to - all_from) * sizeof(int32_t));
    if (links_from != links_to) {
      out.append(reinterpret_cast<const char*>(&*links_from),
                 static_cast<size_t>(links_to - links_from) * sizeof(int32_t));
    }
  };
  if (c.indexed()) {
    for (size_t y = 0; y < c.by_year_.size(); ++y) {
      put_list(static_cast<int32_t>(y) + EntryColumns::kFirstYear, c.by_year_[y], c.by_year_links_[y]);
    }
    put_list(-1, c.always_, c.always_links_);
  }
  return out;
}

bool DecodeSegment(std::string_view data, EntryColumns& c, size_t entries) {
  SegmentReader in(data);
  if (in.Bytes(kSegmentMagic.size()) != kSegmentMagic) return false;
  const auto rows = static_cast<size_t>(in.Raw<uint32_t>());
  // The segment's name numbers, as numbers of `c`'s interners.
  auto names = [&](Interner& interner) {
    std::vector<int32_t> global(in.Raw<uint32_t>());
    for (auto& number : global) {
      auto size = in.Raw<uint32_t>();
      number = interner.Intern(in.Bytes(size));
    }
    return global;
  };
  if (!in.ok()) return false;
  std::vector<int32_t> donor_names = names(c.donors), fund_names = names(c.funds),
                       appeal_names = names(c.appeals), event_names = names(c.events);
  const size_t begin = c.size();
  const size_t position_limit = begin + rows;
  // A segment's entries may name entries stored after it, up to `entries`.
  const size_t reference_limit = std::max(position_limit, entries);
  // Straight into the columns; a segment that turns out bad is cut off again.
  in.Column(c.kind, rows);
  in.Column(c.region, rows);
  in.Column(c.channel, rows);
  in.Column(c.donor, rows);
  in.Column(c.fund, rows);
  in.Column(c.appeal, rows);
  in.Column(c.event, rows);
  in.Column(c.settles, rows);
  in.Column(c.reverses, rows);
  in.Column(c.value_day, rows);
  in.Column(c.attributed_year, rows);
  in.Column(c.probability_ppm, rows);
  in.Column(c.recorded_at, rows);
  in.Column(c.usd_cents, rows);
  in.Column(c.amount_minor, rows);
  auto map = [&](std::vector<int32_t>& column, const std::vector<int32_t>& names, bool optional) {
    for (size_t i = begin; i < column.size(); ++i) {
      int32_t& number = column[i];
      if (number == EntryColumns::kNone && optional) continue;
      if (number < 0 || static_cast<size_t>(number) >= names.size()) return false;
      number = names[static_cast<size_t>(number)];
    }
    return true;
  };
  bool ok = in.ok() && c.size() == position_limit && map(c.donor, donor_names, false) &&
            map(c.fund, fund_names, false) && map(c.appeal, appeal_names, true) &&
            map(c.event, event_names, true);
  for (size_t i = begin; ok && i < position_limit; ++i) {
    ok = c.settles[i] >= EntryColumns::kNone && c.settles[i] < static_cast<int64_t>(reference_limit) &&
         c.reverses[i] >= EntryColumns::kNone && c.reverses[i] < static_cast<int64_t>(reference_limit) &&
         static_cast<uint8_t>(c.kind[i]) <= static_cast<uint8_t>(EntryKind::kReversal) &&
         static_cast<uint8_t>(c.region[i]) <= static_cast<uint8_t>(Region::kGlobal) &&
         static_cast<uint8_t>(c.channel[i]) <= static_cast<uint8_t>(Channel::kInternalEmergencyFund);
  }
  if (!ok) {
    auto cut = [&](auto& column) { column.resize(std::min(column.size(), begin)); };
    cut(c.kind), cut(c.region), cut(c.channel), cut(c.donor), cut(c.fund), cut(c.appeal), cut(c.event);
    cut(c.settles), cut(c.reverses), cut(c.value_day), cut(c.attributed_year), cut(c.probability_ppm);
    cut(c.recorded_at), cut(c.usd_cents), cut(c.amount_minor);
    return false;
  }
  // The year index: the lists as the segment carries them, each checked to
  // hold ascending positions of this segment only.
  struct List {
    int32_t year;
    std::vector<int32_t> all, links;
  };
  std::vector<List> lists;
  while (ok && !in.AtEnd()) {
    List list;
    list.year = in.Raw<int32_t>();
    const auto all = in.Raw<uint32_t>(), links = in.Raw<uint32_t>();
    ok = in.ok() && all <= rows && links <= all &&
         (list.year == -1 || (list.year >= EntryColumns::kFirstYear &&
                              list.year < EntryColumns::kFirstYear + EntryColumns::kYears));
    if (!ok) break;
    in.Column(list.all, all);
    in.Column(list.links, links);
    for (const auto* positions : {&list.all, &list.links}) {
      for (size_t i = 0; ok && i < positions->size(); ++i) {
        const int32_t p = (*positions)[i];
        ok = p >= static_cast<int64_t>(begin) && p < static_cast<int64_t>(position_limit) &&
             (i == 0 || (*positions)[i - 1] < p);
      }
    }
    ok = ok && in.ok();
    lists.push_back(std::move(list));
  }
  if (!ok) {
    auto cut = [&](auto& column) { column.resize(std::min(column.size(), begin)); };
    cut(c.kind), cut(c.region), cut(c.channel), cut(c.donor), cut(c.fund), cut(c.appeal), cut(c.event);
    cut(c.settles), cut(c.reverses), cut(c.value_day), cut(c.attributed_year), cut(c.probability_ppm);
    cut(c.recorded_at), cut(c.usd_cents), cut(c.amount_minor);
    return false;
  }
  if (c.indexed()) {
    if (lists.empty()) {
      c.IndexRange(begin, c.size());  // a segment cut from columns without an index
    } else {
      auto append = [](std::vector<int32_t>& to, const std::vector<int32_t>& from) {
        to.insert(to.end(), from.begin(), from.end());
      };
      for (const List& list : lists) {
        if (list.year == -1) {
          append(c.always_, list.all);
          append(c.always_links_, list.links);
        } else {
          append(c.by_year_[static_cast<size_t>(list.year - EntryColumns::kFirstYear)], list.all);
          append(c.by_year_links_[static_cast<size_t>(list.year - EntryColumns::kFirstYear)], list.links);
        }
      }
    }
  }
  return true;
}

EntryColumns ToColumns(const std::vector<Entry>& entries) {
  EntryColumns columns;
  columns.Reserve(entries.size());
  for (const Entry& e : entries) columns.Append(e);
  if (!columns.indexed()) columns.Reindex();
  return columns;
}

}  // namespace rmis::ledger
