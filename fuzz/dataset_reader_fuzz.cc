// Fuzz target (issue 6): the dataset reader (src/exchange/csv/dataset_reader.h),
// one file kind at a time.
//
// Input: one selector byte, then CSV text. The selector chooses the file kind
// (DatasetFileNames()[selector % 7]) and the mode: when (selector / 7) is even
// the text is read as that file (ReadDatasetFileText, as an upload); when odd,
// its first record is taken as the columns and its second as the values of one
// record (ReadDatasetRecord, as a record sent to the API).
//
// Besides memory errors and undefined behaviour it checks what the reader
// promises: problems name the file and a line (or, for a record, neither);
// every record read passes the rules it was read by (an entry's amount is
// more than zero, its date and amount print back to what they parse from).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exchange/csv/csv_reader.h"
#include "exchange/csv/dataset_reader.h"
#include "fuzz/fuzz_check.h"
#include "ledger/types.h"

namespace {

using rmis::exchange::DatasetRead;

void CheckRecords(const DatasetRead& read) {
  for (const auto& record : read.dataset.entries) {
    const rmis::ledger::Entry& entry = record.value;
    RMIS_FUZZ_CHECK(entry.amount.minor_units() > 0, entry.id);
    RMIS_FUZZ_CHECK(rmis::ledger::IsValidId(entry.id), entry.id);
    auto date = rmis::ledger::ParseDate(rmis::ledger::FormatDate(entry.value_date));
    RMIS_FUZZ_CHECK(date && *date == entry.value_date, entry.id);
    auto amount = rmis::money::Money::Parse(entry.amount.ToDecimalString(),
                                            entry.amount.currency().view());
    RMIS_FUZZ_CHECK(amount && *amount == entry.amount, entry.id);
  }
  for (const auto& record : read.dataset.donors) {
    RMIS_FUZZ_CHECK(rmis::ledger::IsValidId(record.value.id), record.value.id);
  }
  for (const auto& record : read.dataset.funds) {
    RMIS_FUZZ_CHECK(rmis::ledger::IsValidId(record.value.id), record.value.id);
  }
  for (const auto& record : read.dataset.rates) {
    RMIS_FUZZ_CHECK(rmis::money::Rate::Parse(record.value.units_per_usd).has_value(),
                    record.value.units_per_usd);
  }
}

size_t RecordCount(const DatasetRead& read) {
  const auto& d = read.dataset;
  return d.donors.size() + d.funds.size() + d.targets.size() + d.appeals.size() +
         d.events.size() + d.rates.size() + d.entries.size();
}

void ReadFile(const std::string& file_name, std::string_view text) {
  DatasetRead read;
  rmis::exchange::ReadDatasetFileText(file_name, text, read);
  RMIS_FUZZ_CHECK(read.files == 1, file_name);
  for (const auto& problem : read.problems) {
    RMIS_FUZZ_CHECK(problem.file == file_name, problem.file);
    RMIS_FUZZ_CHECK(problem.line >= 0, problem.message);
  }
  CheckRecords(read);
}

void ReadRecord(const std::string& file_name, std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<rmis::ledger::Problem> csv_problems;
  rmis::exchange::ReadCsvText(
      text, "record.csv",
      [&](int64_t, std::vector<std::string>& fields) {
        rows.push_back(fields);
        return rows.size() < 2;
      },
      csv_problems);
  if (rows.empty()) return;
  std::vector<std::pair<std::string, std::string>> fields;
  for (size_t i = 0; i < rows[0].size(); ++i) {
    std::string value = rows.size() > 1 && i < rows[1].size() ? rows[1][i] : "";
    fields.emplace_back(rows[0][i], std::move(value));
  }
  DatasetRead read;
  rmis::exchange::ReadDatasetRecord(file_name, fields, read);
  for (const auto& problem : read.problems) {
    RMIS_FUZZ_CHECK(problem.file.empty() && problem.line == 0, problem.message);
  }
  // A record is read, or there is a problem that says why not.
  RMIS_FUZZ_CHECK(read.problems.empty() == (RecordCount(read) == 1), file_name);
  CheckRecords(read);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto& names = rmis::exchange::DatasetFileNames();
  const std::string& file_name = names[data[0] % names.size()];
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] / names.size()) % 2 == 0) {
    ReadFile(file_name, text);
  } else {
    ReadRecord(file_name, text);
  }
  return 0;
}
