// The official languages (see language.h).
#include "documents/language.h"

#include "ledger/types.h"

namespace rmis::documents {
namespace {

constexpr Language kLanguages[] = {
    {"ar", Direction::kRightToLeft}, {"zh", Direction::kLeftToRight},
    {"en", Direction::kLeftToRight}, {"fr", Direction::kLeftToRight},
    {"ru", Direction::kLeftToRight}, {"es", Direction::kLeftToRight},
};

}  // namespace

std::span<const Language> Languages() { return kLanguages; }

std::optional<Language> FindLanguage(std::string_view code) {
  for (const Language& language : kLanguages) {
    if (language.code == code) return language;
  }
  return std::nullopt;
}

int DonorNameIndex(std::string_view code) {
  for (size_t i = 0; i < std::size(ledger::kNameLanguages); ++i) {
    if (ledger::kNameLanguages[i] == code) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace rmis::documents
