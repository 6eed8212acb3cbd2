// The six official UN languages that documents are written in, and what a
// renderer needs to know about each (its code and writing direction).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rmis::documents {

enum class Direction { kLeftToRight, kRightToLeft };

struct Language {
  std::string_view code;  // BCP 47: "ar", "zh", "en", "fr", "ru", "es"
  Direction direction = Direction::kLeftToRight;
};

// The languages in the UN's order of the official languages (alphabetical in
// English: Arabic, Chinese, English, French, Russian, Spanish).
std::span<const Language> Languages();

// The language with this code, or nullopt.
std::optional<Language> FindLanguage(std::string_view code);

// Index of a language in ledger::Donor::names (ar, zh, fr, ru, es), or -1
// for English, whose name is Donor::name.
int DonorNameIndex(std::string_view code);

}  // namespace rmis::documents
