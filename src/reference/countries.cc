// Country codes from ICU: uloc_getISOCountries gives the alpha-2 codes and
// uloc_getISO3Country their alpha-3 forms.
#include "reference/countries.h"

#include <string>
#include <unordered_set>

#include <unicode/uloc.h>

namespace rmis::reference {
namespace {

const std::unordered_set<std::string>& Alpha3Codes() {
  static const std::unordered_set<std::string> codes = [] {
    std::unordered_set<std::string> set;
    for (const char* const* alpha2 = uloc_getISOCountries(); *alpha2 != nullptr; ++alpha2) {
      std::string locale = std::string("_") + *alpha2;
      const char* alpha3 = uloc_getISO3Country(locale.c_str());
      if (alpha3 != nullptr && std::string_view(alpha3).size() == 3) set.insert(alpha3);
    }
    return set;
  }();
  return codes;
}

}  // namespace

bool IsCountryAlpha3(std::string_view code) {
  return code.size() == 3 && Alpha3Codes().count(std::string(code)) > 0;
}

}  // namespace rmis::reference
