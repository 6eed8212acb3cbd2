// What every rmis subcommand shares: exit codes, error reporting, the clock
// and the store's environment, the actor the command line writes as.
//
// Exit codes (docs/cli.md):
//   0  success
//   1  the store or the system failed (I/O, a corrupt store, a bug)
//   2  the command line is wrong (unknown option, bad value)
//   3  the input has problems: nothing was stored (import)
//   4  something named does not exist (no store at that path, no such user)
//   5  conflict (a store already exists where init would create one)
//   6  the audit trail does not verify
//   7  the store does not pass `rmis check` (a stored figure or invariant differs)
#pragma once

#include <string>

#include "base/result.h"
#include "store/store.h"

namespace rmis::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRejected = 3;
inline constexpr int kExitNotFound = 4;
inline constexpr int kExitConflict = 5;
inline constexpr int kExitAuditBroken = 6;
inline constexpr int kExitCheckFailed = 7;

int ExitCodeFor(const Error& error);

// Prints "rmis: message" to standard error; returns the exit code.
int Report(const Error& error);

ledger::Instant Now();
store::StoreEnvironment Environment();

// The command line acts as "cli:<login name>" in the audit trail.
store::Actor CliActor();
store::WriteOptions CliWrite(const std::string& source);

// The store's location as it may be printed: a password in a URL is hidden
// ("postgresql://ana:***@host/db").
std::string ShownLocation(const std::string& location);

// $RMIS_DB, else "rmis.db".
std::string DefaultDb();

}  // namespace rmis::cli
