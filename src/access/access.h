// Who may do what, and the secrets that prove who someone is.
//
// The rules of access are written once here and used by the server (and by
// any other interface that acts for a user): a focal point records entries
// only for the donors assigned to them, a viewer writes nothing, only an
// admin manages accounts and reads the audit trail. Passwords are hashed with
// Argon2id (libsodium's crypto_pwhash_str); session and API tokens are random
// 256-bit secrets of which only a SHA-256 hash is stored.
#pragma once

#include <string>

#include "base/result.h"
#include "ledger/types.h"
#include "store/store.h"

namespace rmis::access {

// What a request wants to do.
enum class Action {
  kRead,             // figures, entries, reference data
  kRecordEntry,      // pledge, receipt, expected, write-off, reversal
  kImport,           // a whole dataset
  kManageReference,  // donors, funds, targets, appeals, events, rates
  kManageUsers,
  kReadAudit,
};

// Succeeds when `user` may do `action`; else fails with kPermissionDenied
// (a disabled account may do nothing).
Status Allow(const store::User& user, Action action);

// For kRecordEntry: also checks the entry's donor against a focal point's
// assignments.
Status AllowEntry(const store::User& user, const ledger::Entry& entry);

// Argon2id hash of `password` (libsodium's interactive limits). Fails when
// the password is shorter than 10 characters or hashing runs out of memory.
Result<std::string> HashPassword(const std::string& password);
bool VerifyPassword(const std::string& hash, const std::string& password);

// A fresh random secret, hex (64 characters), and its stored hash.
std::string NewSecret();
std::string HashSecret(const std::string& secret);

}  // namespace rmis::access
