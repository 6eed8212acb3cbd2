// The streamed import's chunk planning (see import_stream.h).
#include "store/import_stream.h"

#include <sodium.h>

#include <climits>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "ledger/columns.h"
#include "store/audit.h"

namespace rmis::store {
namespace {

using ledger::Entry;
using ledger::EntryKind;
using ledger::Located;
using ledger::Problem;

// The audit record of a streamed import says what audit::DescribeAdditions
// says of the same additions: every record when there are at most this many
// (audit.cc), else the counts and the SHA-256 of the entry ids, one a line.
constexpr size_t kFullRecordsUpTo = 100;

class AuditSummary {
 public:
  AuditSummary() {
    static const int initialized = sodium_init();
    (void)initialized;
    crypto_hash_sha256_init(&ids_hash_);
  }
  void AddReference(const ledger::Ledger& add) {
    auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
    append(kept_.donors, add.donors);
    append(kept_.funds, add.funds);
    append(kept_.targets, add.targets);
    append(kept_.appeals, add.appeals);
    append(kept_.events, add.events);
    append(kept_.rates, add.rates);
    reference_ += add.donors.size() + add.funds.size() + add.targets.size() + add.appeals.size() +
                  add.events.size() + add.rates.size();
  }
  void AddEntries(const std::vector<Entry>& entries) {
    for (const Entry& e : entries) {
      crypto_hash_sha256_update(&ids_hash_, reinterpret_cast<const unsigned char*>(e.id.data()), e.id.size());
      crypto_hash_sha256_update(&ids_hash_, reinterpret_cast<const unsigned char*>("\n"), 1);
      if (entries_ == 0) first_ = e.id;
      last_ = e.id;
      ++entries_;
      if (reference_ + entries_ <= kFullRecordsUpTo) kept_.entries.push_back(e);
    }
  }
  std::string Describe(size_t unchanged, const std::string& source) {
    if (reference_ + entries_ <= kFullRecordsUpTo) return audit::DescribeAdditions(kept_, unchanged, source);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&ids_hash_, digest);
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    nlohmann::ordered_json out;
    out["source"] = source;
    out["unchanged"] = unchanged;
    out["added"] = {{"donors", kept_.donors.size()},   {"funds", kept_.funds.size()},
                    {"targets", kept_.targets.size()}, {"appeals", kept_.appeals.size()},
                    {"events", kept_.events.size()},   {"rates", kept_.rates.size()},
                    {"entries", entries_}};
    out["entry_ids_sha256"] = std::string(hex);
    if (entries_ > 0) {
      out["first_entry"] = first_;
      out["last_entry"] = last_;
    }
    return out.dump();
  }

 private:
  ledger::Ledger kept_;  // the reference additions, and the first entries
  size_t reference_ = 0;
  size_t entries_ = 0;
  std::string first_, last_;
  crypto_hash_sha256_state ids_hash_;
};

// The pledges and expectations this import has appended, each with the sum
// of the live receipts and write-offs that settle it (issue 6). A chunk that
// settles or reverses one of them gets stand-ins from here instead of
// reading it and its settlements back from the store: at ten million
// entries that reading back was a third of the import, most of it the
// store's page misses.
//
// The stand-ins are the pledge, with the fields the checks of links read
// (kind, donor, fund, amount), and one receipt that settles it by the sum.
// A plan made with stand-ins is only kept when it has no problems (a chunk
// with problems is planned again from the store: StreamedImport::
// PlanExactly), and stand-ins can only add problems, never hide one: the sum
// is never less than what is settled (amounts are positive, and see Note).
// A row repeating the pledge's id never meets its stand-in (a chunk's own
// ids are not among those it names); should one, the value date no row can
// have keeps it from being taken for the same entry. What a sum cannot
// follow exactly (the pledge reversed, one of its settlements reversed)
// drops the pledge, which is then read from the store again when named; so
// does a pledge settled in full, to spare memory.
class OpenPledges {
 public:
  // At about 100 bytes a pledge (with an id of up to 15 characters; a longer
  // one takes its own allocation too): at most about 200 MB. Ten million
  // generated entries hold two million pledges and expectations, most
  // settled in full before the end.
  static constexpr size_t kMostKept = 2'000'000;

  bool Has(std::string_view id) const { return open_.find(id) != open_.end(); }

  // Appends the stand-ins of `id` (which Has) to `entries`, and their
  // sequence numbers to `seqs` (0 for the sum: no row gave it).
  void AddStandIns(std::string_view id, std::vector<Entry>& entries, std::vector<int64_t>& seqs) const {
    const auto it = open_.find(id);
    const Open& open = it->second;
    Entry pledge;
    pledge.id = it->first;
    pledge.kind = open.kind;
    pledge.donor = names_.Name(open.donor);
    pledge.fund = names_.Name(open.fund);
    pledge.amount = open.amount;
    pledge.value_date = ledger::Date{INT32_MIN};
    entries.push_back(std::move(pledge));
    seqs.push_back(open.seq);
    if (open.settled == 0) return;
    Entry sum;
    // Not an id a row can give (ids are checked when read): never named.
    sum.id = std::string("\x1f" "settled ") + it->first;
    sum.kind = EntryKind::kReceipt;
    sum.donor = entries.back().donor;
    sum.fund = entries.back().fund;
    sum.amount = money::Money(open.settled, open.amount.currency());
    sum.settles = it->first;
    entries.push_back(std::move(sum));
    seqs.push_back(0);
  }

  // Takes in `appended`, the entries of one chunk as stored from
  // `first_seq` on, and drops `dropped`.
  void Note(const std::vector<Entry>& appended, int64_t first_seq, const std::vector<std::string>& dropped) {
    // Pledges first: a settlement that waited for its pledge comes before
    // it in the chunk.
    for (size_t i = 0; i < appended.size(); ++i) {
      const Entry& e = appended[i];
      if ((e.kind != EntryKind::kPledge && e.kind != EntryKind::kExpected) || open_.size() >= kMostKept) continue;
      open_.emplace(e.id, Open{first_seq + static_cast<int64_t>(i), e.amount, 0, names_.Intern(e.donor), names_.Intern(e.fund), e.kind});
    }
    for (const Entry& e : appended) {
      if (e.settles.empty()) continue;
      auto it = open_.find(e.settles);
      if (it == open_.end()) continue;
      it->second.settled += e.amount.minor_units();
      if (it->second.settled >= it->second.amount.minor_units()) open_.erase(it);
    }
    for (const std::string& id : dropped) {
      if (auto it = open_.find(id); it != open_.end()) open_.erase(it);
    }
  }

 private:
  struct Open {
    int64_t seq;
    money::Money amount;
    int64_t settled;  // minor units, by live settlements
    int32_t donor, fund;
    EntryKind kind;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
  };
  std::unordered_map<std::string, Open, Hash, std::equal_to<>> open_;
  ledger::Interner names_;  // donors and funds, numbered
};

class StreamedImport {
 public:
  StreamedImport(StreamTarget& target, const ledger::Ledger& stored_reference,
                 const ledger::CountryCheck& is_country)
      : target_(target), reference_(stored_reference), is_country_(is_country) {}

  Status PlanReference(const ledger::Dataset& dataset) {
    ledger::Dataset head;
    head.donors = dataset.donors;
    head.funds = dataset.funds;
    head.targets = dataset.targets;
    head.appeals = dataset.appeals;
    head.events = dataset.events;
    head.rates = dataset.rates;
    ledger::ChunkPlanOptions keep;
    keep.keep_additions = true;
    ledger::PlanOutcome outcome = ledger::PlanImport(reference_, {}, head, is_country_, keep);
    TakeProblems(outcome);
    const ledger::Ledger& add = outcome.plan.additions;
    auto appended = target_.Append(add);
    if (!appended) return tl::unexpected(appended.error());
    auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
    append(reference_.donors, add.donors);
    append(reference_.funds, add.funds);
    append(reference_.targets, add.targets);
    append(reference_.appeals, add.appeals);
    append(reference_.events, add.events);
    append(reference_.rates, add.rates);
    result_.unchanged += outcome.plan.unchanged;
    result_.added += add.donors.size() + add.funds.size() + add.targets.size() + add.appeals.size() +
                     add.events.size() + add.rates.size();
    audit_.AddReference(add);
    return {};
  }

  // Plans `rows` after the rows that wait from earlier chunks, and appends
  // the chunk planned before them; `last`: nothing comes after, so nothing
  // may wait. The chunk planned here is appended by the next call or by
  // Flush.
  //
  // The two overlap (issue 6): while the store appends chunk k on a thread
  // of its own, this thread plans chunk k+1. The stored entries chunk k+1
  // names are read before chunk k is appended, so they are those of chunks
  // up to k-1; what it names in chunk k comes from chunk k's plan, in
  // memory. When chunk k meets a stored id, or chunk k+1 has problems,
  // chunk k+1 is planned again once chunk k is stored, with its own ids
  // looked up: exact, as before.
  Status PlanChunk(std::vector<Located<Entry>>&& rows, bool last) {
    Planned next;
    ledger::Dataset& chunk = next.chunk;
    if (waiting_.empty()) {
      chunk.entries = std::move(rows);
    } else {
      chunk.entries = std::move(waiting_);
      waiting_.clear();
      chunk.entries.reserve(chunk.entries.size() + rows.size());
      std::move(rows.begin(), rows.end(), std::back_inserter(chunk.entries));
      rows.clear();
    }
    if (chunk.entries.empty()) return {};
    if (file_.empty()) file_ = chunk.entries.front().where.file;

    // The ids the chunk names that it does not hold: they must be stored.
    std::unordered_set<std::string_view> in_chunk;
    in_chunk.reserve(chunk.entries.size());
    for (const auto& item : chunk.entries) in_chunk.insert(item.value.id);
    {
      std::unordered_set<std::string_view> seen;
      for (const auto& item : chunk.entries) {
        for (const std::string* id : {&item.value.settles, &item.value.reverses}) {
          if (!id->empty() && !in_chunk.count(*id) && seen.insert(*id).second) next.named.push_back(*id);
        }
      }
    }
    // The store is idle here: nothing is being appended.
    std::vector<Entry> stored;
    std::vector<int64_t> seqs;
    if (auto status = LoadNamed(next.named, stored, seqs); !status) return status;
    std::vector<ledger::SourceLocation> where = WhereGiven(seqs);

    std::future<Result<int64_t>> appending;
    if (planned_) {
      const ledger::Ledger& additions = planned_->outcome.plan.additions;
      appending = std::async(std::launch::async, [this, &additions] { return target_.Append(additions); });
      AddNamedFromPlanned(next.named, stored, where);
    }
    if (!last) Defer(chunk, in_chunk, stored);
    if (!chunk.entries.empty()) Plan(next, stored, where);

    bool replanned = false;
    if (planned_) {
      if (auto status = FinishPlanned(appending.get(), replanned); !status) return status;
    }
    if (chunk.entries.empty()) return {};
    if (replanned || !next.outcome.problems.empty()) {
      if (auto status = PlanExactly(next); !status) return status;
    }
    next.lines = LinesOf(next.outcome.plan.additions.entries, chunk);
    planned_ = std::move(next);
    return {};
  }

  // Appends the chunk planned last, if any.
  Status Flush() {
    if (!planned_) return {};
    bool replanned = false;
    return FinishPlanned(target_.Append(planned_->outcome.plan.additions), replanned);
  }

  // The problems of reading the rows given next: they follow those of the
  // chunk being appended, as in one dataset.
  void AddReadProblems(std::vector<Problem>& problems) {
    for (auto& problem : problems) read_problems_.push_back(std::move(problem));
    if (!planned_) TakeReadProblems();
  }
  bool full() const { return result_.problems.size() >= ledger::kMaxProblems; }
  bool waiting() const { return !waiting_.empty(); }
  void MarkTruncated() { result_.truncated = true; }

  StreamOutcome Finish(const std::string& source) {
    TakeReadProblems();
    StreamOutcome out;
    out.result = std::move(result_);
    if (out.result.problems.empty()) {
      out.audit_after = audit_.Describe(out.result.unchanged, source);
    } else {
      out.result.added = out.result.entries_added = 0;
    }
    return out;
  }

 private:
  // A chunk planned and not yet appended.
  struct Planned {
    ledger::Dataset chunk;           // its rows, those that wait moved out
    std::vector<std::string> named;  // the ids it names that it does not hold
    ledger::PlanOutcome outcome;
    std::vector<std::string> dropped;  // what appending it takes out of open_ (see Dropped)
    bool exact = false;              // planned with its own ids looked up
    std::vector<uint32_t> lines;     // the line of each entry to append (0: none)
  };

  void Plan(Planned& planned, const std::vector<Entry>& stored, const std::vector<ledger::SourceLocation>& where) {
    ledger::ChunkPlanOptions options;
    options.stored_where = &where;
    options.keep_additions = true;
    planned.outcome = ledger::PlanImport(reference_, stored, planned.chunk, is_country_, options);
    planned.dropped = Dropped(planned.outcome.plan.additions.entries, stored);
  }

  // What LoadNamed of the store gives for `named`, with stand-ins for the
  // pledges open_ holds instead of what the store holds of them. When the
  // store gives a settlement of one of these (named, so perhaps reversed by
  // the chunk, which the sum cannot tell), everything comes from the store.
  Status LoadNamed(const std::vector<std::string>& named, std::vector<Entry>& stored, std::vector<int64_t>& seqs) {
    std::vector<std::string> rest;
    std::unordered_set<std::string_view> open;
    rest.reserve(named.size());
    for (const std::string& id : named) {
      if (open_.Has(id)) {
        open.insert(id);
      } else {
        rest.push_back(id);
      }
    }
    if (open.empty()) return target_.LoadNamed(named, stored, seqs);
    const size_t first = stored.size();
    if (auto status = target_.LoadNamed(rest, stored, seqs); !status) return status;
    for (size_t i = first; i < stored.size(); ++i) {
      if (!stored[i].settles.empty() && open.count(stored[i].settles)) {
        stored.resize(first);
        seqs.resize(first);
        return target_.LoadNamed(named, stored, seqs);
      }
    }
    for (const std::string& id : named) {
      if (open.count(id)) open_.AddStandIns(id, stored, seqs);
    }
    return {};
  }

  // The pledges that appending `additions` takes out of open_: those they
  // reverse, and those that an entry they reverse settles (looked up among
  // `stored`, the entries they were planned against, and themselves).
  static std::vector<std::string> Dropped(const std::vector<Entry>& additions, const std::vector<Entry>& stored) {
    std::vector<std::string> dropped;
    std::unordered_map<std::string_view, std::string_view> settles;  // id -> what it settles
    bool listed = false;
    for (const Entry& e : additions) {
      if (e.kind != EntryKind::kReversal) continue;
      if (!listed) {
        for (const auto* list : {&stored, &additions}) {
          for (const Entry& s : *list) {
            if (!s.settles.empty()) settles.emplace(s.id, s.settles);
          }
        }
        listed = true;
      }
      dropped.push_back(e.reverses);
      if (auto it = settles.find(e.reverses); it != settles.end()) dropped.emplace_back(it->second);
    }
    return dropped;
  }

  // Plans again with the chunk's own ids looked up in the store, which holds
  // every chunk before it: exact, for a chunk that repeats stored ids or has
  // problems.
  Status PlanExactly(Planned& planned) {
    std::vector<std::string> ids;
    ids.reserve(planned.chunk.entries.size() + planned.named.size());
    for (const auto& item : planned.chunk.entries) ids.push_back(item.value.id);
    for (const auto& id : planned.named) ids.push_back(id);
    std::vector<Entry> stored;
    std::vector<int64_t> seqs;
    if (auto status = target_.LoadNamed(ids, stored, seqs); !status) return status;
    Plan(planned, stored, WhereGiven(seqs));
    planned.exact = true;
    return {};
  }

  // Takes the outcome of appending planned_. A chunk that met a stored id
  // (and was not planned exactly) is planned exactly and appended again;
  // `replanned` then tells the caller that what it planned against this
  // chunk's plan must be planned again.
  Status FinishPlanned(Result<int64_t> first_seq, bool& replanned) {
    Planned& planned = *planned_;
    if (!first_seq && first_seq.error().code == ErrorCode::kConflict && !planned.exact) {
      if (auto status = PlanExactly(planned); !status) return status;
      planned.lines = LinesOf(planned.outcome.plan.additions.entries, planned.chunk);
      first_seq = target_.Append(planned.outcome.plan.additions);
      replanned = true;
    }
    if (!first_seq) return tl::unexpected(first_seq.error());
    const std::vector<Entry>& appended = planned.outcome.plan.additions.entries;
    NoteLines(*first_seq, appended.size(), planned.lines);
    open_.Note(appended, *first_seq, planned.dropped);
    TakeProblems(planned.outcome);
    TakeReadProblems();
    result_.unchanged += planned.outcome.plan.unchanged;
    result_.added += appended.size();
    result_.entries_added += appended.size();
    audit_.AddEntries(appended);
    planned_.reset();
    return {};
  }

  // Adds to `stored` what LoadNamed would give for `named` from planned_'s
  // entries, which are being appended: those with a named id or settling
  // one, and those reversing any of these or of `stored`.
  void AddNamedFromPlanned(const std::vector<std::string>& named, std::vector<Entry>& stored,
                           std::vector<ledger::SourceLocation>& where) const {
    if (named.empty()) return;
    const std::vector<Entry>& entries = planned_->outcome.plan.additions.entries;
    const std::vector<uint32_t>& lines = planned_->lines;
    auto add = [&](size_t i) {
      stored.push_back(entries[i]);
      where.push_back(lines[i] > 0 ? ledger::SourceLocation{file_, lines[i]} : ledger::SourceLocation{});
    };
    std::unordered_set<std::string_view> wanted(named.begin(), named.end());
    std::vector<char> taken(entries.size(), 0);
    for (size_t i = 0; i < entries.size(); ++i) {
      if (wanted.count(entries[i].id) || (!entries[i].settles.empty() && wanted.count(entries[i].settles))) {
        taken[i] = 1;
      }
    }
    // Views of `stored` ids: nothing is added to it until they are done with
    // (an addition may move its entries, and with them the ids short enough
    // to live inside their strings).
    std::unordered_set<std::string_view> loaded;
    for (const Entry& e : stored) loaded.insert(e.id);
    for (size_t i = 0; i < entries.size(); ++i) {
      if (taken[i]) loaded.insert(entries[i].id);
    }
    for (size_t i = 0; i < entries.size(); ++i) {
      if (!taken[i] && !entries[i].reverses.empty() && loaded.count(entries[i].reverses)) taken[i] = 1;
    }
    loaded.clear();
    for (size_t i = 0; i < entries.size(); ++i) {
      if (taken[i]) add(i);
    }
  }

  // Moves to waiting_ the rows that settle or reverse an id neither stored
  // nor in the chunk, and the rows that name a row that waits.
  void Defer(ledger::Dataset& chunk, const std::unordered_set<std::string_view>& in_chunk,
             const std::vector<Entry>& stored) {
    std::unordered_set<std::string_view> known;
    for (const Entry& e : stored) known.insert(e.id);
    auto unknown = [&](const std::string& id) { return !id.empty() && !in_chunk.count(id) && !known.count(id); };
    std::vector<char> wait(chunk.entries.size(), 0);
    std::unordered_set<std::string_view> waiting_ids;
    bool any = false;
    for (size_t i = 0; i < chunk.entries.size(); ++i) {
      const Entry& e = chunk.entries[i].value;
      if (unknown(e.settles) || unknown(e.reverses)) {
        wait[i] = 1;
        waiting_ids.insert(e.id);
        any = true;
      }
    }
    // A reversal of a receipt that waits waits too (and so on, until
    // nothing changes: chains are short).
    for (bool changed = any; changed;) {
      changed = false;
      for (size_t i = 0; i < chunk.entries.size(); ++i) {
        if (wait[i]) continue;
        const Entry& e = chunk.entries[i].value;
        if ((!e.settles.empty() && waiting_ids.count(e.settles)) ||
            (!e.reverses.empty() && waiting_ids.count(e.reverses))) {
          wait[i] = 1;
          waiting_ids.insert(e.id);
          changed = true;
        }
      }
    }
    if (!any) return;
    std::vector<Located<Entry>> keep;
    keep.reserve(chunk.entries.size());
    for (size_t i = 0; i < chunk.entries.size(); ++i) {
      (wait[i] ? waiting_ : keep).push_back(std::move(chunk.entries[i]));
    }
    chunk.entries = std::move(keep);
  }

  // Where each stored entry was given, when this import wrote it.
  std::vector<ledger::SourceLocation> WhereGiven(const std::vector<int64_t>& seqs) const {
    std::vector<ledger::SourceLocation> where(seqs.size());
    for (size_t i = 0; i < seqs.size(); ++i) {
      if (first_seq_ > 0 && seqs[i] >= first_seq_ && seqs[i] - first_seq_ < static_cast<int64_t>(lines_.size())) {
        int64_t line = lines_[static_cast<size_t>(seqs[i] - first_seq_)];
        if (line > 0) where[i] = ledger::SourceLocation{file_, line};
      }
    }
    return where;
  }

  // The line of each of `appended` (entries of `chunk`, in its order).
  std::vector<uint32_t> LinesOf(const std::vector<Entry>& appended, const ledger::Dataset& chunk) const {
    std::vector<uint32_t> lines;
    lines.reserve(appended.size());
    // The plan keeps the chunk's order: walk both to find each entry's row.
    size_t row = 0;
    for (const Entry& e : appended) {
      while (row < chunk.entries.size() && chunk.entries[row].value.id != e.id) ++row;
      int64_t line = row < chunk.entries.size() && chunk.entries[row].where.file == file_
                         ? chunk.entries[row].where.line
                         : 0;
      lines.push_back(line > 0 && line <= UINT32_MAX ? static_cast<uint32_t>(line) : 0);
    }
    return lines;
  }

  // Remembers the line of each appended entry, by sequence number (4 bytes
  // an entry: 40 MB for ten million).
  void NoteLines(int64_t first_seq, size_t count, const std::vector<uint32_t>& lines) {
    if (count == 0) return;
    if (first_seq_ == 0) first_seq_ = first_seq;
    if (first_seq < first_seq_) return;
    size_t at = static_cast<size_t>(first_seq - first_seq_);
    if (lines_.size() < at) lines_.resize(at, 0);
    lines_.resize(at);
    lines_.insert(lines_.end(), lines.begin(), lines.end());
  }

  void TakeReadProblems() {
    for (auto& problem : read_problems_) AddProblem(std::move(problem));
    read_problems_.clear();
  }
  void TakeProblems(ledger::PlanOutcome& outcome) {
    for (auto& problem : outcome.problems) AddProblem(std::move(problem));
    if (outcome.truncated) result_.truncated = true;
  }
  void AddProblem(Problem problem) {
    if (result_.problems.size() >= ledger::kMaxProblems) {
      result_.truncated = true;
      return;
    }
    result_.problems.push_back(std::move(problem));
  }

  StreamTarget& target_;
  ledger::Ledger reference_;  // stored, and added by this import
  const ledger::CountryCheck& is_country_;
  ImportResult result_;
  AuditSummary audit_;
  std::vector<Located<Entry>> waiting_;
  std::string file_;            // the file the entries come from
  int64_t first_seq_ = 0;       // of the first entry this import appended
  std::vector<uint32_t> lines_;  // line of each appended entry, by seq - first_seq_
  std::optional<Planned> planned_;  // planned, to be appended
  OpenPledges open_;                // appended by this import, with what settles them
  std::vector<Problem> read_problems_;  // of rows after planned_
};

}  // namespace

Result<StreamOutcome> RunStreamedImport(StreamTarget& target, const ledger::Ledger& stored_reference,
                                        const ledger::Dataset& reference, const EntrySource& next_chunk,
                                        const ledger::CountryCheck& is_country, const std::string& source) {
  StreamedImport import(target, stored_reference, is_country);
  if (auto status = import.PlanReference(reference); !status) return tl::unexpected(status.error());
  if (!reference.entries.empty()) {
    std::vector<Located<Entry>> rows = reference.entries;
    if (auto status = import.PlanChunk(std::move(rows), false); !status) return tl::unexpected(status.error());
  }
  EntryChunk chunk;
  while (!import.full() && next_chunk(chunk)) {
    import.AddReadProblems(chunk.problems);
    if (auto status = import.PlanChunk(std::move(chunk.entries), false); !status) {
      return tl::unexpected(status.error());
    }
    chunk = EntryChunk();
  }
  if (auto status = import.Flush(); !status) return tl::unexpected(status.error());
  // Stopped at the cap: there may be more problems in the rows not read.
  if (import.full()) import.MarkTruncated();
  if (import.waiting() && !import.full()) {
    if (auto status = import.PlanChunk({}, true); !status) return tl::unexpected(status.error());
    if (auto status = import.Flush(); !status) return tl::unexpected(status.error());
  }
  return import.Finish(source);
}

}  // namespace rmis::store
