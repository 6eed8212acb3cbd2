// Column-wise entries (see columns.h).
#include "ledger/columns.h"

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
    }
  }
}

EntryColumns ToColumns(const std::vector<Entry>& entries) {
  EntryColumns columns;
  columns.Reserve(entries.size());
  for (const Entry& e : entries) columns.Append(e);
  return columns;
}

}  // namespace rmis::ledger
