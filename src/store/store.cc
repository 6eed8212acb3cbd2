// Chooses the store implementation from the location's form.
#include "store/store.h"

#include <algorithm>
#include <iterator>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace rmis::store {

std::string_view Name(Role role) {
  switch (role) {
    case Role::kAdmin: return "admin";
    case Role::kOfficer: return "officer";
    case Role::kFocalPoint: return "focal_point";
    case Role::kViewer: return "viewer";
  }
  return "viewer";
}

std::optional<Role> ParseRole(std::string_view text) {
  for (Role role : {Role::kAdmin, Role::kOfficer, Role::kFocalPoint, Role::kViewer}) {
    if (Name(role) == text) return role;
  }
  return std::nullopt;
}

Result<StoreContents> Store::ReadContents() {
  // Keeps what is streamed; the reference records come back in the contents.
  class Keep : public ContentsReader {
   public:
    void OnReference(const ledger::Ledger&) override {}
    void OnEntry(const ledger::Entry& entry) override { entries.push_back(entry); }
    std::vector<ledger::Entry> entries;
  } keep;
  auto contents = StreamContents(keep);
  if (contents) contents->ledger.entries = std::move(keep.entries);
  return contents;
}

std::optional<std::vector<int64_t>> MatchingSeqs(const ledger::EntryColumns& c, const EntryFilter& filter) {
  if (!filter.id.empty() || !filter.settles.empty() || !filter.seqs.empty()) return std::nullopt;
  std::vector<int64_t> seqs;
  // A name's number in the columns; kAny: not filtered; a name the columns
  // never saw matches nothing.
  constexpr int32_t kAny = -2;
  bool none = false;
  auto number = [&](const ledger::Interner& names, const std::string& name) {
    if (name.empty()) return kAny;
    const int32_t found = names.Find(name);
    if (found < 0) none = true;
    return found;
  };
  const int32_t donor = number(c.donors, filter.donor), fund = number(c.funds, filter.fund);
  const int32_t appeal = number(c.appeals, filter.appeal), event = number(c.events, filter.event);
  if (none) return seqs;
  auto matches = [&](size_t p) {
    if (donor != kAny && c.donor[p] != donor) return false;
    if (fund != kAny && c.fund[p] != fund) return false;
    if (appeal != kAny && c.appeal[p] != appeal) return false;
    if (event != kAny && c.event[p] != event) return false;
    if (filter.kind && c.kind[p] != *filter.kind) return false;
    if (filter.from && c.value_day[p] < filter.from->days) return false;
    if (filter.to && c.value_day[p] > filter.to->days) return false;
    if (filter.attributed_year && c.attributed_year[p] != *filter.attributed_year) return false;
    if (filter.region && c.region[p] != *filter.region) return false;
    if (filter.known_at && c.recorded_at[p] > *filter.known_at) return false;
    return true;
  };
  // Positions p with after_seq < p + 1 < before_seq.
  const auto size = static_cast<int64_t>(c.size());
  const int64_t begin = std::clamp<int64_t>(filter.after_seq, 0, size);
  const int64_t end = filter.before_seq > 0 ? std::clamp<int64_t>(filter.before_seq - 1, 0, size) : size;
  const auto full = [&] { return filter.limit > 0 && static_cast<int64_t>(seqs.size()) >= filter.limit; };
  if (filter.newest_first) {
    for (int64_t p = end - 1; p >= begin && !full(); --p) {
      if (matches(static_cast<size_t>(p))) seqs.push_back(p + 1);
    }
  } else {
    for (int64_t p = begin; p < end && !full(); ++p) {
      if (matches(static_cast<size_t>(p))) seqs.push_back(p + 1);
    }
  }
  return seqs;
}

std::optional<std::vector<ListedEntry>> ListHeld(Store& store, size_t held, const EntryFilter& filter,
                                                 std::vector<int64_t> seqs) {
  EntryFilter last;
  last.newest_first = true;
  last.limit = 1;
  auto newest = store.ListEntries(last);
  if (!newest || (newest->empty() ? 0 : static_cast<size_t>(newest->front().seq)) != held) return std::nullopt;
  if (seqs.empty()) return std::vector<ListedEntry>{};
  EntryFilter by_seq = filter;
  by_seq.seqs = std::move(seqs);
  auto list = store.ListEntries(by_seq);
  if (!list || list->size() != by_seq.seqs.size()) return std::nullopt;
  for (size_t i = 0; i < list->size(); ++i) {
    if ((*list)[i].seq != by_seq.seqs[i]) return std::nullopt;
  }
  return std::move(*list);
}

ImportResult SummarizePlan(ledger::PlanOutcome& outcome) {
  ImportResult result;
  result.unchanged = outcome.plan.unchanged;
  if (!outcome.problems.empty()) {
    result.problems = std::move(outcome.problems);
    result.truncated = outcome.truncated;
    return result;
  }
  const ledger::Ledger& add = outcome.plan.additions;
  result.added = add.donors.size() + add.funds.size() + add.targets.size() + add.appeals.size() +
                 add.events.size() + add.rates.size() + add.entries.size();
  result.entries_added = add.entries.size();
  for (const auto& e : add.entries) result.entry_ids.push_back(e.id);
  if (add.entries.size() <= kEchoEntries) result.entries = add.entries;
  return result;
}

Result<ImportResult> Store::ImportStream(const ledger::Dataset& reference, const EntrySource& next_chunk,
                                        const WriteOptions& options) {
  ledger::Dataset dataset = reference;
  std::vector<ledger::Problem> read_problems;
  EntryChunk chunk;
  while (next_chunk(chunk)) {
    std::move(chunk.entries.begin(), chunk.entries.end(), std::back_inserter(dataset.entries));
    std::move(chunk.problems.begin(), chunk.problems.end(), std::back_inserter(read_problems));
    chunk = EntryChunk();
  }
  auto result = read_problems.empty() ? Import(dataset, options) : Check(dataset);
  if (!result || read_problems.empty()) return result;
  result->truncated = result->truncated || read_problems.size() + result->problems.size() > ledger::kMaxProblems;
  read_problems.insert(read_problems.end(), result->problems.begin(), result->problems.end());
  if (read_problems.size() > ledger::kMaxProblems) read_problems.resize(ledger::kMaxProblems);
  result->problems = std::move(read_problems);
  result->added = result->entries_added = 0;
  result->entry_ids.clear();
  result->entries.clear();
  return result;
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& location, OpenMode mode,
                                         StoreEnvironment environment) {
  if (location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0) {
    return OpenPostgresStore(location, mode, std::move(environment));
  }
  if (location.empty()) return Fail(ErrorCode::kInvalidArgument, "no store given");
  return OpenSqliteStore(location, mode, std::move(environment));
}

}  // namespace rmis::store
