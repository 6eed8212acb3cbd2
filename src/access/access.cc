// Access rules and secrets (see access.h).
#include "access/access.h"

#include <sodium.h>

#include <algorithm>

#include "store/audit.h"

namespace rmis::access {
namespace {

bool Init() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

tl::unexpected<Error> Deny(const store::User& user, const std::string& what) {
  return Fail(ErrorCode::kPermissionDenied,
              "user \"" + user.name + "\" (" + std::string(store::Name(user.role)) + ") may not " + what);
}

constexpr size_t kMinPasswordLength = 10;

}  // namespace

Status Allow(const store::User& user, Action action) {
  using store::Role;
  if (user.disabled) return Fail(ErrorCode::kPermissionDenied, "the account \"" + user.name + "\" is disabled");
  switch (action) {
    case Action::kRead:
      return {};
    case Action::kRecordEntry:
      if (user.role == Role::kViewer) return Deny(user, "record entries");
      return {};
    case Action::kImport:
      if (user.role != Role::kAdmin && user.role != Role::kOfficer) return Deny(user, "import datasets");
      return {};
    case Action::kManageReference:
      if (user.role != Role::kAdmin && user.role != Role::kOfficer) {
        return Deny(user, "change donors, funds, targets, appeals, events or rates");
      }
      return {};
    case Action::kManageUsers:
      if (user.role != Role::kAdmin) return Deny(user, "manage accounts");
      return {};
    case Action::kReadAudit:
      if (user.role != Role::kAdmin) return Deny(user, "read the audit trail");
      return {};
  }
  return Deny(user, "do this");
}

Status AllowEntry(const store::User& user, const ledger::Entry& entry) {
  if (auto allowed = Allow(user, Action::kRecordEntry); !allowed) return allowed;
  if (user.role == store::Role::kFocalPoint &&
      std::find(user.donors.begin(), user.donors.end(), entry.donor) == user.donors.end()) {
    return Fail(ErrorCode::kPermissionDenied, "focal point \"" + user.name +
                                                  "\" may record entries only for the donors assigned to them, not \"" +
                                                  entry.donor + "\"");
  }
  return {};
}

Result<std::string> HashPassword(const std::string& password) {
  if (!Init()) return Fail(ErrorCode::kInternal, "libsodium could not be initialized");
  if (password.size() < kMinPasswordLength) {
    return Fail(ErrorCode::kInvalidArgument,
                "a password needs at least " + std::to_string(kMinPasswordLength) + " characters");
  }
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Fail(ErrorCode::kInternal, "out of memory while hashing the password");
  }
  return std::string(hash);
}

bool VerifyPassword(const std::string& hash, const std::string& password) {
  if (!Init() || hash.empty()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string NewSecret() {
  Init();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

std::string HashSecret(const std::string& secret) { return store::audit::Sha256Hex(secret); }

}  // namespace rmis::access
