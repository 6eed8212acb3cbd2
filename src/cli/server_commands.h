// The subcommands of a team's deployment: `rmis serve`, `rmis user
// add|passwd|disable|list|token` and `rmis audit verify|list`.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace rmis::cli {

struct ServerCommands {
  CLI::App* serve = nullptr;
  CLI::App* user = nullptr;
  CLI::App* user_add = nullptr;
  CLI::App* user_passwd = nullptr;
  CLI::App* user_disable = nullptr;
  CLI::App* user_list = nullptr;
  CLI::App* user_token = nullptr;
  CLI::App* audit = nullptr;
  CLI::App* audit_verify = nullptr;
  CLI::App* audit_list = nullptr;

  std::string listen = "127.0.0.1:8080";
  std::string static_dir;
  bool secure_cookies = false;
  int threads = 8;
  std::string user_name;
  std::string role;
  std::vector<std::string> donors;
  std::string label;
  int64_t after = 0;
  int64_t limit = 50;
};

// Adds the subcommands to `app`; `db` is the shared --db option's variable.
void AddServerCommands(CLI::App& app, std::string& db, const std::string& db_help,
                       ServerCommands& commands);

// Runs the subcommand that was chosen, if it is one of these; nullopt if not.
std::optional<int> RunServerCommands(const ServerCommands& commands, const std::string& db);

}  // namespace rmis::cli
