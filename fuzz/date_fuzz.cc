// Fuzz target (issue 6): date, instant and month parsing (src/ledger/types.h).
//
// Input: text ("2021-06-30", "2021-06-30T12:00:00Z", "2021-06"). Besides
// memory errors and undefined behaviour it checks that what parses prints
// back to the same text (the forms are exact: no other spelling is taken),
// that a date's year and month are the ones written, and that the days of
// every year that can be written print back to themselves.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "ledger/types.h"

namespace {

namespace ledger = rmis::ledger;

void CheckDate(std::string_view text) {
  auto date = ledger::ParseDate(text);
  if (!date) {
    RMIS_FUZZ_CHECK(!date.error().message.empty(), std::string(text));
    return;
  }
  RMIS_FUZZ_CHECK(ledger::FormatDate(*date) == text, ledger::FormatDate(*date));
  const int year = ledger::YearOf(*date);
  const int month = ledger::MonthOf(*date);
  RMIS_FUZZ_CHECK(std::to_string(year + 10000).substr(1) == text.substr(0, 4), std::string(text));
  RMIS_FUZZ_CHECK(std::to_string(month + 100).substr(1) == text.substr(5, 2), std::string(text));
  RMIS_FUZZ_CHECK(ledger::MakeDate(year, static_cast<unsigned>(month),
                                   static_cast<unsigned>(std::stoi(std::string(text.substr(8, 2))))) == *date,
                  std::string(text));
  RMIS_FUZZ_CHECK(ledger::MonthIndexOf(*date) == year * 12 + month - 1, std::string(text));
  RMIS_FUZZ_CHECK(*date <= ledger::EndOfYear(year), std::string(text));
  RMIS_FUZZ_CHECK(ledger::EndOfDay(*date) - ledger::StartOfDay(*date) == 86399, std::string(text));
}

void CheckInstant(std::string_view text) {
  auto instant = ledger::ParseInstant(text);
  if (!instant) return;
  const std::string printed = ledger::FormatInstant(*instant);
  auto again = ledger::ParseInstant(printed);
  RMIS_FUZZ_CHECK(again && *again == *instant, printed);
  if (text.size() == 20) RMIS_FUZZ_CHECK(printed == text, printed);
  if (text.size() == 10) RMIS_FUZZ_CHECK(printed.substr(0, 10) == text, printed);
}

void CheckMonth(std::string_view text) {
  auto month = ledger::ParseMonth(text);
  if (!month) return;
  RMIS_FUZZ_CHECK(ledger::FormatMonth(*month) == text, ledger::FormatMonth(*month));
}

// Any day number from 1900-01-01 (ledger::kFirstYear) to 9999-12-31 prints
// as a date that parses back to it.
void CheckDayNumber(const uint8_t* data, size_t size) {
  if (size < 4) return;
  int32_t days = 0;
  std::memcpy(&days, data, sizeof days);
  const int32_t first = ledger::MakeDate(ledger::kFirstYear, 1, 1).days;
  const int32_t last = ledger::MakeDate(9999, 12, 31).days;
  const int64_t span = static_cast<int64_t>(last) - first + 1;
  const ledger::Date date{static_cast<int32_t>(first + (static_cast<int64_t>(days) % span + span) % span)};
  auto again = ledger::ParseDate(ledger::FormatDate(date));
  RMIS_FUZZ_CHECK(again && *again == date, ledger::FormatDate(date));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckDate(text);
  CheckInstant(text);
  CheckMonth(text);
  CheckDayNumber(data, size);
  return 0;
}
