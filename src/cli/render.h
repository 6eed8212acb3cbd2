// Rendering for the terminal: the report as aligned text and as CSV, and
// entry lists. The last stage only; every figure comes from analysis/.
#pragma once

#include <string>
#include <vector>

#include "analysis/report.h"
#include "store/store.h"

namespace rmis::cli {

std::string ReportToText(const analysis::Report& report);

// The report as one tidy CSV table: section, fund, item, measure, value.
std::string ReportToCsv(const analysis::Report& report);

std::string EntriesToText(const std::vector<store::ListedEntry>& entries);
std::string EntriesToCsv(const std::vector<store::ListedEntry>& entries);

// 1234567 cents -> "12,345.67".
std::string GroupedUsd(int64_t cents);

}  // namespace rmis::cli
