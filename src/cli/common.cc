// Shared pieces of the subcommands (see common.h).
#include "cli/common.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "reference/countries.h"

namespace rmis::cli {

int ExitCodeFor(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument: return kExitUsage;
    case ErrorCode::kNotFound: return kExitNotFound;
    case ErrorCode::kConflict: return kExitConflict;
    default: return kExitFailure;
  }
}

int Report(const Error& error) {
  std::cerr << "rmis: " << error.message << "\n";
  return ExitCodeFor(error);
}

ledger::Instant Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

store::StoreEnvironment Environment() {
  return store::StoreEnvironment{Now, reference::IsCountryAlpha3};
}

store::Actor CliActor() {
  const passwd* account = getpwuid(getuid());
  return store::Actor{std::string("cli:") + (account ? account->pw_name : "unknown"), "", ""};
}

store::WriteOptions CliWrite(const std::string& source) {
  store::WriteOptions options;
  options.actor = CliActor();
  options.source = source;
  return options;
}

std::string ShownLocation(const std::string& location) {
  size_t scheme = location.find("://");
  if (scheme == std::string::npos) return location;
  size_t at = location.find('@', scheme + 3);
  size_t colon = location.find(':', scheme + 3);
  if (at == std::string::npos || colon == std::string::npos || colon > at) return location;
  return location.substr(0, colon + 1) + "***" + location.substr(at);
}

std::string DefaultDb() {
  const char* env = std::getenv("RMIS_DB");
  return env && *env ? env : "rmis.db";
}

}  // namespace rmis::cli
