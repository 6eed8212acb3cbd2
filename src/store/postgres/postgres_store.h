// The PostgreSQL store: the same Store as SQLite, for an agency's shared
// deployment, where several `rmis serve` processes may use one server.
//
// It is reached through libpq with a small pool of connections, so reads run
// side by side; every write takes one transaction-scoped advisory lock, so
// writes (and the audit trail's head) are serialized exactly as SQLite's
// single writer serializes them. See docs/architecture.md, "PostgreSQL".
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace rmis::store {

// Connections the store opens at most; a request waits for a free one.
// WriteOptions::respond runs inside the write, holding a connection and the
// write lock: it must not call the store (the SQLite store would allow a
// nested read; here a nested write would wait for its own lock).
inline constexpr size_t kPostgresPoolSize = 8;

// Opens the store in the database named by `url` ("postgresql://" or
// "postgres://", libpq's URI form: user, password, host, port, database and
// parameters such as sslmode).
//
// kCreate: the database must exist and hold no rmis table (else kConflict);
// the tables are made by the migrations. kExisting: the rmis tables must be
// there (else kNotFound). Pending migrations are applied and recorded in
// schema_migrations either way. Fails with kIo when the server cannot be
// reached, runs with fsync off (a commit could be lost), or is older than
// PostgreSQL 11; with kInvalidArgument when the URL is malformed or the
// database is not UTF-8. Error messages never show the URL's password.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, OpenMode mode,
                                                 StoreEnvironment environment);

}  // namespace rmis::store
