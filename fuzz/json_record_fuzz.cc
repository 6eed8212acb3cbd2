// Fuzz target (issue 6): a record sent as a JSON request body, read exactly as
// POST /api/v1/entries and the reference routes read it
// (server::ReadRecordBody: the strict JSON parse, then the rules of a CSV row).
//
// Input: one selector byte that chooses the kind of record
// (DatasetFileNames()[byte % 7]: donors, funds, targets, appeals, events,
// rates, entries), then the body. Besides memory errors and undefined
// behaviour it checks that every body gets one of the route's answers (200,
// 400 or 422), that a refused body's answer is JSON in the API's one error
// shape, and that an accepted body gives exactly one record.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "exchange/csv/dataset_reader.h"
#include "fuzz/fuzz_check.h"
#include "server/server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto& names = rmis::exchange::DatasetFileNames();
  const std::string& file_name = names[data[0] % names.size()];
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);

  rmis::exchange::DatasetRead read;
  rmis::server::RecordBodyAnswer answer =
      rmis::server::ReadRecordBody(body, file_name, "E2026-fuzz", read);
  const auto& d = read.dataset;
  const size_t records = d.donors.size() + d.funds.size() + d.targets.size() + d.appeals.size() +
                         d.events.size() + d.rates.size() + d.entries.size();
  if (answer.status == 200) {
    RMIS_FUZZ_CHECK(answer.error_body.empty() && read.problems.empty() && records == 1, file_name);
    if (file_name == "entries.csv") RMIS_FUZZ_CHECK(d.entries.at(0).value.amount.minor_units() > 0, body);
    return 0;
  }
  RMIS_FUZZ_CHECK(answer.status == 400 || answer.status == 422, std::to_string(answer.status));
  RMIS_FUZZ_CHECK(records == 0, "a refused body gave a record");
  auto error = nlohmann::json::parse(answer.error_body, nullptr, /*allow_exceptions=*/false);
  RMIS_FUZZ_CHECK(error.is_object() && error.contains("error") && error["error"]["code"].is_string() &&
                      error["error"]["message"].is_string() && error["error"]["details"].is_array(),
                  answer.error_body);
  RMIS_FUZZ_CHECK((answer.status == 422) == (error["error"]["code"] == "invalid_data"), answer.error_body);
  return 0;
}
