// Column-wise entries (see columns.h).
#include "ledger/columns.h"

#include <algorithm>
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

void EntryColumns::CollectKeys(int32_t i, std::vector<int>& years, bool& always, int depth) const {
  const auto at = static_cast<size_t>(i);
  for (int year : {YearOf(Date{value_day[at]}), static_cast<int>(attributed_year[at])}) {
    if (std::find(years.begin(), years.end(), year) == years.end()) years.push_back(year);
  }
  if (appeal[at] != kNone || event[at] != kNone) always = true;
  for (int32_t target : {settles[at], reverses[at]}) {
    if (target == kNone) continue;
    // Chains are short (a reversal of a receipt that settles a pledge); a
    // longer one is read by every report.
    if (depth >= 4) {
      always = true;
    } else {
      CollectKeys(target, years, always, depth + 1);
    }
  }
}

void EntryColumns::IndexEntry(int32_t position) {
  thread_local std::vector<int> years;
  years.clear();
  bool always = false;
  CollectKeys(position, years, always, 0);
  const auto at = static_cast<size_t>(position);
  const bool link = settles[at] != kNone || kind[at] == EntryKind::kReversal;
  for (int year : years) {
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

constexpr std::string_view kSegmentMagic = "RMISSEG1";

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
  return out;
}

bool DecodeSegment(std::string_view data, EntryColumns& c) {
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
  EntryColumns& out = c;
  std::vector<EntryKind> kind;
  std::vector<Region> region;
  std::vector<Channel> channel;
  std::vector<int32_t> donor, fund, appeal, event, settles, reverses, value_day, attributed, ppm;
  std::vector<Instant> recorded_at;
  std::vector<int64_t> usd, amount;
  in.Column(kind, rows);
  in.Column(region, rows);
  in.Column(channel, rows);
  in.Column(donor, rows);
  in.Column(fund, rows);
  in.Column(appeal, rows);
  in.Column(event, rows);
  in.Column(settles, rows);
  in.Column(reverses, rows);
  in.Column(value_day, rows);
  in.Column(attributed, rows);
  in.Column(ppm, rows);
  in.Column(recorded_at, rows);
  in.Column(usd, rows);
  in.Column(amount, rows);
  if (!in.ok() || !in.AtEnd()) return false;
  // Checked before anything is appended: a bad segment changes nothing.
  auto local_ok = [](const std::vector<int32_t>& column, const std::vector<int32_t>& names, bool optional) {
    for (int32_t number : column) {
      if (number == EntryColumns::kNone && optional) continue;
      if (number < 0 || static_cast<size_t>(number) >= names.size()) return false;
    }
    return true;
  };
  if (!local_ok(donor, donor_names, false) || !local_ok(fund, fund_names, false) ||
      !local_ok(appeal, appeal_names, true) || !local_ok(event, event_names, true)) {
    return false;
  }
  for (const auto* column : {&settles, &reverses}) {
    for (int32_t position : *column) {
      if (position < EntryColumns::kNone || static_cast<size_t>(position + 1) > position_limit) return false;
    }
  }
  for (size_t i = 0; i < rows; ++i) {
    if (static_cast<uint8_t>(kind[i]) > static_cast<uint8_t>(EntryKind::kReversal) ||
        static_cast<uint8_t>(region[i]) > static_cast<uint8_t>(Region::kGlobal) ||
        static_cast<uint8_t>(channel[i]) > static_cast<uint8_t>(Channel::kInternalEmergencyFund)) {
      return false;
    }
  }
  auto map = [](std::vector<int32_t>& column, const std::vector<int32_t>& names) {
    for (int32_t& number : column) {
      if (number != EntryColumns::kNone) number = names[static_cast<size_t>(number)];
    }
  };
  map(donor, donor_names);
  map(fund, fund_names);
  map(appeal, appeal_names);
  map(event, event_names);
  auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
  append(out.kind, kind);
  append(out.region, region);
  append(out.channel, channel);
  append(out.donor, donor);
  append(out.fund, fund);
  append(out.appeal, appeal);
  append(out.event, event);
  append(out.settles, settles);
  append(out.reverses, reverses);
  append(out.value_day, value_day);
  append(out.attributed_year, attributed);
  append(out.probability_ppm, ppm);
  append(out.recorded_at, recorded_at);
  append(out.usd_cents, usd);
  append(out.amount_minor, amount);
  c.IndexRange(begin, c.size());
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
