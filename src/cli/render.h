// Rendering for the terminal: the report as aligned text and as CSV, and
// entry lists. The last stage only; every figure comes from analysis/.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "analysis/check.h"
#include "analysis/report.h"
#include "store/store.h"

namespace rmis::cli {

std::string ReportToText(const analysis::Report& report);

// The report as one tidy CSV table: section, fund, item, measure, value.
std::string ReportToCsv(const analysis::Report& report);

std::string EntriesToText(const std::vector<store::ListedEntry>& entries);
std::string EntriesToCsv(const std::vector<store::ListedEntry>& entries);

// What `rmis check` prints of `result` for the store shown as `shown`: what
// each check looked at, then every difference; returns the exit code: 0 when
// every check passed, 7 (kExitCheckFailed) on a difference, 1 when the
// report's totals could not be checked (the store was written each time).
int PrintCheck(const analysis::CheckResult& result, const std::string& shown, std::ostream& out,
               std::ostream& err);

// 1234567 cents -> "12,345.67".
std::string GroupedUsd(int64_t cents);

}  // namespace rmis::cli
