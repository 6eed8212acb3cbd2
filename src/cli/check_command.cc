// `rmis check` (see check_command.h).
#include "cli/check_command.h"

#include <fmt/format.h>

#include <iostream>
#include <map>

#include "analysis/check.h"
#include "cli/common.h"
#include "store/store.h"

namespace rmis::cli {
namespace {

// "1 entry", "2 entries".
std::string Counted(int64_t count, const std::string& unit) {
  static const std::map<std::string, std::string> kOne = {
      {"checks", "check"},   {"entries", "entry"}, {"reversals", "reversal"},
      {"imports", "import"}, {"records", "record"}, {"years", "year"},
      {"pledges and expectations", "pledge or expectation"}};
  auto one = kOne.find(unit);
  return fmt::format("{} {}", count, count == 1 && one != kOne.end() ? one->second : unit);
}

}  // namespace

void AddCheckCommand(CLI::App& app, std::string& db, const std::string& db_help, CheckCommand& command) {
  command.check = app.add_subcommand(
      "check", "Recompute every stored figure from the entries and check every invariant; exit 7 on a difference");
  command.check->add_option("--db", db, db_help);
}

int RunCheck(const std::string& db) {
  auto store = store::OpenStore(db, store::OpenMode::kExisting, Environment());
  if (!store) return Report(store.error());
  auto checked = analysis::CheckStore(**store);
  if (!checked) return Report(checked.error());
  const analysis::CheckResult& result = *checked;

  std::cout << "Checked " << ShownLocation(db) << ":\n";
  for (const auto& check : result.checks) {
    std::string counted = Counted(check.checked, check.unit);
    std::string outcome = check.failed == 0 ? "ok" : fmt::format("{} FAILED", check.failed);
    std::cout << fmt::format("  {:<12} {:<34} {:<10} {}\n", check.name, counted, outcome, check.what);
  }
  if (!result.report_checked) {
    std::cout << "report: not checked: the store changed each time it was read (three times)\n";
  }
  for (const auto& finding : result.findings) {
    std::cout << finding.check << ": " << finding.subject << ": " << finding.message << "\n";
  }
  if (!result.ok()) {
    std::cerr << "rmis: " << result.findings.size()
              << (result.findings.size() == 1 ? " difference" : " differences")
              << " found; the store does not check.\n";
    return kExitCheckFailed;
  }
  if (!result.report_checked) {
    std::cerr << "rmis: the report's totals could not be checked while the store was being written; run "
                 "rmis check again when it is quiet.\n";
    return kExitFailure;
  }
  std::cout << "Every check passed.\n";
  return kExitOk;
}

}  // namespace rmis::cli
