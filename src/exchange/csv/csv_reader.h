// Streaming reader of RFC 4180 CSV files, built on libcsv, that knows on
// which line each record starts and checks that the bytes are UTF-8.
//
// The file is read in blocks and handed to libcsv one line at a time, so
// memory does not grow with the file and every record and error can be
// placed on its line.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/dataset.h"

namespace rmis::exchange {

// Called for each record with the line it starts on (1-based) and its
// fields. Returning false stops the reading.
using CsvRowHandler = std::function<bool(int64_t line, std::vector<std::string>& fields)>;

// Reads `path`, reporting each record to `on_row`. `display_name` is the name
// used in problems (e.g. "entries.csv"). Malformed CSV (an unterminated quote,
// a stray quote), bytes that are not UTF-8, and an unreadable file are added
// to `problems`; after a malformed record the rest of the file is not read.
// Returns the number of records read (the header included).
int64_t ReadCsvFile(const std::string& path, const std::string& display_name,
                    const CsvRowHandler& on_row, std::vector<ledger::Problem>& problems);

// Same, from text in memory (for tests and uploads).
int64_t ReadCsvText(std::string_view text, const std::string& display_name,
                    const CsvRowHandler& on_row, std::vector<ledger::Problem>& problems);

// Quotes a field for writing when it needs it (RFC 4180).
std::string CsvEscape(std::string_view field);

}  // namespace rmis::exchange
