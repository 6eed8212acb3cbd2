// The one validation pass that every write to the ledger goes through.
//
// PlanImport checks a dataset against what is stored and against itself
// (references, the ledger rules of docs/data-format.md, duplicates) and, when
// nothing is wrong, returns exactly the records to append, with each entry's
// USD value computed. It does no I/O: a store calls it inside its write
// transaction, so no entry path can skip it.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "ledger/dataset.h"

namespace rmis::ledger {

// Tells whether a code is an ISO 3166-1 alpha-3 country code.
using CountryCheck = std::function<bool(std::string_view)>;

// What an import will append. Records already stored with the same content
// are left out and counted in `unchanged`.
struct ImportPlan {
  Ledger additions;
  size_t unchanged = 0;
};

struct PlanOutcome {
  ImportPlan plan;
  std::vector<Problem> problems;  // empty when the plan may be applied
  bool truncated = false;         // more problems than kMaxProblems were found
};

inline constexpr size_t kMaxProblems = 1000;

// Checks `dataset` against `stored`. On success `problems` is empty and
// `plan` holds the new records in dataset order.
PlanOutcome PlanImport(const Ledger& stored, const Dataset& dataset,
                       const CountryCheck& is_country);

// The same, with the reference records (donors, funds, targets, appeals,
// events, rates; `reference.entries` is not read) apart from the stored
// entries, so that a store can pass its cached reference records without
// copying them. `stored_entries` may be only the entries the dataset can
// touch (see SqliteStore::LoadForPlan): the outcome is the same.
PlanOutcome PlanImport(const Ledger& reference, const std::vector<Entry>& stored_entries,
                       const Dataset& dataset, const CountryCheck& is_country);

// How a streamed import (Store::ImportStream) plans one chunk of a dataset
// after the chunks before it were written in the same transaction.
struct ChunkPlanOptions {
  // Parallel to `stored_entries` (or empty): where a stored entry was given
  // when an earlier chunk of the same import wrote it (line 0: stored before
  // the import). A row that repeats such an entry's id is then reported as
  // the same row of one dataset would be ("already given on line N").
  const std::vector<SourceLocation>* stored_where = nullptr;
  // Keep the records that passed their checks in `plan.additions` even when
  // there are problems, so that the chunks after this one are checked
  // against them, as the rows after them in one dataset would be. Nothing is
  // committed when there are problems.
  bool keep_additions = false;
};

PlanOutcome PlanImport(const Ledger& reference, const std::vector<Entry>& stored_entries,
                       const Dataset& dataset, const CountryCheck& is_country,
                       const ChunkPlanOptions& options);

}  // namespace rmis::ledger
