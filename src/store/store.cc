// Chooses the store implementation from the location's form.
#include "store/store.h"

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace rmis::store {

std::string_view Name(Role role) {
  switch (role) {
    case Role::kAdmin: return "admin";
    case Role::kOfficer: return "officer";
    case Role::kFocalPoint: return "focal_point";
    case Role::kViewer: return "viewer";
  }
  return "viewer";
}

std::optional<Role> ParseRole(std::string_view text) {
  for (Role role : {Role::kAdmin, Role::kOfficer, Role::kFocalPoint, Role::kViewer}) {
    if (Name(role) == text) return role;
  }
  return std::nullopt;
}

ImportResult SummarizePlan(ledger::PlanOutcome& outcome) {
  ImportResult result;
  result.unchanged = outcome.plan.unchanged;
  if (!outcome.problems.empty()) {
    result.problems = std::move(outcome.problems);
    result.truncated = outcome.truncated;
    return result;
  }
  const ledger::Ledger& add = outcome.plan.additions;
  result.added = add.donors.size() + add.funds.size() + add.targets.size() + add.appeals.size() +
                 add.events.size() + add.rates.size() + add.entries.size();
  result.entries_added = add.entries.size();
  for (const auto& e : add.entries) result.entry_ids.push_back(e.id);
  if (add.entries.size() <= kEchoEntries) result.entries = add.entries;
  return result;
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& location, OpenMode mode,
                                         StoreEnvironment environment) {
  if (location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0) {
    return OpenPostgresStore(location, mode, std::move(environment));
  }
  if (location.empty()) return Fail(ErrorCode::kInvalidArgument, "no store given");
  return OpenSqliteStore(location, mode, std::move(environment));
}

}  // namespace rmis::store
