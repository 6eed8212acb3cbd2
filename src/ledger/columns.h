// The ledger's entries held column by column, for figures over millions of
// entries: one array per field, donors, funds, appeals and events as small
// integers, references to other entries as positions. A report scans these
// arrays instead of walking entry records through string-keyed maps.
//
// EntryColumns is append-only, like the ledger: Append adds an entry at the
// end. A `settles` or `reverses` that names an entry not yet appended is
// resolved when that entry arrives (a dataset may name entries in any order).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ledger/types.h"

namespace rmis::ledger {

// Gives each distinct name a number: 0, 1, 2, ...
class Interner {
 public:
  int32_t Intern(std::string_view name);
  // The number of `name`, or -1 when it was never interned.
  int32_t Find(std::string_view name) const;
  const std::string& Name(int32_t index) const { return names_[static_cast<size_t>(index)]; }
  size_t size() const { return names_.size(); }
  void Reserve(size_t names) {
    index_.reserve(names);
    names_.reserve(names);
  }

 private:
  // Looked up by string_view without making a std::string.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
  };
  std::unordered_map<std::string, int32_t, Hash, std::equal_to<>> index_;
  std::vector<std::string> names_;
};

// One entry's fields as views, for appending without making an Entry (a
// store reading millions of rows hands its row buffers over directly).
struct EntryView {
  std::string_view id, donor, fund, appeal, event, settles, reverses;
  EntryKind kind = EntryKind::kReceipt;
  Region region = Region::kNone;
  Channel channel = Channel::kNone;
  int32_t value_day = 0;
  int32_t attributed_year = 0;
  int32_t probability_ppm = -1;  // -1: not given
  Instant recorded_at = 0;
  int64_t usd_cents = 0;
  int64_t amount_minor = 0;
};

struct EntryColumns {
  static constexpr int32_t kNone = -1;

  Interner ids, donors, funds, appeals, events;
  std::vector<EntryKind> kind;
  std::vector<Region> region;
  std::vector<Channel> channel;
  std::vector<int32_t> donor, fund, appeal, event;  // kNone when not given
  std::vector<int32_t> settles, reverses;           // positions; kNone when not given
  std::vector<int32_t> value_day;                   // Date::days
  std::vector<int32_t> attributed_year;
  std::vector<int32_t> probability_ppm;             // kNone when not given
  std::vector<Instant> recorded_at;
  std::vector<int64_t> usd_cents;
  std::vector<int64_t> amount_minor;

  size_t size() const { return kind.size(); }
  void Append(const Entry& entry);
  void Append(const EntryView& entry);
  void Reserve(size_t entries);

 private:
  // Entries named by `settles`/`reverses` before they were appended:
  // id -> positions waiting for it, and which column.
  std::unordered_map<std::string, std::vector<std::pair<int32_t, bool>>> pending_;
};

EntryColumns ToColumns(const std::vector<Entry>& entries);

}  // namespace rmis::ledger
