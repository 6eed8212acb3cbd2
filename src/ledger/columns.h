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
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ledger/dataset.h"
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
  // A checksum of the first `count` names in their order (FNV-1a over each
  // name's length and bytes, the same on every machine): a column segment
  // stores names by number and keeps this to check, when it is loaded, that
  // the numbers still mean the same names. Remembers what it computed, so
  // it is not for concurrent use.
  uint64_t Fingerprint(size_t count) const;

 private:
  // Looked up by string_view without making a std::string.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
  };
  std::unordered_map<std::string, int32_t, Hash, std::equal_to<>> index_;
  std::vector<std::string> names_;
  mutable std::vector<uint64_t> fingerprints_;  // [k]: Fingerprint(k + 1)
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

struct YearKeys;  // columns.cc
class SegmentSource;

// The fields of one entry that a report's main pass reads, side by side, in
// one cache line (see EntryColumns::Plan; what it settles or reverses is in
// the plan's links).
struct ReportRow {
  int64_t usd_cents = 0;
  int64_t amount_minor = 0;
  Instant recorded_at = 0;
  int32_t position = 0;
  int32_t donor = 0, fund = 0, appeal = 0, event = 0;
  int32_t value_day = 0;
  int32_t attributed_year = 0;
  int32_t probability_ppm = 0;
  EntryKind kind = EntryKind::kReceipt;
  Region region = Region::kNone;
  Channel channel = Channel::kNone;
};

// How a report reads the entries of one year (see EntryColumns::Plan): the
// union of the year's list and the every-year list, as far as each went when
// the plan was made, split into runs of consecutive positions, read from the
// columns as they lie, and the entries scattered between them, copied side by
// side into rows. Both ascending; together each entry once.
struct ReportPlan {
  struct Run {
    int32_t begin, end;  // positions [begin, end)
    size_t first_block;  // its blocks' earliest value dates start at block_first_day[first_block]
  };
  // A run's entries in blocks of this many (the last may be shorter), each
  // with the earliest value date in it: a report as of an earlier day skips
  // the block (half a year's run, for a report as of 30 June).
  static constexpr int32_t kBlock = 256;
  std::vector<int32_t> block_first_day;  // empty: no blocks (none skipped)
  // The same for the rows: rows[kBlock * b, kBlock * (b + 1)) start at
  // row_block_first_day[b] (rows lie in position order, which follows dates
  // closely enough: next year's settlements are skipped whole).
  std::vector<int32_t> row_block_first_day;
  // An entry of the plan that settles or reverses another (`target`), with
  // what a report needs to know what it settled or removed.
  struct Link {
    int32_t target;
    int32_t value_day;
    int64_t amount_minor;
    Instant recorded_at;
    EntryKind kind;
  };
  std::vector<Run> runs;
  std::vector<ReportRow> rows;
  std::vector<Link> links;  // ordered by target
  size_t year_listed = 0;    // how much of YearPositions(year) it covers
  size_t always_listed = 0;  // how much of AlwaysPositions() it covers
};

// Plans made for earlier reports (a cache: a copy of the columns starts
// without, and makes its own when asked).
class ReportPlanCache {
 public:
  ReportPlanCache() = default;
  ReportPlanCache(const ReportPlanCache&) {}
  ReportPlanCache& operator=(const ReportPlanCache&) {
    std::lock_guard<std::mutex> lock(mutex);
    plans.clear();
    return *this;
  }
  ReportPlanCache(ReportPlanCache&& other) noexcept : plans(std::move(other.plans)) {}
  ReportPlanCache& operator=(ReportPlanCache&& other) noexcept {
    std::lock_guard<std::mutex> lock(mutex);
    plans = std::move(other.plans);
    return *this;
  }

  struct Cached {
    int year;
    uint64_t generation;      // EntryColumns' generation it was made for
    uint64_t last_used;
    std::shared_ptr<const ReportPlan> plan;
  };
  std::mutex mutex;
  std::vector<Cached> plans;
  uint64_t clock = 0;
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
  // Resolves `settles` and `reverses` by id through `ids` (an id not yet
  // appended waits for it).
  void Append(const EntryView& entry);
  // Appends with `settles` and `reverses` already resolved to positions (a
  // store resolves them itself, and then `ids` is left empty: on millions of
  // entries it would be the largest column of all).
  void AppendResolved(const EntryView& entry, int32_t settles_position, int32_t reverses_position);
  void Reserve(size_t entries);
  // Filling in place, from several threads (a store reads a large run of rows
  // on two connections at once, each into its own range of positions):
  // Extend makes the columns `count` entries longer; SetResolved fills one of
  // them as AppendResolved would have appended it, and the threads may call
  // it at once for different positions when `intern` is false (names are
  // then only looked up: it returns false, the position half filled, for a
  // name not numbered yet, to be filled again with `intern`, on one thread);
  // once all are filled, IndexFilled lists [begin, end) in the year index.
  void Extend(size_t count);
  bool SetResolved(size_t position, const EntryView& entry, int32_t settles_position, int32_t reverses_position,
                   bool intern);
  void IndexFilled(size_t begin, size_t end);

  // --- The year index: which positions a report for one year must read. ----
  // An entry is listed under the year of its value date, its attributed
  // year, and every year the entry it settles or reverses is listed under;
  // an entry with an appeal or an event (whose figures add up over all
  // years), or that settles or reverses one, is listed in `always`. A report
  // for year Y reads the union of YearPositions(Y) and AlwaysPositions(),
  // both ascending, instead of every entry (docs/performance.md).
  const std::vector<int32_t>& YearPositions(int year) const;
  const std::vector<int32_t>& AlwaysPositions() const { return always_; }
  // How to read the entries a report for `year` reads (YearPositions(year)
  // and AlwaysPositions()) fast: runs of consecutive positions from the
  // columns, and the entries scattered between them (a year's list reaches
  // into the years around it: entries attributed to it, settlements a year
  // later; every-year entries lie all over the ledger) copied side by side,
  // one row in two cache lines instead of fifteen. On 10 million entries
  // these were three quarters of a report's time. A report reads what was
  // appended after the plan was made from the columns. Kept for later
  // reports (the last few years asked) and made again when much was
  // appended; concurrent readers may call it.
  std::shared_ptr<const ReportPlan> Plan(int year) const;
  // Drops the plans kept (`rmis check` asks for every year once: keeping
  // plans it will not ask for again only adds to its peak memory).
  void ForgetPlans() const {
    std::lock_guard<std::mutex> lock(plans_.mutex);
    plans_.plans.clear();
  }
  // The same lists, only the entries that settle or reverse another: what a
  // report reads first, to know what was settled and what was reversed.
  const std::vector<int32_t>& YearLinkPositions(int year) const;
  const std::vector<int32_t>& AlwaysLinkPositions() const { return always_links_; }
  // False after an entry named by an earlier one arrived (Append by id): the
  // lists may miss that pair until Reindex runs. A report then reads every
  // entry.
  bool indexed() const { return indexed_; }
  // Rebuilds the year index from the columns.
  void Reindex();
  // Forgets the index until Reindex: reports read every entry (to check the
  // index against, in tests and benchmarks).
  void DropIndex() {
    ++generation_;
    for (auto& list : by_year_) list.clear();
    for (auto& list : by_year_links_) list.clear();
    always_.clear();
    always_links_.clear();
    indexed_ = false;
  }
  // Lists entries [begin, end), appended to the columns directly.
  void IndexRange(size_t begin, size_t end);

 private:
  static constexpr int kFirstYear = 1900;
  static constexpr int kYears = 400;
  void IndexEntry(int32_t position);
  friend std::string EncodeSegment(const EntryColumns& columns, size_t begin, size_t end);
  friend bool DecodeSegment(const SegmentSource& source, EntryColumns& columns, size_t entries);
  void CollectKeys(int32_t position, YearKeys& keys, int depth) const;

  std::vector<std::vector<int32_t>> by_year_ = std::vector<std::vector<int32_t>>(kYears);
  std::vector<std::vector<int32_t>> by_year_links_ = std::vector<std::vector<int32_t>>(kYears);
  std::vector<int32_t> always_;
  std::vector<int32_t> always_links_;
  bool indexed_ = true;
  // Changes whenever the lists may be rebuilt or an entry's links change, so
  // that rows copied before are not used after.
  uint64_t generation_ = 1;
  mutable ReportPlanCache plans_;

  // Entries named by `settles`/`reverses` before they were appended:
  // id -> positions waiting for it, and which column.
  std::unordered_map<std::string, std::vector<std::pair<int32_t, bool>>> pending_;
};

EntryColumns ToColumns(const std::vector<Entry>& entries);

// Numbers the names of `reference`'s donors, funds, appeals and events in
// their stored order (names numbered already keep their numbers): what a
// store does before it loads segments, which hold names by those numbers.
void NumberNames(const Ledger& reference, EntryColumns& columns);

// Entries per segment a store seals: 65,536 make a block of about 4 MiB.
inline constexpr int64_t kSegmentEntries = 65536;

// A segment: the columns of entries [begin, end) in one block of bytes, so
// that a store can keep sealed runs of entries ready to load without parsing
// rows (docs/architecture.md, "Column segments"). Donors, funds, appeals and
// events are written as the numbers `columns` gives them, with each
// interner's size and Fingerprint: a segment decodes only into columns whose
// interners start with the very same names in the same order (a store
// numbers them in its own stored order, so no name is read or looked up on
// load). `settles` and `reverses` are positions, so a segment is only valid
// for the ledger it was cut from.
std::string EncodeSegment(const EntryColumns& columns, size_t begin, size_t end);

// Where a segment's bytes are read from: a range at a time, straight into
// the columns' arrays (a store reads them from its blob without a copy of
// the whole segment).
class SegmentSource {
 public:
  virtual ~SegmentSource() = default;
  virtual size_t size() const = 0;
  // Copies bytes [offset, offset + size) to `to`; false when it cannot.
  virtual bool Read(size_t offset, void* to, size_t size) const = 0;
};

// Appends the segment's entries at the end of `columns`. False, with
// `columns` as it was, when the data is not a segment or names other donors,
// funds, appeals or events than `columns` does (the store then reads the
// rows instead). `entries`: how many entries the ledger holds, the bound for
// `settles` and `reverses` (0: only positions up to the segment's end).
bool DecodeSegment(const SegmentSource& source, EntryColumns& columns, size_t entries = 0);
bool DecodeSegment(std::string_view data, EntryColumns& columns, size_t entries = 0);

}  // namespace rmis::ledger
