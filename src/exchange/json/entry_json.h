// A ledger entry as JSON: the one shape used by `rmis entries --format json`,
// the API and the audit trail's record of what a write added.
#pragma once

#include <nlohmann/json.hpp>

#include "ledger/types.h"

namespace rmis::exchange {

// Money as decimal strings; optional fields only when given.
nlohmann::ordered_json EntryToJson(const ledger::Entry& entry);

}  // namespace rmis::exchange
