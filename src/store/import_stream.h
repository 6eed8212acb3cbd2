// The part of a streamed import (Store::ImportStream, issue 6) that does not
// depend on the engine: it plans a dataset chunk by chunk with the one
// validation pass, ledger::PlanImport, and hands each chunk's records to the
// store to append inside the store's write transaction.
//
// How a chunk is checked, and why the outcome is that of one dataset:
// - The stored entries a chunk names (what its rows settle or reverse, and
//   what settles or reverses those) are loaded from the store, which already
//   holds the chunks before it: so balances, reversals and duplicates are
//   checked against everything before the chunk, as within one dataset. A
//   pledge or expectation this import appended comes from memory instead,
//   as the pledge and the sum of its live settlements (OpenPledges in
//   import_stream.cc), when that sum can stand for them.
// - A row that settles or reverses an id not seen yet (not stored, not in
//   the chunk) waits for a later chunk, since a dataset may name entries in
//   any order; what still waits at the end is planned once more and gets the
//   usual "no entry ... to settle".
// - The chunk's own ids are not looked up first (that costs an index probe a
//   row); a row that repeats a stored id makes the append fail on the UNIQUE
//   index, and the chunk is then planned again with its ids looked up. A
//   chunk with problems is planned again the same way, so its problems are
//   exactly those one dataset would give.
// - With problems, the rows that passed are still appended (and rolled back
//   at the end with everything else), so that the later chunks are checked
//   against them as the later rows of one dataset would be.
// - Planning and appending overlap (issue 6): while the store appends chunk
//   k on a thread of its own, chunk k+1 is planned. The stored entries it
//   names are loaded before chunk k is appended, and what it names in chunk
//   k is taken from chunk k's plan in memory. When the store refuses chunk k
//   (a stored id) or chunk k+1 has problems, chunk k+1 is planned again once
//   chunk k is stored, with its ids looked up.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "ledger/dataset.h"
#include "ledger/import.h"
#include "store/store.h"

namespace rmis::store {

// What a store gives the streamed import, inside its write transaction.
// Append runs on another thread than LoadNamed, but never at the same time
// as it or as another Append.
class StreamTarget {
 public:
  virtual ~StreamTarget() = default;
  // Appends to `entries` (and their sequence numbers to `seqs`) the stored
  // entries whose id is one of `ids`, those that settle one of them, and
  // those that reverse any of these: what PlanImport needs to check rows
  // that name `ids`.
  virtual Status LoadNamed(const std::vector<std::string>& ids, std::vector<ledger::Entry>& entries,
                           std::vector<int64_t>& seqs) = 0;
  // Appends `additions` (entries in order, with consecutive sequence
  // numbers) and returns the sequence number of the first entry (0 when
  // there is none). Fails with kConflict, having appended nothing, when an
  // entry's id is already stored.
  virtual Result<int64_t> Append(const ledger::Ledger& additions) = 0;
};

struct StreamOutcome {
  ImportResult result;     // counts and problems; entry_ids and entries stay empty
  std::string audit_after;  // the audit record's "after": what audit::DescribeAdditions would say
};

// Plans and appends the reference records of `reference`, then its entries
// and those `next_chunk` gives. `stored_reference` is the store's reference
// records at the start of the transaction. An Error is a failure of the store; the
// caller rolls back when there are problems or an Error.
Result<StreamOutcome> RunStreamedImport(StreamTarget& target, const ledger::Ledger& stored_reference,
                                        const ledger::Dataset& reference, const EntrySource& next_chunk,
                                        const ledger::CountryCheck& is_country, const std::string& source);

}  // namespace rmis::store
