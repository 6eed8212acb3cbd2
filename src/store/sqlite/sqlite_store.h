// The SQLite store: one file, WAL journal, synchronous=FULL, foreign keys on.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace rmis::store {

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, OpenMode mode,
                                               StoreEnvironment environment);

}  // namespace rmis::store
