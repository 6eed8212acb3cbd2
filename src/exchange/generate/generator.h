// A realistic synthetic dataset for benchmarks and scale tests
// (`rmis generate`): skewed giving (a few donors give most of the money), all
// donor types, several funds and currencies with monthly rates, pledges paid
// in instalments, write-offs, reversals, prior-year receipts, expectations,
// appeals and pledging events, over ten years.
//
// The same options give the same bytes: randomness comes from a seeded
// std::mt19937_64 whose raw output is turned into numbers here (the standard
// library's distributions may differ between implementations).
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"

namespace rmis::exchange {

struct GenerateOptions {
  int64_t entries = 100000;
  int64_t donors = 2000;
  uint64_t seed = 1;
  int first_year = 2016;
  int years = 10;
};

struct GenerateSummary {
  int64_t entries = 0;
  int64_t donors = 0;
  int64_t pledges = 0, receipts = 0, expected = 0, write_offs = 0, reversals = 0;
};

// Writes donors.csv, funds.csv, targets.csv, appeals.csv, events.csv,
// rates.csv and entries.csv into `directory` (created if missing), streaming
// the entries. Fails with kIo when a file cannot be written, and with
// kInvalidArgument for fewer than 100 donors or 1 entry.
Result<GenerateSummary> GenerateDataset(const GenerateOptions& options, const std::string& directory);

}  // namespace rmis::exchange
