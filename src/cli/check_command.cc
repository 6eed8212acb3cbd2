// `rmis check` (see check_command.h).
#include "cli/check_command.h"

#include <iostream>

#include "analysis/check.h"
#include "cli/common.h"
#include "cli/render.h"
#include "store/store.h"

namespace rmis::cli {

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
  return PrintCheck(*checked, ShownLocation(db), std::cout, std::cerr);
}

}  // namespace rmis::cli
