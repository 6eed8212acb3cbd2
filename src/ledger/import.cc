// The ledger rules, checked for a whole dataset at once.
#include "ledger/import.h"

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace rmis::ledger {

std::string FormatProblem(const Problem& problem) {
  std::string text;
  if (!problem.file.empty()) {
    text += problem.file;
    if (problem.line > 0) text += ":" + std::to_string(problem.line);
    text += ": ";
  }
  if (!problem.field.empty()) text += problem.field + ": ";
  text += problem.message;
  return text;
}

namespace {

// Collects problems up to the cap.
class Problems {
 public:
  explicit Problems(PlanOutcome& outcome) : outcome_(outcome) {}
  void Add(const SourceLocation& where, std::string field, std::string message) {
    if (outcome_.problems.size() >= kMaxProblems) {
      outcome_.truncated = true;
      return;
    }
    outcome_.problems.push_back(Problem{where.file, where.line, std::move(field),
                                        std::move(message)});
  }
  bool any() const { return !outcome_.problems.empty(); }

 private:
  PlanOutcome& outcome_;
};

std::string Quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

// Compares two decimal rates by value ("0.90" equals "0.9").
bool SameRate(const std::string& a, const std::string& b) {
  auto ra = money::Rate::Parse(a);
  auto rb = money::Rate::Parse(b);
  if (!ra || !rb) return a == b;
  __extension__ typedef __int128 Int128;
  Int128 left = ra->mantissa();
  Int128 right = rb->mantissa();
  for (int i = ra->scale(); i < rb->scale(); ++i) left *= 10;
  for (int i = rb->scale(); i < ra->scale(); ++i) right *= 10;
  return left == right;
}

// Reference records (donors, funds, ...) share one rule: a key already stored
// or given earlier with the same content is skipped; with other content it is
// an error.
template <typename Record, typename KeyFn, typename SameFn, typename CheckFn>
void PlanRecords(const std::vector<Record>& stored, const std::vector<Located<Record>>& given,
                 std::vector<Record>& additions, size_t& unchanged, Problems& problems,
                 std::string_view what, KeyFn key_of, SameFn same, CheckFn check) {
  if (given.empty()) return;
  using Key = decltype(key_of(std::declval<const Record&>()));
  // Only the stored records with a key the dataset gives matter: one scan,
  // no copy of the (possibly long) stored list.
  std::map<Key, const Record*> known;
  for (const Located<Record>& item : given) known.emplace(key_of(item.value), nullptr);
  for (const Record& record : stored) {
    auto it = known.find(key_of(record));
    if (it != known.end()) it->second = &record;
  }
  for (const Located<Record>& item : given) {
    if (!check(item)) continue;
    const Record*& first = known[key_of(item.value)];
    if (first == nullptr) {
      first = &item.value;
      additions.push_back(item.value);
    } else if (same(*first, item.value)) {
      ++unchanged;
    } else {
      problems.Add(item.where, "",
                   std::string(what) + " is already recorded with different content; "
                                       "a stored record is never changed");
    }
  }
}

// Which of `wanted` ids exist among `stored` records and `added` ones.
template <typename Record, typename Wanted>
std::unordered_set<std::string> Existing(const Wanted& wanted,
                                         const std::vector<Record>& stored, const std::vector<Record>& added) {
  std::unordered_set<std::string> found;
  if (wanted.empty()) return found;
  for (const auto* list : {&stored, &added}) {
    for (const Record& record : *list) {
      if (wanted.count(record.id)) found.insert(record.id);
    }
  }
  return found;
}

struct EntryRef {
  const Entry* entry;
  const SourceLocation* where;  // null for a stored entry
};

std::string DescribeDifference(const Entry& a, const Entry& b) {
  std::vector<std::string> fields;
  if (a.kind != b.kind) fields.push_back("kind");
  if (a.donor != b.donor) fields.push_back("donor");
  if (a.fund != b.fund) fields.push_back("fund");
  if (!(a.amount == b.amount)) fields.push_back("amount/currency");
  if (a.value_date != b.value_date) fields.push_back("value_date");
  if (a.recorded_at != b.recorded_at) fields.push_back("recorded_at");
  if (a.attributed_year != b.attributed_year) fields.push_back("attributed_year");
  if (a.region != b.region) fields.push_back("region");
  if (a.country != b.country) fields.push_back("country");
  if (a.programme != b.programme) fields.push_back("programme");
  if (a.appeal != b.appeal) fields.push_back("appeal");
  if (a.channel != b.channel) fields.push_back("channel");
  if (a.event != b.event) fields.push_back("event");
  if (a.settles != b.settles) fields.push_back("settles");
  if (a.reverses != b.reverses) fields.push_back("reverses");
  if (a.probability_ppm != b.probability_ppm) fields.push_back("probability");
  if (a.note != b.note) fields.push_back("note");
  std::string text;
  for (const auto& field : fields) text += (text.empty() ? "" : ", ") + field;
  return text;
}

// Same content, leaving aside the derived USD value.
bool SameEntry(const Entry& a, const Entry& b) {
  Entry x = a;
  Entry y = b;
  x.usd_cents = y.usd_cents = 0;
  return x == y;
}

}  // namespace

PlanOutcome PlanImport(const Ledger& stored, const Dataset& dataset,
                       const CountryCheck& is_country) {
  return PlanImport(stored, stored.entries, dataset, is_country);
}

PlanOutcome PlanImport(const Ledger& reference, const std::vector<Entry>& stored_entries,
                       const Dataset& dataset, const CountryCheck& is_country) {
  return PlanImport(reference, stored_entries, dataset, is_country, ChunkPlanOptions{});
}

PlanOutcome PlanImport(const Ledger& reference, const std::vector<Entry>& stored_entries,
                       const Dataset& dataset, const CountryCheck& is_country,
                       const ChunkPlanOptions& options) {
  const Ledger& stored = reference;  // its entries are not used: see stored_entries
  PlanOutcome outcome;
  Problems problems(outcome);
  Ledger& add = outcome.plan.additions;
  size_t& unchanged = outcome.plan.unchanged;

  // --- Reference records -------------------------------------------------
  PlanRecords(
      stored.donors, dataset.donors, add.donors, unchanged, problems, "this donor id",
      [](const Donor& d) { return d.id; }, [](const Donor& a, const Donor& b) { return a == b; },
      [&](const Located<Donor>& item) {
        const Donor& d = item.value;
        bool needs_country = d.type == DonorType::kMemberState ||
                             d.type == DonorType::kSubnationalGovernment;
        if (d.country.empty() && needs_country) {
          problems.Add(item.where, "country",
                       "a donor of type " + std::string(Name(d.type)) +
                           " needs its ISO 3166-1 alpha-3 country code");
          return false;
        }
        if (!d.country.empty() && !is_country(d.country)) {
          problems.Add(item.where, "country",
                       Quote(d.country) + " is not an ISO 3166-1 alpha-3 country code");
          return false;
        }
        return true;
      });
  PlanRecords(
      stored.funds, dataset.funds, add.funds, unchanged, problems, "this fund id",
      [](const Fund& f) { return f.id; }, [](const Fund& a, const Fund& b) { return a == b; },
      [](const Located<Fund>&) { return true; });

  // The ids the dataset refers to, and which of them exist.
  // Views of the dataset's strings: no copy a row.
  std::unordered_set<std::string_view> wanted_funds, wanted_donors, wanted_appeals, wanted_events;
  std::set<std::pair<std::string, int32_t>> wanted_rates;
  for (const auto& item : dataset.targets) wanted_funds.insert(item.value.fund);
  for (const auto& item : dataset.entries) {
    const Entry& e = item.value;
    wanted_funds.insert(e.fund);
    wanted_donors.insert(e.donor);
    if (!e.appeal.empty()) wanted_appeals.insert(e.appeal);
    if (!e.event.empty()) wanted_events.insert(e.event);
    if (e.amount.currency().view() != "USD") {
      auto key = std::make_pair(e.amount.currency().str(), MonthIndexOf(e.value_date));
      if (wanted_rates.find(key) == wanted_rates.end()) wanted_rates.insert(std::move(key));
    }
  }
  const std::unordered_set<std::string> funds = Existing(wanted_funds, stored.funds, add.funds);
  const std::unordered_set<std::string> donors = Existing(wanted_donors, stored.donors, add.donors);

  PlanRecords(
      stored.targets, dataset.targets, add.targets, unchanged, problems,
      "a target for this fund, these years and this decision date",
      [](const Target& t) { return std::make_tuple(t.fund, t.year_from, t.year_to, t.decided_on); },
      [](const Target& a, const Target& b) { return a == b; },
      [&](const Located<Target>& item) {
        if (!funds.count(item.value.fund)) {
          problems.Add(item.where, "fund", "unknown fund " + Quote(item.value.fund));
          return false;
        }
        if (item.value.year_to < item.value.year_from) {
          problems.Add(item.where, "year_to", "year_to is before year_from");
          return false;
        }
        return true;
      });
  PlanRecords(
      stored.appeals, dataset.appeals, add.appeals, unchanged, problems, "this appeal id",
      [](const Appeal& a) { return a.id; }, [](const Appeal& a, const Appeal& b) { return a == b; },
      [](const Located<Appeal>&) { return true; });
  PlanRecords(
      stored.events, dataset.events, add.events, unchanged, problems, "this event id",
      [](const Event& e) { return e.id; }, [](const Event& a, const Event& b) { return a == b; },
      [](const Located<Event>&) { return true; });
  PlanRecords(
      stored.rates, dataset.rates, add.rates, unchanged, problems,
      "a rate for this currency and month",
      [](const RateRecord& r) { return std::make_pair(r.currency, r.month); },
      [](const RateRecord& a, const RateRecord& b) { return SameRate(a.units_per_usd, b.units_per_usd); },
      [](const Located<RateRecord>&) { return true; });

  const std::unordered_set<std::string> appeals = Existing(wanted_appeals, stored.appeals, add.appeals);
  const std::unordered_set<std::string> events = Existing(wanted_events, stored.events, add.events);
  std::map<std::pair<std::string, int32_t>, money::Rate> rates;
  const Ledger& added = add;
  for (const std::vector<RateRecord>* list : {&stored.rates, &added.rates}) {
    if (wanted_rates.empty()) break;
    for (const auto& r : *list) {
      auto key = std::make_pair(r.currency, r.month);
      if (!wanted_rates.count(key)) continue;
      if (auto rate = money::Rate::Parse(r.units_per_usd)) rates.emplace(key, *rate);
    }
  }

  // --- Entries: each on its own ---------------------------------------------
  // Stored and new, by id. The keys view the entries' ids, which stay in
  // place (stored_entries, and `fresh` once it is complete) while `all` is used.
  std::unordered_map<std::string_view, EntryRef> all;
  all.reserve(stored_entries.size() + dataset.entries.size());
  const std::vector<SourceLocation>* stored_where =
      options.stored_where && options.stored_where->size() == stored_entries.size() ? options.stored_where
                                                                                    : nullptr;
  for (size_t i = 0; i < stored_entries.size(); ++i) {
    const SourceLocation* where = stored_where && (*stored_where)[i].line > 0 ? &(*stored_where)[i] : nullptr;
    all.emplace(stored_entries[i].id, EntryRef{&stored_entries[i], where});
  }

  std::vector<Located<Entry>> fresh;  // new entries that passed the row checks
  fresh.reserve(dataset.entries.size());
  for (const Located<Entry>& item : dataset.entries) {
    const Entry& e = item.value;
    const SourceLocation& at = item.where;
    // An id given by an earlier chunk of the same import is left to the
    // check for repeated rows below, as within one dataset.
    if (auto it = all.find(e.id); it != all.end() && it->second.where == nullptr) {
      if (SameEntry(*it->second.entry, e)) {
        ++unchanged;
      } else {
        problems.Add(at, "id",
                     "entry " + Quote(e.id) + " is already " +
                         (it->second.where ? "given on line " + std::to_string(it->second.where->line)
                                           : std::string("stored")) +
                         " with different content (" + DescribeDifference(*it->second.entry, e) +
                         "); an entry is never changed: record a reversal instead");
      }
      continue;
    }
    bool ok = true;
    auto bad = [&](std::string field, std::string message) {
      problems.Add(at, std::move(field), std::move(message));
      ok = false;
    };
    if (!donors.count(e.donor)) bad("donor", "unknown donor " + Quote(e.donor));
    if (!funds.count(e.fund)) bad("fund", "unknown fund " + Quote(e.fund));
    if (!e.appeal.empty() && !appeals.count(e.appeal)) bad("appeal", "unknown appeal " + Quote(e.appeal));
    if (!e.event.empty() && !events.count(e.event)) bad("event", "unknown event " + Quote(e.event));
    if (!e.country.empty() && !is_country(e.country))
      bad("country", Quote(e.country) + " is not an ISO 3166-1 alpha-3 country code");
    if (e.probability_ppm && e.kind != EntryKind::kExpected)
      bad("probability", "only an expected entry has a probability");
    if (!e.settles.empty() && e.kind != EntryKind::kReceipt && e.kind != EntryKind::kWriteOff)
      bad("settles", "only a receipt or a write_off settles another entry");
    if (e.kind == EntryKind::kWriteOff && e.settles.empty())
      bad("settles", "a write_off must name the pledge or expectation it cancels");
    if (e.kind == EntryKind::kReversal && e.reverses.empty())
      bad("reverses", "a reversal must name the entry it cancels");
    if (e.kind != EntryKind::kReversal && !e.reverses.empty())
      bad("reverses", "only a reversal reverses another entry");
    if (e.channel != Channel::kNone && e.kind != EntryKind::kReceipt)
      bad("channel", "only a receipt has a channel");
    if (e.event.size() && e.kind != EntryKind::kPledge && e.kind != EntryKind::kReversal)
      bad("event", "only a pledge is announced at an event");

    std::optional<money::Rate> rate;
    if (e.amount.currency().view() != "USD") {
      auto it = rates.find(std::make_pair(e.amount.currency().str(), MonthIndexOf(e.value_date)));
      if (it == rates.end()) {
        bad("currency", "no rate for " + e.amount.currency().str() + " in " +
                            FormatMonth(MonthIndexOf(e.value_date)) +
                            " (add it to rates.csv)");
      } else {
        rate = it->second;
      }
    }
    int64_t usd_cents = 0;
    if (ok) {
      auto usd = money::ToUsdCents(e.amount, rate);
      if (!usd) {
        bad("amount", usd.error().message);
      } else {
        usd_cents = *usd;
      }
    }
    if (!ok) continue;
    // Copied once, in place: an entry is ten strings, and a streamed import
    // plans millions.
    Located<Entry>& kept = fresh.emplace_back();
    kept.value = e;
    kept.value.usd_cents = usd_cents;
    kept.where = at;
  }
  // New entries, in order, not duplicates: those that take their id in `all`.
  std::vector<Located<Entry>*> accepted;
  accepted.reserve(fresh.size());
  for (auto& item : fresh) {
    // A second row with an id given earlier in the same dataset.
    auto [it, inserted] = all.emplace(item.value.id, EntryRef{&item.value, &item.where});
    if (inserted) {
      accepted.push_back(&item);
    } else {
      if (SameEntry(*it->second.entry, item.value)) {
        ++unchanged;
      } else {
        problems.Add(item.where, "id",
                     "entry " + Quote(item.value.id) + " is already given on line " +
                         std::to_string(it->second.where ? it->second.where->line : 0) +
                         " with different content (" +
                         DescribeDifference(*it->second.entry, item.value) + ")");
      }
    }
  }

  // --- Entries: the rules that link them --------------------------------------
  // Reversals first: which entries are cancelled, counting stored ones.
  std::unordered_map<std::string_view, std::string_view> reversed_by;  // target -> reversal id
  for (const Entry& e : stored_entries) {
    if (e.kind == EntryKind::kReversal) reversed_by.emplace(e.reverses, e.id);
  }
  for (const auto* item : accepted) {
    const Entry& e = item->value;
    if (e.kind != EntryKind::kReversal) continue;
    auto target = all.find(e.reverses);
    if (target == all.end()) {
      problems.Add(item->where, "reverses", "no entry " + Quote(e.reverses) + " to reverse");
      continue;
    }
    const Entry& t = *target->second.entry;
    if (t.kind == EntryKind::kReversal) {
      problems.Add(item->where, "reverses",
                   Quote(e.reverses) + " is itself a reversal and cannot be reversed");
      continue;
    }
    if (t.donor != e.donor || t.fund != e.fund || !(t.amount == e.amount)) {
      problems.Add(item->where, "reverses",
                   "a reversal must repeat the donor, fund, amount and currency of " +
                       Quote(e.reverses) + " (" + t.donor + ", " + t.fund + ", " +
                       t.amount.ToDecimalString() + " " + t.amount.currency().str() + ")");
      continue;
    }
    auto [prior, inserted] = reversed_by.emplace(e.reverses, e.id);
    if (!inserted) {
      problems.Add(item->where, "reverses",
                   Quote(e.reverses) + " is already reversed by " + Quote(prior->second));
    }
  }

  // Settlements: what each pledge or expectation has had paid or written off,
  // leaving out reversed settlements.
  std::unordered_map<std::string_view, int64_t> settled;  // target id -> minor units
  auto live = [&](const Entry& e) { return !reversed_by.count(e.id); };
  for (const Entry& e : stored_entries) {
    if (!e.settles.empty() && live(e)) settled[e.settles] += e.amount.minor_units();
  }
  for (const auto* item : accepted) {
    const Entry& e = item->value;
    if (e.settles.empty() || !live(e)) continue;
    auto target = all.find(e.settles);
    if (target == all.end()) {
      problems.Add(item->where, "settles", "no entry " + Quote(e.settles) + " to settle");
      continue;
    }
    const Entry& t = *target->second.entry;
    bool kind_ok = t.kind == EntryKind::kPledge ||
                   (e.kind == EntryKind::kWriteOff && t.kind == EntryKind::kExpected);
    if (!kind_ok) {
      problems.Add(item->where, "settles",
                   Quote(e.settles) + " is a " + std::string(Name(t.kind)) + "; a " +
                       std::string(Name(e.kind)) + " settles a pledge" +
                       (e.kind == EntryKind::kWriteOff ? " or an expectation" : ""));
      continue;
    }
    if (!live(t)) {
      problems.Add(item->where, "settles", Quote(e.settles) + " is reversed");
      continue;
    }
    if (t.donor != e.donor || t.fund != e.fund) {
      problems.Add(item->where, "settles",
                   Quote(e.settles) + " is from donor " + Quote(t.donor) + " to fund " +
                       Quote(t.fund) + ", not from " + Quote(e.donor) + " to " + Quote(e.fund));
      continue;
    }
    if (!(t.amount.currency() == e.amount.currency())) {
      problems.Add(item->where, "currency",
                   Quote(e.settles) + " is in " + t.amount.currency().str() +
                       "; it is settled in the same currency");
      continue;
    }
    int64_t& total = settled[e.settles];
    int64_t open = t.amount.minor_units() - total;
    if (e.amount.minor_units() > open) {
      money::Money open_money(open < 0 ? 0 : open, t.amount.currency());
      problems.Add(item->where, "amount",
                   e.amount.ToDecimalString() + " " + e.amount.currency().str() +
                       " is more than the open balance of " + Quote(e.settles) + " (" +
                       open_money.ToDecimalString() + " " + t.amount.currency().str() + ")");
      continue;
    }
    total += e.amount.minor_units();
  }
  // A reversed pledge must not keep live settlements.
  for (const auto* item : accepted) {
    const Entry& e = item->value;
    if (e.kind != EntryKind::kReversal) continue;
    auto it = settled.find(e.reverses);
    if (it != settled.end() && it->second > 0) {
      problems.Add(item->where, "reverses",
                   Quote(e.reverses) + " has receipts or write-offs against it; reverse those first");
    }
  }

  if (!problems.any() || options.keep_additions) {
    // Moved out of `fresh`: `all`, which views their ids, is not used again.
    add.entries.reserve(accepted.size());
    for (auto* item : accepted) add.entries.push_back(std::move(item->value));
  } else {
    outcome.plan = ImportPlan{};
  }
  return outcome;
}

}  // namespace rmis::ledger
