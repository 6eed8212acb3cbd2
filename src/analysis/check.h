// The invariants of a stored ledger, checked on demand (`rmis check`,
// issue 6 item 6): every figure the store keeps is recomputed from the
// entries and compared, and every rule the import path enforces is checked
// again on what is actually stored, so that a store edited behind rmis's back,
// a bug in a write path or a crash that left half a write is named.
//
// CheckContents is a pure function of what the store read
// (store::StoreContents, one snapshot) and, optionally, of the entries'
// columns the store keeps for reports: it does no I/O. It sits above both
// store/ (whose records it reads, and whose audit chain it verifies) and
// analysis/ (whose report it recomputes).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ledger/columns.h"
#include "store/store.h"

namespace rmis::analysis {

// One kind of check and how much it looked at.
struct CheckCount {
  std::string name;     // "usd", "settlements", ...
  std::string what;     // what it checks, for the printout
  int64_t checked = 0;  // how many items (entries, pledges, records, ...)
  std::string unit;     // what `checked` counts: "entries", "pledges", ...
  int64_t failed = 0;   // how many differences it found
};

// One difference: which check, which record, what is wrong.
struct CheckFinding {
  std::string check;    // CheckCount::name
  std::string subject;  // "entry R-7", "import 3", "audit record 12", "year 2021 fund core"
  std::string message;  // what was expected and what is stored
};

struct CheckResult {
  std::vector<CheckCount> checks;      // in the order they ran
  std::vector<CheckFinding> findings;  // every difference, by check, each check's in storage order
  // False when the store was written each time it was read (CheckStore), so
  // the report's totals could not be checked.
  bool report_checked = true;
  bool ok() const { return findings.empty(); }
};

// Runs every check on `contents`:
// - engine: the engine's own check (SQLite integrity_check, foreign keys);
// - references: each entry's id is unique and its donor, fund, appeal, event,
//   `settles` and `reverses` name stored records;
// - usd: each entry's stored usd_cents is the conversion of amount_minor at
//   the rate of its value date's month (money::ToUsdCents, the one rule);
// - settlements: in storage order, what live receipts and write-offs settle
//   never exceeds the pledge or expectation (its balance is never negative),
//   in its currency, donor and fund, and a reversed pledge keeps no live
//   settlement;
// - reversals: each reverses exactly one entry, not a reversal, with the same
//   donor, fund, amount and currency, and no entry is reversed twice;
// - imports: each import's recorded count of added records agrees with the
//   entries carrying its id and with the import's audit record, every entry
//   carries an import, and the added counts sum to what is stored;
// - audit: the hash chain verifies (store/audit.h);
// - report: for every year with entries, the report's totals (received and
//   prior-year per fund, per region, received for the year's forecast)
//   computed by analysis::ComputeReport over `columns` equal a plain
//   recomputation from the entry records. `columns` are the entries' columns
//   the store serves reports from; when null they are built from
//   contents.ledger.entries.
CheckResult CheckContents(const store::StoreContents& contents, const ledger::EntryColumns* columns = nullptr);

// The same checks on entries streamed from the store (Store::StreamContents),
// for a ledger too large to hold as records: per entry it keeps its id and
// 36 bytes (kind, donor, fund, amount, currency, USD, years, region), about
// 60 bytes in all with the index of ids, and nothing of the entry's text.
//   LedgerCheck check;
//   auto contents = store.StreamContents(check);  // OnReference, then OnEntry for each entry
//   check.Finish(*contents);                      // every check but the report's; frees the per-entry state
//   check.CheckReport(contents->ledger, columns); // over the store's columns of the same entries
//   CheckResult result = check.TakeResult();
// Findings are grouped by check, in the order of the checks, and within one
// check in storage order of the entry they name.
class LedgerCheck : public store::ContentsReader {
 public:
  LedgerCheck();
  ~LedgerCheck() override;
  LedgerCheck(const LedgerCheck&) = delete;
  LedgerCheck& operator=(const LedgerCheck&) = delete;

  void OnReference(const ledger::Ledger& reference) override;
  void OnEntry(const ledger::Entry& entry) override;
  // After the last entry; `contents` is the rest of the same snapshot (its
  // ledger.entries are not read).
  void Finish(const store::StoreContents& contents);
  // The report's totals over `columns`, which must hold the entries
  // streamed, in order; `reference`: the snapshot's reference records.
  void CheckReport(const ledger::Ledger& reference, const ledger::EntryColumns& columns);
  CheckResult TakeResult();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Checks `store` as `rmis check` does: the entries streamed into a
// LedgerCheck, then the report over the columns the store serves reports
// from, read after the snapshot. If a write landed in between, the columns
// hold more entries than the snapshot and the whole check runs again, up to
// three times; after that the result says report_checked = false.
Result<CheckResult> CheckStore(store::Store& store);

}  // namespace rmis::analysis
