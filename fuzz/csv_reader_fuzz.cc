// Fuzz target (issue 6): the CSV reader (src/exchange/csv/csv_reader.h) on any
// bytes. Besides memory errors and undefined behaviour it checks that records
// and problems are placed on lines that exist, and that text read without a
// problem, written back with CsvEscape and read again, gives the same records.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "exchange/csv/csv_reader.h"
#include "fuzz/fuzz_check.h"

namespace {

using Rows = std::vector<std::vector<std::string>>;

// Reads `text`, checking where each record starts; returns the records.
Rows Read(std::string_view text, std::vector<rmis::ledger::Problem>& problems) {
  // libcsv ends a record at "\r" too, so a record may start on a "line" the
  // reader counts past the last '\n'.
  const int64_t line_ends = std::count(text.begin(), text.end(), '\n') +
                            std::count(text.begin(), text.end(), '\r');
  Rows rows;
  int64_t last_line = 1;
  int64_t count = rmis::exchange::ReadCsvText(
      text, "fuzz.csv",
      [&](int64_t line, std::vector<std::string>& fields) {
        RMIS_FUZZ_CHECK(line >= last_line && line <= line_ends + 1,
                        "record on line " + std::to_string(line));
        last_line = line;
        rows.push_back(fields);
        return true;
      },
      problems);
  RMIS_FUZZ_CHECK(count >= static_cast<int64_t>(rows.size()), "record count");
  for (const auto& problem : problems) {
    RMIS_FUZZ_CHECK(problem.file == "fuzz.csv", problem.file);
    RMIS_FUZZ_CHECK(problem.line >= 0 && problem.line <= line_ends + 1,
                    "problem on line " + std::to_string(problem.line));
    RMIS_FUZZ_CHECK(!problem.message.empty(), "a problem without a message");
  }
  return rows;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<rmis::ledger::Problem> problems;
  Rows rows = Read(text, problems);
  if (!problems.empty()) return 0;

  // Written back: a byte order mark first (the reader drops one, so a first
  // field that starts with one keeps it), each field escaped. A record of one
  // empty field is written as "" (an empty line is no record).
  std::string written = "\xEF\xBB\xBF";
  for (const auto& row : rows) {
    if (row.size() == 1 && row[0].empty()) {
      written += "\"\"\n";
      continue;
    }
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) written += ',';
      written += rmis::exchange::CsvEscape(row[i]);
    }
    written += "\r\n";
  }
  std::vector<rmis::ledger::Problem> again_problems;
  Rows again = Read(written, again_problems);
  RMIS_FUZZ_CHECK(again_problems.empty(), again_problems[0].message);
  RMIS_FUZZ_CHECK(again == rows, "the records written back read differently");
  return 0;
}
