// `rmis check` (issue 6, item 6): recomputes every stored figure from the
// entries and checks every invariant of the stored ledger
// (analysis/check.h), prints what it checked and exits 7 on any difference.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace rmis::cli {

struct CheckCommand {
  CLI::App* check = nullptr;
};

// Adds `check` to `app`; `db` is the shared --db option's variable.
void AddCheckCommand(CLI::App& app, std::string& db, const std::string& db_help, CheckCommand& command);

// Opens the store at `db`, checks it and prints the result: exit 0 when
// every check passes, 7 (kExitCheckFailed) when one finds a difference, the
// usual codes when the store cannot be read.
int RunCheck(const std::string& db);

}  // namespace rmis::cli
