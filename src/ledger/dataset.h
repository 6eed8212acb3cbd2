// A dataset: the records of one import, each with where it came from, and the
// problems found in it. Also the whole ledger as held by a store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/types.h"

namespace rmis::ledger {

// Where a record came from: a file (or other source) and its line, 1-based;
// line 0 when there is no line (a record made by the API).
struct SourceLocation {
  std::string file;
  int64_t line = 0;
};

// One thing wrong with the input, said so that a person can find and fix it.
struct Problem {
  std::string file;
  int64_t line = 0;
  std::string field;  // the column; empty when the problem is the whole row or file
  std::string message;
};

// "entries.csv:12: amount: ..." (parts that are empty are left out).
std::string FormatProblem(const Problem& problem);

template <typename T>
struct Located {
  T value;
  SourceLocation where;
};

// The records of one import, as read, before they are checked against the
// ledger. Entries have their amount parsed but usd_cents not yet computed.
struct Dataset {
  std::vector<Located<Donor>> donors;
  std::vector<Located<Fund>> funds;
  std::vector<Located<Target>> targets;
  std::vector<Located<Appeal>> appeals;
  std::vector<Located<Event>> events;
  std::vector<Located<RateRecord>> rates;
  std::vector<Located<Entry>> entries;
};

// Everything a store holds, in the order it was stored.
struct Ledger {
  std::vector<Donor> donors;
  std::vector<Fund> funds;
  std::vector<Target> targets;
  std::vector<Appeal> appeals;
  std::vector<Event> events;
  std::vector<RateRecord> rates;
  std::vector<Entry> entries;
};

}  // namespace rmis::ledger
