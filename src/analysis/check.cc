// The invariants of a stored ledger (see check.h).
#include "analysis/check.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "analysis/report.h"
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

// Collects the counts and findings of one check.
class Checks {
 public:
  explicit Checks(CheckResult& result) : result_(result) {}

  // Starts the check `name`; later Add calls count against it.
  void Begin(std::string name, std::string what, std::string unit) {
    result_.checks.push_back(CheckCount{std::move(name), std::move(what), 0, std::move(unit), 0});
  }
  void Checked(int64_t count = 1) { result_.checks.back().checked += count; }
  void Add(std::string subject, std::string message) {
    result_.checks.back().failed += 1;
    result_.findings.push_back(CheckFinding{result_.checks.back().name, std::move(subject), std::move(message)});
  }

 private:
  CheckResult& result_;
};

void CheckEngine(const store::StoreContents& contents, Checks& checks) {
  checks.Begin("engine", contents.engine_check.empty() ? "the engine's own check (none on this engine)"
                                                       : contents.engine_check,
               "checks");
  if (contents.engine_check.empty()) return;
  checks.Checked();
  for (const auto& problem : contents.engine_problems) checks.Add("the store's files", problem);
}

// Every entry by id; the first one stored when an id repeats. The keys view
// the entries' own ids (ten million copies would be 200 MB more).
using EntryIndex = std::unordered_map<std::string_view, const Entry*>;

EntryIndex CheckReferences(const ledger::Ledger& ledger, Checks& checks) {
  checks.Begin("references", "ids are unique; donors, funds, appeals, events and entries named exist", "entries");
  std::unordered_set<std::string> donors, funds, appeals, events;
  for (const auto& d : ledger.donors) donors.insert(d.id);
  for (const auto& f : ledger.funds) funds.insert(f.id);
  for (const auto& a : ledger.appeals) appeals.insert(a.id);
  for (const auto& e : ledger.events) events.insert(e.id);
  EntryIndex index;
  index.reserve(ledger.entries.size());
  for (const Entry& e : ledger.entries) {
    if (!index.emplace(e.id, &e).second) checks.Add("entry " + e.id, "the id is stored more than once");
  }
  for (const Entry& e : ledger.entries) {
    checks.Checked();
    const std::string subject = "entry " + e.id;
    if (!donors.count(e.donor)) checks.Add(subject, "names the donor " + Quote(e.donor) + ", which is not stored");
    if (!funds.count(e.fund)) checks.Add(subject, "names the fund " + Quote(e.fund) + ", which is not stored");
    if (!e.appeal.empty() && !appeals.count(e.appeal)) {
      checks.Add(subject, "names the appeal " + Quote(e.appeal) + ", which is not stored");
    }
    if (!e.event.empty() && !events.count(e.event)) {
      checks.Add(subject, "names the event " + Quote(e.event) + ", which is not stored");
    }
    if (!e.settles.empty() && !index.count(e.settles)) {
      checks.Add(subject, "settles " + Quote(e.settles) + ", which is not stored");
    }
    if (!e.reverses.empty() && !index.count(e.reverses)) {
      checks.Add(subject, "reverses " + Quote(e.reverses) + ", which is not stored");
    }
  }
  return index;
}

void CheckUsd(const ledger::Ledger& ledger, Checks& checks) {
  checks.Begin("usd", "usd_cents = amount at the rate of the value date's month, half-even to the cent",
               "entries");
  std::map<std::pair<std::string, int32_t>, money::Rate> rates;
  for (const auto& r : ledger.rates) {
    auto rate = money::Rate::Parse(r.units_per_usd);
    if (!rate) {
      checks.Add("rate " + r.currency + " " + ledger::FormatMonth(r.month),
                 Quote(r.units_per_usd) + " is not a rate: " + rate.error().message);
      continue;
    }
    rates.emplace(std::make_pair(r.currency, r.month), *rate);
  }
  for (const Entry& e : ledger.entries) {
    checks.Checked();
    const std::string currency = e.amount.currency().str();
    const int32_t month = ledger::MonthIndexOf(e.value_date);
    std::optional<money::Rate> rate;
    if (currency != "USD") {
      auto it = rates.find(std::make_pair(currency, month));
      if (it == rates.end()) {
        checks.Add("entry " + e.id, "no rate for " + currency + " in " + ledger::FormatMonth(month) +
                                        " to check its stored " + Usd(e.usd_cents));
        continue;
      }
      rate = it->second;
    }
    auto usd = money::ToUsdCents(e.amount, rate);
    if (!usd) {
      checks.Add("entry " + e.id, e.amount.ToDecimalString() + " " + currency +
                                      " does not convert: " + usd.error().message);
      continue;
    }
    if (*usd != e.usd_cents) {
      std::string at = rate ? " at " + rate->ToDecimalString() + " " + currency + " per USD (" +
                                  ledger::FormatMonth(month) + ")"
                            : "";
      checks.Add("entry " + e.id, "stores " + Usd(e.usd_cents) + ", but " + e.amount.ToDecimalString() + " " +
                                      currency + at + " is " + Usd(*usd));
    }
  }
}

// Entry ids reversed by a reversal, to the reversal's id (the first stored).
using ReversedBy = std::unordered_map<std::string, std::string>;

ReversedBy CheckReversals(const ledger::Ledger& ledger, const EntryIndex& index, Checks& checks) {
  checks.Begin("reversals",
               "each reverses one stored entry, not a reversal, with its donor, fund and amount; none twice",
               "reversals");
  ReversedBy reversed_by;
  for (const Entry& e : ledger.entries) {
    const std::string subject = "entry " + e.id;
    if (e.kind != EntryKind::kReversal) {
      if (!e.reverses.empty()) checks.Add(subject, "is a " + std::string(ledger::Name(e.kind)) + " but reverses " + Quote(e.reverses));
      continue;
    }
    checks.Checked();
    if (e.reverses.empty()) {
      checks.Add(subject, "is a reversal that names no entry");
      continue;
    }
    auto target = index.find(e.reverses);
    if (target == index.end()) continue;  // reported under "references"
    const Entry& t = *target->second;
    if (t.kind == EntryKind::kReversal) {
      checks.Add(subject, "reverses " + Quote(t.id) + ", which is itself a reversal");
    }
    if (t.donor != e.donor || t.fund != e.fund || !(t.amount == e.amount)) {
      checks.Add(subject, "reverses " + Quote(t.id) + " (" + t.donor + ", " + t.fund + ", " +
                              Amount(t.amount.minor_units(), t.amount.currency()) + ") but holds " + e.donor +
                              ", " + e.fund + ", " + Amount(e.amount.minor_units(), e.amount.currency()));
    }
    auto [prior, inserted] = reversed_by.emplace(e.reverses, e.id);
    if (!inserted) {
      checks.Add(subject, "reverses " + Quote(e.reverses) + ", which " + Quote(prior->second) + " already reverses");
    }
  }
  return reversed_by;
}

void CheckSettlements(const ledger::Ledger& ledger, const EntryIndex& index, const ReversedBy& reversed_by,
                      Checks& checks) {
  checks.Begin("settlements",
               "what live receipts and write-offs settle never exceeds the pledge (balance >= 0)",
               "pledges and expectations");
  auto live = [&](const Entry& e) { return !reversed_by.count(e.id); };
  // Live settlements per target, in storage order.
  std::unordered_map<std::string_view, int64_t> settled;  // keys view the targets' ids
  std::unordered_map<std::string, std::string> over;  // target -> the settlement that took it over
  for (const Entry& e : ledger.entries) {
    if (e.settles.empty()) continue;
    const std::string subject = "entry " + e.id;
    if (e.kind != EntryKind::kReceipt && e.kind != EntryKind::kWriteOff) {
      checks.Add(subject, "is a " + std::string(ledger::Name(e.kind)) + " but settles " + Quote(e.settles));
      continue;
    }
    auto target = index.find(e.settles);
    if (target == index.end()) continue;  // reported under "references"
    const Entry& t = *target->second;
    const bool kind_ok = t.kind == EntryKind::kPledge || (e.kind == EntryKind::kWriteOff && t.kind == EntryKind::kExpected);
    if (!kind_ok) {
      checks.Add(subject, "settles " + Quote(t.id) + ", an entry of kind " + std::string(ledger::Name(t.kind)) +
                              "; a " + std::string(ledger::Name(e.kind)) + " settles a pledge" +
                              (e.kind == EntryKind::kWriteOff ? " or an expectation" : ""));
      continue;
    }
    if (t.donor != e.donor || t.fund != e.fund) {
      checks.Add(subject, "settles " + Quote(t.id) + " of " + t.donor + " to " + t.fund + " but is from " + e.donor +
                              " to " + e.fund);
    }
    if (!(t.amount.currency() == e.amount.currency())) {
      checks.Add(subject, "settles " + Quote(t.id) + " in " + t.amount.currency().str() + " with " +
                              e.amount.currency().str());
      continue;
    }
    if (!live(e)) continue;
    if (!live(t)) {
      checks.Add(subject, "is live but settles " + Quote(t.id) + ", which " + Quote(reversed_by.at(t.id)) +
                              " reverses");
    }
    int64_t& total = settled[t.id];
    auto sum = money::CheckedAdd(total, e.amount.minor_units());
    if (!sum) {
      checks.Add("entry " + t.id, "what settles it overflows at " + Quote(e.id));
      continue;
    }
    total = *sum;
    if (total > t.amount.minor_units() && !over.count(t.id)) over.emplace(t.id, e.id);
  }
  for (const Entry& e : ledger.entries) {
    if (e.kind != EntryKind::kPledge && e.kind != EntryKind::kExpected) continue;
    checks.Checked();
    auto it = settled.find(e.id);
    if (it == settled.end() || it->second <= e.amount.minor_units()) continue;
    checks.Add("entry " + e.id, "is settled " + Amount(it->second, e.amount.currency()) + " of " +
                                    Amount(e.amount.minor_units(), e.amount.currency()) + ", a balance of " +
                                    Amount(e.amount.minor_units() - it->second, e.amount.currency()) +
                                    " (over from " + Quote(over.at(e.id)) + ")");
  }
}

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

void CheckImports(const store::StoreContents& contents, const EntryIndex& index, Checks& checks) {
  checks.Begin("imports", "each import's added count agrees with its entries and its audit record", "imports");
  const ledger::Ledger& l = contents.ledger;
  int64_t added = 0;
  for (const auto& import : contents.imports) {
    checks.Checked();
    added += import.added;
    if (import.entries > import.added) {
      checks.Add("import " + std::to_string(import.id), "says it added " + std::to_string(import.added) +
                                                            " records, but " + std::to_string(import.entries) +
                                                            " entries carry its id");
    }
  }
  if (contents.entries_without_import > 0) {
    checks.Add("entries", std::to_string(contents.entries_without_import) + " entries carry no recorded import");
  }
  const int64_t stored = static_cast<int64_t>(l.donors.size() + l.funds.size() + l.targets.size() +
                                              l.appeals.size() + l.events.size() + l.rates.size() + l.entries.size());
  if (added != stored) {
    checks.Add("all imports", "say " + std::to_string(added) + " records were added, but " +
                                  std::to_string(stored) + " are stored");
  }
  // Each import and its audit record are written in one transaction, in the
  // same order: the n-th audit record that describes an addition is the n-th
  // import's.
  std::vector<AuditedImport> audited = AuditedImports(contents.audit);
  if (audited.size() != contents.imports.size()) {
    checks.Add("all imports", std::to_string(contents.imports.size()) +
                                  " imports are recorded, but the audit trail describes " +
                                  std::to_string(audited.size()));
    return;
  }
  for (size_t i = 0; i < audited.size(); ++i) {
    const auto& import = contents.imports[i];
    const auto& record = audited[i];
    const std::string subject = "import " + std::to_string(import.id);
    if (record.entity == "dataset" && record.entity_id != std::to_string(import.id)) {
      checks.Add(subject, "audit record " + std::to_string(record.seq) + " describes import " + record.entity_id);
    }
    if (record.entity == "entry") {
      auto it = index.find(record.entity_id);
      if (it == index.end()) checks.Add(subject, "audit record " + std::to_string(record.seq) +
                                                     " describes entry " + Quote(record.entity_id) +
                                                     ", which is not stored");
    }
    if (record.records != import.added || record.entries != import.entries) {
      checks.Add(subject, "says it added " + std::to_string(import.added) + " records and " +
                              std::to_string(import.entries) + " entries carry its id, but audit record " +
                              std::to_string(record.seq) + " says " + std::to_string(record.records) +
                              " records, " + std::to_string(record.entries) + " entries");
    }
  }
}

void CheckAudit(const store::StoreContents& contents, Checks& checks) {
  checks.Begin("audit", "the audit trail's hash chain verifies", "records");
  store::audit::Verification verification =
      store::audit::Verify(contents.audit, contents.audit_head_seq, contents.audit_head_hash);
  checks.Checked(verification.checked);
  if (!verification.ok()) {
    checks.Add("audit record " + std::to_string(*verification.first_bad_seq), verification.problem);
  }
}

// A figure per key, from the report and from the entries.
template <typename Key>
void Compare(const std::map<Key, int64_t>& report, const std::map<Key, int64_t>& entries,
             const std::function<std::string(const Key&)>& subject, const std::string& figure, Checks& checks) {
  std::set<Key> keys;
  for (const auto& [key, value] : report) keys.insert(key);
  for (const auto& [key, value] : entries) keys.insert(key);
  for (const Key& key : keys) {
    auto a = report.find(key);
    auto b = entries.find(key);
    int64_t from_report = a == report.end() ? 0 : a->second;
    int64_t from_entries = b == entries.end() ? 0 : b->second;
    if (from_report != from_entries) {
      checks.Add(subject(key), "the report gives " + figure + " " + Usd(from_report) + "; the entries give " +
                                   Usd(from_entries));
    }
  }
}

void CheckReport(const store::StoreContents& contents, const ledger::EntryColumns* store_columns,
                 const ReversedBy& reversed_by, Checks& checks) {
  checks.Begin("report", "each year's totals (received, prior-year, regions, forecast) = a sum over the entries",
               "years");
  const auto& entries = contents.ledger.entries;
  if (entries.empty()) return;
  ledger::EntryColumns built;
  const ledger::EntryColumns* columns = store_columns;
  if (columns == nullptr) {
    built = ledger::ToColumns(entries);
    columns = &built;
  }
  if (columns->size() != entries.size()) {
    checks.Add("report", "the store serves reports from " + std::to_string(columns->size()) + " entries; it holds " +
                             std::to_string(entries.size()));
    return;
  }
  // The plain recomputation: one pass over the entry records for every year.
  struct YearSums {
    std::map<std::string, int64_t> received, prior, forecast;
    std::map<int, int64_t> region;
  };
  std::map<int, YearSums> sums;
  std::set<int> years;
  ledger::Date last = entries.front().value_date;
  for (const Entry& e : entries) {
    const int year = ledger::YearOf(e.value_date);
    years.insert(year);
    years.insert(e.attributed_year);
    last = std::max(last, e.value_date);
    if (e.kind != EntryKind::kReceipt || reversed_by.count(e.id)) continue;
    YearSums& in_year = sums[year];
    in_year.received[e.fund] += e.usd_cents;
    if (e.attributed_year < year) in_year.prior[e.fund] += e.usd_cents;
    in_year.region[static_cast<int>(e.region)] += e.usd_cents;
    sums[e.attributed_year].forecast[e.fund] += e.usd_cents;
  }
  for (int year : years) {
    checks.Checked();
    ReportOptions options;
    options.year = year;
    options.snapshot.as_of = last;  // every entry is in the snapshot
    Report report = ComputeReport(contents.ledger, *columns, options);
    const YearSums& expected = sums[year];
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
    Compare(report_received, expected.received, fund, "received", checks);
    Compare(report_prior, expected.prior, fund, "prior-year", checks);
    Compare(report_forecast, expected.forecast, fund, "received for the forecast", checks);
    Compare(report_region, expected.region, in_region, "received", checks);
  }
}

}  // namespace

CheckResult CheckContents(const store::StoreContents& contents, const ledger::EntryColumns* columns) {
  CheckResult result;
  Checks checks(result);
  CheckEngine(contents, checks);
  EntryIndex index = CheckReferences(contents.ledger, checks);
  CheckUsd(contents.ledger, checks);
  ReversedBy reversed_by = CheckReversals(contents.ledger, index, checks);
  CheckSettlements(contents.ledger, index, reversed_by, checks);
  CheckImports(contents, index, checks);
  CheckAudit(contents, checks);
  CheckReport(contents, columns, reversed_by, checks);
  return result;
}

}  // namespace rmis::analysis
