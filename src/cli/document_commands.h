// The documents subcommands (issue 5): `rmis document report` writes the
// Executive Board report on the resource mobilization strategy and `rmis
// document bulletin` the monthly income bulletin, in any of the six official
// languages. Thin: parse, load the ledger, call documents::, choose the exit
// code (cli/common.h).
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace rmis::cli {

struct DocumentCommands {
  CLI::App* document = nullptr;
  CLI::App* report = nullptr;
  CLI::App* bulletin = nullptr;

  int year = 0;
  std::string as_of;
  std::string month;
  std::string known_at;
  std::string forecast_as_of;
  std::string appeals_as_of;
  int concentration_year = 0;
  std::string basis = "gross";
  std::string previous_basis = "net";
  int top = 10;
  std::string language = "en";
  std::string format = "pdf";
  std::string output;
  std::string messages;
  std::string narrative_dir;
  std::string narrative_file;
  std::string from;
  std::string to;
  std::string pandoc = "pandoc";
};

// Adds `document report` and `document bulletin` to `app`; `db` is the shared
// --db option's variable.
void AddDocumentCommands(CLI::App& app, std::string& db, const std::string& db_help, DocumentCommands& commands);

// Runs the subcommand that was chosen, if it is one of these; nullopt if not.
// `program` is argv[0], to find the message files of an installed rmis.
std::optional<int> RunDocumentCommands(const DocumentCommands& commands, const std::string& db,
                                       const std::string& program);

}  // namespace rmis::cli
