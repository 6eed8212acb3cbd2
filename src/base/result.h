// Result and Status: the one way rmis reports an expected failure.
//
// A function that can fail for a reason the caller should handle (bad input,
// a missing record, a full disk) returns Result<T> or Status. Exceptions are
// kept for bugs and impossible states. The error says what went wrong in
// words a user can act on; `code` is a short machine-readable tag that the
// CLI maps to an exit code and the server to an HTTP status, in one place each.
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace rmis {

// Error codes. The edge (CLI, server) maps these; the core never knows about
// exit codes or HTTP.
enum class ErrorCode {
  kInvalidArgument,  // the caller gave something malformed
  kNotFound,         // a named thing does not exist
  kConflict,         // the request contradicts what is stored
  kOverflow,         // a number does not fit
  kIo,               // the file system or database failed
  kCorrupt,          // stored data breaks an invariant
  kUnauthenticated,  // who is asking is not known (no or bad credentials)
  kPermissionDenied, // who is asking may not do this
  kTooMany,          // too many attempts: wait and try again
  kInternal,         // a bug
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;
using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

inline const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kOverflow: return "overflow";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kCorrupt: return "corrupt";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kTooMany: return "too_many_requests";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace rmis
