// The invariants of a stored ledger (see check.h).
#include "analysis/check.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "analysis/report.h"
#include "ledger/columns.h"
#include "money/money.h"
#include "store/audit.h"

namespace rmis::analysis {
namespace {

using ledger::Entry;
using ledger::EntryKind;

std::string Quote(const std::string& text) { return "\"" + text + "\""; }

std::string Usd(int64_t cents) { return money::FormatUsdCents(cents) + " USD"; }

std::string Amount(int64_t minor, money::CurrencyCode currency) {
  return money::Money(minor, currency).ToDecimalString() + " " + currency.str();
}


// The checks, in the order they run and are printed.
enum CheckId { kEngine, kReferences, kUsd, kReversals, kSettlements, kImports, kAudit, kReport, kCheckCount };

struct CheckInfo {
  const char* name;
  const char* what;
  const char* unit;
};
constexpr CheckInfo kChecks[kCheckCount] = {
    {"engine", "the engine's own check (none on this engine)", "checks"},
    {"references", "ids are unique; donors, funds, appeals, events and entries named exist", "entries"},
    {"usd", "usd_cents = amount at the rate of the value date's month, half-even to the cent", "entries"},
    {"reversals", "each reverses one stored entry, not a reversal, with its donor, fund and amount; none twice",
     "reversals"},
    {"settlements", "what live receipts and write-offs settle never exceeds the pledge (balance >= 0)",
     "pledges and expectations"},
    {"imports", "each import's added count agrees with its entries and its audit record", "imports"},
    {"audit", "the audit trail's hash chain verifies", "records"},
    {"report", "each year's totals (received, prior-year, regions, forecast) = a sum over the entries", "years"},
};

constexpr uint32_t kNoPosition = std::numeric_limits<uint32_t>::max();

uint32_t HashId(std::string_view id) { return static_cast<uint32_t>(std::hash<std::string_view>()(id)); }

// A currency code and a month as one key.
uint64_t RateKey(std::string_view currency, int32_t month) {
  uint64_t code = 0;
  for (char c : currency) code = code << 8 | static_cast<unsigned char>(c);
  return code << 32 | static_cast<uint32_t>(month);
}

// A finding, with the storage position of the entry it names (0 for
// findings on other records, which keep the order they were found in).
struct Found {
  uint64_t order;
  CheckFinding finding;
};

// What an import's audit record says it added.
struct AuditedImport {
  int64_t seq = 0;
  std::string entity, entity_id;
  int64_t records = 0;
  int64_t entries = 0;
};

std::vector<AuditedImport> AuditedImports(const std::vector<store::AuditRecord>& audit) {
  std::vector<AuditedImport> list;
  for (const auto& record : audit) {
    if (record.entity != "dataset" && record.entity != "entry") continue;
    auto after = nlohmann::json::parse(record.after, nullptr, /*allow_exceptions=*/false);
    if (!after.is_object() || !after.contains("added") || !after["added"].is_object()) continue;
    AuditedImport item{record.seq, record.entity, record.entity_id, 0, 0};
    for (const auto& [kind, count] : after["added"].items()) {
      if (!count.is_number_integer()) continue;
      item.records += count.get<int64_t>();
      if (kind == "entries") item.entries = count.get<int64_t>();
    }
    list.push_back(std::move(item));
  }
  return list;
}

// A figure per key, from the report and from the entries.
template <typename Key>
void Compare(const std::map<Key, int64_t>& report, const std::map<Key, int64_t>& entries,
             const std::function<std::string(const Key&)>& subject, const std::string& figure,
             const std::function<void(std::string, std::string)>& add) {
  std::set<Key> keys;
  for (const auto& [key, value] : report) keys.insert(key);
  for (const auto& [key, value] : entries) keys.insert(key);
  for (const Key& key : keys) {
    auto a = report.find(key);
    auto b = entries.find(key);
    int64_t from_report = a == report.end() ? 0 : a->second;
    int64_t from_entries = b == entries.end() ? 0 : b->second;
    if (from_report != from_entries) {
      add(subject(key), "the report gives " + figure + " " + Usd(from_report) + "; the entries give " +
                                   Usd(from_entries));
    }
  }
}

}  // namespace

struct LedgerCheck::State {
  CheckResult result;
  std::vector<std::vector<Found>> found = std::vector<std::vector<Found>>(kCheckCount);

  // --- The reference records. -----------------------------------------------
  std::unordered_set<std::string> donor_ids, fund_ids, appeal_ids, event_ids;
  std::unordered_map<uint64_t, money::Rate> rates;  // RateKey -> rate

  // --- Per entry, by storage position. ---------------------------------------
  uint32_t entries = 0;
  std::string id_chars;          // the ids, one after the other
  std::vector<uint64_t> id_end;  // [p]: where the id of entry p ends in id_chars
  std::vector<EntryKind> kind;
  std::vector<ledger::Region> region;
  std::vector<int32_t> donor, fund;  // numbers in `donors`, `funds`
  std::vector<int16_t> currency;     // number in `currency_codes`
  std::vector<int32_t> year;         // of the value date
  std::vector<int32_t> attributed_year;
  std::vector<int64_t> amount, usd;
  ledger::Interner donors, funds;
  std::vector<int8_t> donor_known, fund_known;  // by number: 1 stored, 0 not, -1 not looked up yet
  std::vector<money::CurrencyCode> currency_codes;
  // An entry that names another (`settles` or `reverses`), in storage order.
  struct Link {
    uint32_t from;
    uint32_t target;  // position of the first entry with the id named; kNoPosition: none
    uint32_t length;  // of the id named
    uint64_t begin;   // where the id named starts in link_chars
  };
  std::vector<Link> settles, reverses;
  std::string link_chars;
  int64_t reversal_entries = 0;
  // Built by Finish: (hash of id, position), sorted. The hash keeps 32 bits
  // (8 bytes an entry, not 16): ids that share one are told apart by their
  // text.
  std::vector<std::pair<uint32_t, uint32_t>> keys;
  std::unordered_map<uint32_t, uint32_t> reversed_by;  // position -> the first reversal of it

  // --- What the report is checked against. ------------------------------------
  std::set<int> years;
  ledger::Date last;
  struct YearSums {
    std::map<std::string, int64_t> received, prior, forecast;
    std::map<int, int64_t> region;
  };
  std::map<int, YearSums> sums;

  State() {
    for (const CheckInfo& info : kChecks) result.checks.push_back(CheckCount{info.name, info.what, 0, info.unit, 0});
  }

  void Checked(CheckId check, int64_t count = 1) { result.checks[check].checked += count; }
  void Add(CheckId check, uint64_t order, std::string subject, std::string message) {
    result.checks[check].failed += 1;
    found[check].push_back(Found{order, CheckFinding{kChecks[check].name, std::move(subject), std::move(message)}});
  }
  void AddOn(CheckId check, uint32_t position, std::string message) {
    Add(check, position, "entry " + std::string(Id(position)), std::move(message));
  }

  std::string_view Id(uint32_t position) const {
    const uint64_t begin = position == 0 ? 0 : id_end[position - 1];
    return std::string_view(id_chars).substr(begin, id_end[position] - begin);
  }
  std::string_view Named(const Link& link) const { return std::string_view(link_chars).substr(link.begin, link.length); }
  std::string Donor(uint32_t p) const { return donors.Name(donor[p]); }
  std::string Fund(uint32_t p) const { return funds.Name(fund[p]); }
  money::CurrencyCode Currency(uint32_t p) const { return currency_codes[static_cast<size_t>(currency[p])]; }

  // The position of the first entry stored with `id`; kNoPosition: none.
  uint32_t Find(std::string_view id) const {
    const uint32_t hash = HashId(id);
    auto it = std::lower_bound(keys.begin(), keys.end(), std::make_pair(hash, uint32_t{0}));
    for (; it != keys.end() && it->first == hash; ++it) {
      if (Id(it->second) == id) return it->second;
    }
    return kNoPosition;
  }

  void AddLink(std::vector<Link>& links, uint32_t from, const std::string& id) {
    links.push_back(Link{from, kNoPosition, static_cast<uint32_t>(id.size()), link_chars.size()});
    link_chars += id;
  }

  void Entry(const ledger::Entry& e);
  void IndexIds();
  void ResolveLinks();
  void CheckReversals();
  void CheckSettlements();
  void SumForReport();
  void CheckImports(const store::StoreContents& contents);
  void CheckAudit(const store::StoreContents& contents);
  void FreeEntries();
};

LedgerCheck::LedgerCheck() : state_(std::make_unique<State>()) {}
LedgerCheck::~LedgerCheck() = default;

void LedgerCheck::OnReference(const ledger::Ledger& reference) {
  State& s = *state_;
  for (const auto& d : reference.donors) s.donor_ids.insert(d.id);
  for (const auto& f : reference.funds) s.fund_ids.insert(f.id);
  for (const auto& a : reference.appeals) s.appeal_ids.insert(a.id);
  for (const auto& e : reference.events) s.event_ids.insert(e.id);
  for (const auto& r : reference.rates) {
    auto rate = money::Rate::Parse(r.units_per_usd);
    if (!rate) {
      s.Add(kUsd, 0, "rate " + r.currency + " " + ledger::FormatMonth(r.month),
            Quote(r.units_per_usd) + " is not a rate: " + rate.error().message);
      continue;
    }
    s.rates.emplace(RateKey(r.currency, r.month), *rate);
  }
}

void LedgerCheck::OnEntry(const ledger::Entry& e) { state_->Entry(e); }

void LedgerCheck::State::Entry(const ledger::Entry& e) {
  const uint32_t p = entries++;
  id_chars += e.id;
  id_end.push_back(id_chars.size());
  kind.push_back(e.kind);
  region.push_back(e.region);
  const int32_t d = donors.Intern(e.donor);
  const int32_t f = funds.Intern(e.fund);
  donor.push_back(d);
  fund.push_back(f);
  if (static_cast<size_t>(d) >= donor_known.size()) donor_known.push_back(donor_ids.count(e.donor) ? 1 : 0);
  if (static_cast<size_t>(f) >= fund_known.size()) fund_known.push_back(fund_ids.count(e.fund) ? 1 : 0);
  const money::CurrencyCode code = e.amount.currency();
  size_t c = 0;
  while (c < currency_codes.size() && !(currency_codes[c] == code)) ++c;
  if (c == currency_codes.size()) currency_codes.push_back(code);
  currency.push_back(static_cast<int16_t>(c));
  const int value_year = ledger::YearOf(e.value_date);
  year.push_back(value_year);
  attributed_year.push_back(e.attributed_year);
  amount.push_back(e.amount.minor_units());
  usd.push_back(e.usd_cents);
  years.insert(value_year);
  years.insert(e.attributed_year);
  if (p == 0 || last < e.value_date) last = e.value_date;

  // references: what can be looked up now (the entries named are looked up
  // by Finish, once every id is known).
  Checked(kReferences);
  if (!donor_known[static_cast<size_t>(d)]) AddOn(kReferences, p, "names the donor " + Quote(e.donor) + ", which is not stored");
  if (!fund_known[static_cast<size_t>(f)]) AddOn(kReferences, p, "names the fund " + Quote(e.fund) + ", which is not stored");
  if (!e.appeal.empty() && !appeal_ids.count(e.appeal)) {
    AddOn(kReferences, p, "names the appeal " + Quote(e.appeal) + ", which is not stored");
  }
  if (!e.event.empty() && !event_ids.count(e.event)) {
    AddOn(kReferences, p, "names the event " + Quote(e.event) + ", which is not stored");
  }
  if (!e.settles.empty()) AddLink(settles, p, e.settles);
  if (!e.reverses.empty()) AddLink(reverses, p, e.reverses);

  // usd
  Checked(kUsd);
  const std::string_view currency_name = code.view();
  const int32_t month = ledger::MonthIndexOf(e.value_date);
  std::optional<money::Rate> rate;
  if (currency_name != "USD") {
    auto it = rates.find(RateKey(currency_name, month));
    if (it == rates.end()) {
      AddOn(kUsd, p, "no rate for " + code.str() + " in " + ledger::FormatMonth(month) + " to check its stored " +
                         Usd(e.usd_cents));
    } else {
      rate = it->second;
    }
  }
  if (currency_name == "USD" || rate) {
    auto converted = money::ToUsdCents(e.amount, rate);
    if (!converted) {
      AddOn(kUsd, p, e.amount.ToDecimalString() + " " + code.str() + " does not convert: " + converted.error().message);
    } else if (*converted != e.usd_cents) {
      std::string at = rate ? " at " + rate->ToDecimalString() + " " + code.str() + " per USD (" +
                                  ledger::FormatMonth(month) + ")"
                            : "";
      AddOn(kUsd, p, "stores " + Usd(e.usd_cents) + ", but " + e.amount.ToDecimalString() + " " + code.str() + at +
                         " is " + Usd(*converted));
    }
  }

  // reversals: what one entry shows on its own.
  if (e.kind == EntryKind::kReversal) {
    Checked(kReversals);
    if (e.reverses.empty()) AddOn(kReversals, p, "is a reversal that names no entry");
  } else if (!e.reverses.empty()) {
    AddOn(kReversals, p, "is a " + std::string(ledger::Name(e.kind)) + " but reverses " + Quote(e.reverses));
  }
  // settlements: the same.
  if (!e.settles.empty() && e.kind != EntryKind::kReceipt && e.kind != EntryKind::kWriteOff) {
    AddOn(kSettlements, p, "is a " + std::string(ledger::Name(e.kind)) + " but settles " + Quote(e.settles));
  }
}

// Sorts the ids by hash, and names each id stored again after its first.
void LedgerCheck::State::IndexIds() {
  keys.reserve(entries);
  for (uint32_t p = 0; p < entries; ++p) keys.emplace_back(HashId(Id(p)), p);
  std::sort(keys.begin(), keys.end());
  for (size_t run = 0; run < keys.size();) {
    size_t end = run + 1;
    while (end < keys.size() && keys[end].first == keys[run].first) ++end;
    // Ids that share a hash (at ten million ids, some thousands of pairs do)
    // in order of their text, then of position: each id stored again follows
    // its first.
    if (end - run > 1) {
      std::vector<uint32_t> same;
      for (size_t i = run; i < end; ++i) same.push_back(keys[i].second);
      std::sort(same.begin(), same.end(), [&](uint32_t a, uint32_t b) {
        const std::string_view x = Id(a), y = Id(b);
        return x != y ? x < y : a < b;
      });
      for (size_t i = 1; i < same.size(); ++i) {
        if (Id(same[i]) == Id(same[i - 1])) AddOn(kReferences, same[i], "the id is stored more than once");
      }
    }
    run = end;
  }
}

void LedgerCheck::State::ResolveLinks() {
  for (auto* links : {&settles, &reverses}) {
    const bool settling = links == &settles;
    for (size_t i = 0; i < links->size(); ++i) {
      Link& link = (*links)[i];
      link.target = Find(Named(link));
      if (link.target == kNoPosition) {
        AddOn(kReferences, link.from,
              std::string(settling ? "settles " : "reverses ") + Quote(std::string(Named(link))) +
                  ", which is not stored");
      }
    }
  }
}

void LedgerCheck::State::CheckReversals() {
  for (size_t i = 0; i < reverses.size(); ++i) {
    const Link& link = reverses[i];
    const uint32_t r = link.from, t = link.target;
    if (kind[r] != EntryKind::kReversal || t == kNoPosition) continue;  // found by OnEntry, or under "references"
    const std::string target_id(Id(t));
    if (kind[t] == EntryKind::kReversal) AddOn(kReversals, r, "reverses " + Quote(target_id) + ", which is itself a reversal");
    if (donor[t] != donor[r] || fund[t] != fund[r] || amount[t] != amount[r] || currency[t] != currency[r]) {
      AddOn(kReversals, r,
            "reverses " + Quote(target_id) + " (" + Donor(t) + ", " + Fund(t) + ", " + Amount(amount[t], Currency(t)) +
                ") but holds " + Donor(r) + ", " + Fund(r) + ", " + Amount(amount[r], Currency(r)));
    }
    auto [prior, inserted] = reversed_by.emplace(t, r);
    if (!inserted) {
      AddOn(kReversals, r,
            "reverses " + Quote(target_id) + ", which " + Quote(std::string(Id(prior->second))) + " already reverses");
    }
  }
}

void LedgerCheck::State::CheckSettlements() {
  auto live = [&](uint32_t p) { return !reversed_by.count(p); };
  std::vector<int64_t> settled(entries, 0);      // live settlements per position, in storage order
  std::unordered_map<uint32_t, uint32_t> over;  // target -> the settlement that took it over
  for (const Link& link : settles) {
    const uint32_t e = link.from, t = link.target;
    if (kind[e] != EntryKind::kReceipt && kind[e] != EntryKind::kWriteOff) continue;  // found by OnEntry
    if (t == kNoPosition) continue;                                                    // under "references"
    const std::string target_id(Id(t));
    const bool kind_ok = kind[t] == EntryKind::kPledge || (kind[e] == EntryKind::kWriteOff && kind[t] == EntryKind::kExpected);
    if (!kind_ok) {
      AddOn(kSettlements, e,
            "settles " + Quote(target_id) + ", an entry of kind " + std::string(ledger::Name(kind[t])) + "; a " +
                std::string(ledger::Name(kind[e])) + " settles a pledge" +
                (kind[e] == EntryKind::kWriteOff ? " or an expectation" : ""));
      continue;
    }
    if (donor[t] != donor[e] || fund[t] != fund[e]) {
      AddOn(kSettlements, e, "settles " + Quote(target_id) + " of " + Donor(t) + " to " + Fund(t) + " but is from " +
                                 Donor(e) + " to " + Fund(e));
    }
    if (currency[t] != currency[e]) {
      AddOn(kSettlements, e, "settles " + Quote(target_id) + " in " + Currency(t).str() + " with " + Currency(e).str());
      continue;
    }
    if (!live(e)) continue;
    if (!live(t)) {
      AddOn(kSettlements, e, "is live but settles " + Quote(target_id) + ", which " +
                                 Quote(std::string(Id(reversed_by.at(t)))) + " reverses");
    }
    auto sum = money::CheckedAdd(settled[t], amount[e]);
    if (!sum) {
      AddOn(kSettlements, t, "what settles it overflows at " + Quote(std::string(Id(e))));
      continue;
    }
    settled[t] = *sum;
    if (settled[t] > amount[t] && !over.count(t)) over.emplace(t, e);
  }
  for (uint32_t p = 0; p < entries; ++p) {
    if (kind[p] != EntryKind::kPledge && kind[p] != EntryKind::kExpected) continue;
    Checked(kSettlements);
    // `over` holds every position whose live settlements ever went over (an
    // amount stored below zero, with nothing settling it, is not over).
    if (settled[p] <= amount[p] || !over.count(p)) continue;
    const money::CurrencyCode code = Currency(p);
    AddOn(kSettlements, p, "is settled " + Amount(settled[p], code) + " of " + Amount(amount[p], code) +
                               ", a balance of " + Amount(amount[p] - settled[p], code) + " (over from " +
                               Quote(std::string(Id(over.at(p)))) + ")");
  }
}

// The plain recomputation of the report's totals: one pass over the
// entries, every year at once.
void LedgerCheck::State::SumForReport() {
  std::vector<std::map<int32_t, int64_t>> by_fund;  // scratch per year: fund number -> cents
  std::map<int, std::array<std::map<int32_t, int64_t>, 3>> numbered;  // year -> received, prior, forecast
  for (uint32_t p = 0; p < entries; ++p) {
    if (kind[p] != EntryKind::kReceipt || reversed_by.count(p)) continue;
    const int y = year[p];
    auto& in_year = numbered[y];
    in_year[0][fund[p]] += usd[p];
    if (attributed_year[p] < y) in_year[1][fund[p]] += usd[p];
    sums[y].region[static_cast<int>(region[p])] += usd[p];
    numbered[attributed_year[p]][2][fund[p]] += usd[p];
  }
  for (const auto& [y, figures] : numbered) {
    YearSums& named = sums[y];
    for (const auto& [f, cents] : figures[0]) named.received[funds.Name(f)] = cents;
    for (const auto& [f, cents] : figures[1]) named.prior[funds.Name(f)] = cents;
    for (const auto& [f, cents] : figures[2]) named.forecast[funds.Name(f)] = cents;
  }
}


void LedgerCheck::State::CheckImports(const store::StoreContents& contents) {
  const ledger::Ledger& l = contents.ledger;
  int64_t added = 0;
  for (const auto& import : contents.imports) {
    Checked(kImports);
    added += import.added;
    if (import.entries > import.added) {
      Add(kImports, 0, "import " + std::to_string(import.id),
          "says it added " + std::to_string(import.added) + " records, but " + std::to_string(import.entries) +
              " entries carry its id");
    }
  }
  if (contents.entries_without_import > 0) {
    Add(kImports, 0, "entries", std::to_string(contents.entries_without_import) + " entries carry no recorded import");
  }
  const int64_t stored = static_cast<int64_t>(l.donors.size() + l.funds.size() + l.targets.size() +
                                              l.appeals.size() + l.events.size() + l.rates.size()) +
                         entries;
  if (added != stored) {
    Add(kImports, 0, "all imports",
        "say " + std::to_string(added) + " records were added, but " + std::to_string(stored) + " are stored");
  }
  // Each import and its audit record are written in one transaction, in the
  // same order: the n-th audit record that describes an addition is the n-th
  // import's.
  std::vector<AuditedImport> audited = AuditedImports(contents.audit);
  if (audited.size() != contents.imports.size()) {
    Add(kImports, 0, "all imports",
        std::to_string(contents.imports.size()) + " imports are recorded, but the audit trail describes " +
            std::to_string(audited.size()));
    return;
  }
  for (size_t i = 0; i < audited.size(); ++i) {
    const auto& import = contents.imports[i];
    const auto& record = audited[i];
    const std::string subject = "import " + std::to_string(import.id);
    if (record.entity == "dataset" && record.entity_id != std::to_string(import.id)) {
      Add(kImports, 0, subject, "audit record " + std::to_string(record.seq) + " describes import " + record.entity_id);
    }
    if (record.entity == "entry" && Find(record.entity_id) == kNoPosition) {
      Add(kImports, 0, subject,
          "audit record " + std::to_string(record.seq) + " describes entry " + Quote(record.entity_id) +
              ", which is not stored");
    }
    if (record.records != import.added || record.entries != import.entries) {
      Add(kImports, 0, subject,
          "says it added " + std::to_string(import.added) + " records and " + std::to_string(import.entries) +
              " entries carry its id, but audit record " + std::to_string(record.seq) + " says " +
              std::to_string(record.records) + " records, " + std::to_string(record.entries) + " entries");
    }
  }
}

void LedgerCheck::State::CheckAudit(const store::StoreContents& contents) {
  store::audit::Verification verification =
      store::audit::Verify(contents.audit, contents.audit_head_seq, contents.audit_head_hash);
  Checked(kAudit, verification.checked);
  if (!verification.ok()) {
    Add(kAudit, 0, "audit record " + std::to_string(*verification.first_bad_seq), verification.problem);
  }
}

void LedgerCheck::State::FreeEntries() {
  auto free = [](auto& v) { std::decay_t<decltype(v)>().swap(v); };
  free(id_chars);
  free(id_end);
  free(kind);
  free(region);
  free(donor);
  free(fund);
  free(currency);
  free(year);
  free(attributed_year);
  free(amount);
  free(usd);
  free(settles);
  free(reverses);
  free(link_chars);
  free(keys);
  free(reversed_by);
  donors = ledger::Interner();
  funds = ledger::Interner();
}

void LedgerCheck::Finish(const store::StoreContents& contents) {
  State& s = *state_;
  s.result.checks[kEngine].what =
      contents.engine_check.empty() ? kChecks[kEngine].what : contents.engine_check;
  if (!contents.engine_check.empty()) {
    s.Checked(kEngine);
    for (const auto& problem : contents.engine_problems) s.Add(kEngine, 0, "the store's files", problem);
  }
  s.IndexIds();
  s.ResolveLinks();
  s.CheckImports(contents);
  // What is left needs no lookup by id: the index and the ids named go
  // before the settlements' totals are made (the peak of a large check).
  std::vector<std::pair<uint32_t, uint32_t>>().swap(s.keys);
  std::string().swap(s.link_chars);
  s.CheckReversals();
  s.CheckSettlements();
  s.CheckAudit(contents);
  s.SumForReport();
  s.FreeEntries();
}

void LedgerCheck::CheckReport(const ledger::Ledger& reference, const ledger::EntryColumns& columns) {
  State& s = *state_;
  if (s.entries == 0) return;
  if (columns.size() != s.entries) {
    s.Add(kReport, 0, "report",
          "the store serves reports from " + std::to_string(columns.size()) + " entries; it holds " +
              std::to_string(s.entries));
    return;
  }
  auto add = [&](std::string subject, std::string message) { s.Add(kReport, 0, std::move(subject), std::move(message)); };
  for (int year : s.years) {
    s.Checked(kReport);
    ReportOptions options;
    options.year = year;
    options.snapshot.as_of = s.last;  // every entry is in the snapshot
    Report report = ComputeReport(reference, columns, options);
    columns.ForgetPlans();
    const State::YearSums& expected = s.sums[year];
    std::map<std::string, int64_t> report_received, report_prior, report_forecast;
    std::map<int, int64_t> report_region;
    for (const auto& f : report.income_vs_target) {
      report_received[f.fund] = f.received_cents;
      report_prior[f.fund] = f.prior_year_cents;
    }
    for (const auto& f : report.forecast) report_forecast[f.fund] = f.received_cents;
    for (const auto& r : report.regions) report_region[static_cast<int>(r.region)] = r.received_cents;
    const std::string y = "year " + std::to_string(year);
    std::function<std::string(const std::string&)> fund = [&](const std::string& id) { return y + ", fund " + id; };
    std::function<std::string(const int&)> in_region = [&](const int& r) {
      auto name = ledger::Name(static_cast<ledger::Region>(r));
      return y + ", region " + (name.empty() ? std::string("unallocated") : std::string(name));
    };
    Compare(report_received, expected.received, fund, "received", add);
    Compare(report_prior, expected.prior, fund, "prior-year", add);
    Compare(report_forecast, expected.forecast, fund, "received for the forecast", add);
    Compare(report_region, expected.region, in_region, "received", add);
  }
}

CheckResult LedgerCheck::TakeResult() {
  State& s = *state_;
  CheckResult result = std::move(s.result);
  for (auto& found : s.found) {
    std::stable_sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.order < b.order; });
    for (auto& item : found) result.findings.push_back(std::move(item.finding));
    found.clear();
  }
  return result;
}

CheckResult CheckContents(const store::StoreContents& contents, const ledger::EntryColumns* columns) {
  LedgerCheck check;
  check.OnReference(contents.ledger);
  for (const Entry& e : contents.ledger.entries) check.OnEntry(e);
  check.Finish(contents);
  if (columns != nullptr) {
    check.CheckReport(contents.ledger, *columns);
  } else if (!contents.ledger.entries.empty()) {
    check.CheckReport(contents.ledger, ledger::ToColumns(contents.ledger.entries));
  }
  return check.TakeResult();
}

Result<CheckResult> CheckStore(store::Store& store) {
  CheckResult result;
  result.report_checked = false;
  for (int attempt = 0; attempt < 3 && !result.report_checked; ++attempt) {
    LedgerCheck check;
    auto contents = store.StreamContents(check);
    if (!contents) return tl::unexpected(contents.error());
    check.Finish(*contents);
    bool report_checked = false;
    auto read = store.ReadColumns([&](const ledger::Ledger&, const ledger::EntryColumns& columns) {
      if (columns.size() != static_cast<size_t>(contents->entries)) return;
      check.CheckReport(contents->ledger, columns);
      report_checked = true;
    });
    if (!read) return tl::unexpected(read.error());
    result = check.TakeResult();
    result.report_checked = report_checked;
  }
  return result;
}

}  // namespace rmis::analysis
