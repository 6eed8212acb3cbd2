// The numbered SQL migrations compiled into rmis, in order.
#pragma once

#include <string_view>
#include <vector>

namespace rmis::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// migrations/sqlite/*.sql and migrations/postgres/*.sql, numbered alike.
const std::vector<Migration>& SqliteMigrations();
const std::vector<Migration>& PostgresMigrations();

}  // namespace rmis::store
