// Reference data that rmis takes from ICU's copy of CLDR rather than keeping
// its own tables: which ISO 3166-1 alpha-3 country codes exist.
#pragma once

#include <string_view>

namespace rmis::reference {

// Whether `code` is an ISO 3166-1 alpha-3 code of a current country or
// territory, as ICU knows them (e.g. "MEX", "CHN"). Thread-safe.
bool IsCountryAlpha3(std::string_view code);

}  // namespace rmis::reference
