// The names a document prints, in its language: donors, funds, regions,
// pledging events and appeals.
//
// Donors: the ledger's name in the language (donors.csv name_ar .. name_es,
// `name` for English); failing that, for a Member State, the country's name
// from ICU's copy of CLDR (icu::Locale::getDisplayCountry); failing that, the
// English name. Funds, events and appeals carry only an English name in the
// ledger, so their names in other languages come from the language's names
// file (`<narrative>/<lang>/names.properties`, keys `fund.ID`, `event.ID`,
// `appeal.ID`), and failing that the fund category's name in the message
// catalogue, and failing that the English name. Regions are a fixed list, in
// the message catalogue (`region.ID`).
#pragma once

#include <map>
#include <string>

#include "documents/messages.h"
#include "ledger/dataset.h"

namespace rmis::documents {

class Names {
 public:
  // `names` is the names file (key -> name), possibly empty; `catalog` and
  // `ledger` must outlive this object.
  Names(const ledger::Ledger& ledger, const Catalog& catalog, std::map<std::string, std::string> names);

  std::string Donor(const std::string& donor_id) const;
  std::string Fund(const std::string& fund_id) const;
  std::string Region(ledger::Region region) const;
  std::string Event(const std::string& event_id) const;
  std::string Appeal(const std::string& appeal_id) const;

 private:
  const ledger::Ledger& ledger_;
  const Catalog& catalog_;
  std::map<std::string, std::string> names_;
  std::map<std::string, const ledger::Donor*> donors_;
  std::map<std::string, const ledger::Fund*> funds_;
};

// The country's name in `language` from ICU, for an ISO 3166-1 alpha-3 code
// ("MEX" -> "墨西哥"); empty when ICU does not know the code.
std::string CountryName(const std::string& alpha3, const std::string& language);

}  // namespace rmis::documents
