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

const std::vector<Migration>& SqliteMigrations();

}  // namespace rmis::store
