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
  auto contents = (*store)->ReadContents();
  if (!contents) return Report(contents.error());
  // The report is checked over the columns the store serves reports from.
  // They are read after the snapshot: if a write landed in between, they are
  // built from the snapshot's entries instead.
  analysis::CheckResult result;
  bool from_snapshot = false;
  auto read = (*store)->ReadColumns([&](const ledger::Ledger&, const ledger::EntryColumns& columns) {
    if (columns.size() == contents->ledger.entries.size()) {
      result = analysis::CheckContents(*contents, &columns);
    } else {
      from_snapshot = true;
    }
  });
  if (!read) return Report(read.error());
  if (from_snapshot) result = analysis::CheckContents(*contents, nullptr);

  std::cout << "Checked " << ShownLocation(db) << ":\n";
  for (const auto& check : result.checks) {
    std::string counted = Counted(check.checked, check.unit);
    std::string outcome = check.failed == 0 ? "ok" : fmt::format("{} FAILED", check.failed);
    std::cout << fmt::format("  {:<12} {:<34} {:<10} {}\n", check.name, counted, outcome, check.what);
  }
  if (from_snapshot) std::cout << "(the store changed while it was read: the report was checked over the snapshot)\n";
  for (const auto& finding : result.findings) {
    std::cout << finding.check << ": " << finding.subject << ": " << finding.message << "\n";
  }
  if (!result.ok()) {
    std::cerr << "rmis: " << result.findings.size()
              << (result.findings.size() == 1 ? " difference" : " differences")
              << " found; the store does not check.\n";
    return kExitCheckFailed;
  }
  std::cout << "Every check passed.\n";
  return kExitOk;
}

}  // namespace rmis::cli
