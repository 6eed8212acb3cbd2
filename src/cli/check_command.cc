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
  // The entries are streamed and checked as they come (analysis::LedgerCheck:
  // memory does not hold them); the report is then checked over the columns
  // the store serves reports from, read after the snapshot. If a write landed
  // in between, they hold more entries than the snapshot: the whole check
  // runs again, up to three times.
  analysis::CheckResult result;
  bool report_checked = false;
  for (int attempt = 0; attempt < 3 && !report_checked; ++attempt) {
    analysis::LedgerCheck check;
    auto contents = (*store)->StreamContents(check);
    if (!contents) return Report(contents.error());
    check.Finish(*contents);
    auto read = (*store)->ReadColumns([&](const ledger::Ledger&, const ledger::EntryColumns& columns) {
      if (columns.size() != static_cast<size_t>(contents->entries)) return;
      check.CheckReport(contents->ledger, columns);
      report_checked = true;
    });
    if (!read) return Report(read.error());
    result = check.TakeResult();
  }

  std::cout << "Checked " << ShownLocation(db) << ":\n";
  for (const auto& check : result.checks) {
    std::string counted = Counted(check.checked, check.unit);
    std::string outcome = check.failed == 0 ? "ok" : fmt::format("{} FAILED", check.failed);
    std::cout << fmt::format("  {:<12} {:<34} {:<10} {}\n", check.name, counted, outcome, check.what);
  }
  if (!report_checked) {
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
  if (!report_checked) {
    std::cerr << "rmis: the report's totals could not be checked while the store was being written; run "
                 "rmis check again when it is quiet.\n";
    return kExitFailure;
  }
  std::cout << "Every check passed.\n";
  return kExitOk;
}

}  // namespace rmis::cli
