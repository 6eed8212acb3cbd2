// The Store: where the ledger lives. SQLite is the embedded default; a
// PostgreSQL implementation fills the same interface for shared deployments.
//
// A store appends and never edits. Every write goes through ledger::PlanImport
// inside one transaction, so the rules are checked against exactly the state
// the write lands on, and a write either happens whole or not at all.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "ledger/dataset.h"
#include "ledger/import.h"

namespace rmis::store {

// Which entries to list. Empty or unset members do not filter.
struct EntryFilter {
  std::string donor;
  std::string fund;
  std::optional<ledger::EntryKind> kind;
  std::optional<ledger::Date> from;  // value_date on or after
  std::optional<ledger::Date> to;    // value_date on or before
  std::optional<int> attributed_year;
  std::optional<ledger::Region> region;
  std::string appeal;
  std::string event;
  std::string settles;  // entries that settle this one
  int64_t after_seq = 0;  // cursor: entries stored after this sequence number
  int64_t limit = 0;      // 0: no limit
};

struct ListedEntry {
  int64_t seq = 0;  // order of storage, for cursors
  ledger::Entry entry;
};

struct ImportResult {
  size_t added = 0;      // records appended (reference records and entries)
  size_t entries_added = 0;
  size_t unchanged = 0;  // records already stored with the same content
  std::vector<ledger::Problem> problems;  // non-empty: nothing was written
  bool truncated = false;
  int64_t import_id = 0;
};

struct AppliedMigration {
  int version = 0;
  std::string name;
  ledger::Instant applied_at = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Everything stored, in storage order.
  virtual Result<ledger::Ledger> LoadLedger() = 0;

  // Checks `dataset` against the stored ledger and appends it, all in one
  // transaction. Problems in the data come back in ImportResult::problems
  // with nothing written; an Error means the store itself failed (nothing is
  // written either). `source` says where the data came from, for the record.
  virtual Result<ImportResult> Import(const ledger::Dataset& dataset,
                                      const std::string& source) = 0;

  // Checks `dataset` as Import would, against the stored ledger, and writes
  // nothing. Used to report every problem of an import at once, even when
  // some rows could not be read.
  virtual Result<ImportResult> Check(const ledger::Dataset& dataset) = 0;

  virtual Result<std::vector<ListedEntry>> ListEntries(const EntryFilter& filter) = 0;

  virtual Result<std::vector<AppliedMigration>> Migrations() = 0;
};

// What a store needs from outside: the clock, and the country list.
struct StoreEnvironment {
  std::function<ledger::Instant()> now;
  ledger::CountryCheck is_country;
};

enum class OpenMode { kExisting, kCreate };

// Opens the store named by `location`: a file path for SQLite (the default),
// or a "postgresql://" URL. kCreate creates an empty store (failing with
// kConflict if one exists); kExisting fails with kNotFound if there is none.
// Pending migrations are applied and recorded on open.
Result<std::unique_ptr<Store>> OpenStore(const std::string& location, OpenMode mode,
                                         StoreEnvironment environment);

}  // namespace rmis::store
