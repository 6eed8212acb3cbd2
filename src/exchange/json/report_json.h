// The report as JSON: the shape that `rmis report --format json` prints and
// that the API will return (money as decimal strings in USD, shares as
// numbers from 0 to 1, dates as YYYY-MM-DD).
#pragma once

#include <nlohmann/json.hpp>

#include "analysis/report.h"
#include "exchange/json/entry_json.h"
#include "ledger/types.h"

namespace rmis::exchange {

nlohmann::ordered_json ReportToJson(const analysis::Report& report);


}  // namespace rmis::exchange
