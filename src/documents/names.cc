// Names in the document's language (see names.h).
#include "documents/names.h"

#include <unicode/locid.h>
#include <unicode/uloc.h>
#include <unicode/unistr.h>

#include <cstring>
#include <unordered_map>

#include "documents/language.h"

namespace rmis::documents {
namespace {

// alpha-3 -> alpha-2, built once from ICU's country list.
const std::unordered_map<std::string, std::string>& Alpha3ToAlpha2() {
  static const auto* table = [] {
    auto* map = new std::unordered_map<std::string, std::string>();
    for (const char* const* code = uloc_getISOCountries(); *code != nullptr; ++code) {
      icu::Locale locale("", *code);
      const char* alpha3 = locale.getISO3Country();
      if (alpha3 != nullptr && std::strlen(alpha3) == 3) (*map)[alpha3] = *code;
    }
    return map;
  }();
  return *table;
}

}  // namespace

std::string CountryName(const std::string& alpha3, const std::string& language) {
  const auto& table = Alpha3ToAlpha2();
  auto it = table.find(alpha3);
  if (it == table.end()) return "";
  icu::UnicodeString name;
  icu::Locale("", it->second.c_str()).getDisplayCountry(icu::Locale(language.c_str()), name);
  std::string out;
  name.toUTF8String(out);
  // ICU answers with the code itself when it has no name.
  return out == it->second ? "" : out;
}

Names::Names(const ledger::Ledger& ledger, const Catalog& catalog, std::map<std::string, std::string> names)
    : ledger_(ledger), catalog_(catalog), names_(std::move(names)) {
  for (const auto& d : ledger_.donors) donors_[d.id] = &d;
  for (const auto& f : ledger_.funds) funds_[f.id] = &f;
}

std::string Names::Donor(const std::string& donor_id) const {
  auto it = donors_.find(donor_id);
  if (it == donors_.end()) return donor_id;
  const ledger::Donor& donor = *it->second;
  const std::string& language = catalog_.language();
  int index = DonorNameIndex(language);
  if (index < 0) return donor.name;
  if (!donor.names[index].empty()) return donor.names[index];
  if (donor.type == ledger::DonorType::kMemberState && !donor.country.empty()) {
    std::string country = CountryName(donor.country, language);
    if (!country.empty()) return country;
  }
  return donor.name;
}

std::string Names::Fund(const std::string& fund_id) const {
  auto named = names_.find("fund." + fund_id);
  if (named != names_.end()) return named->second;
  auto it = funds_.find(fund_id);
  if (it == funds_.end()) return fund_id;
  if (catalog_.language() == "en") return it->second->name;
  // The category's name fits when the fund is the only one of its category.
  int same_category = 0;
  for (const auto& f : ledger_.funds) same_category += f.category == it->second->category;
  std::string key = "fund.category." + std::string(ledger::Name(it->second->category));
  if (same_category == 1 && catalog_.Has(key)) return catalog_.Format(key);
  return it->second->name;
}

std::string Names::Region(ledger::Region region) const {
  std::string id(ledger::Name(region));
  return catalog_.Format("region." + (id.empty() ? std::string("unallocated") : id));
}

std::string Names::Event(const std::string& event_id) const {
  auto named = names_.find("event." + event_id);
  if (named != names_.end()) return named->second;
  for (const auto& e : ledger_.events) {
    if (e.id == event_id) return e.name;
  }
  return event_id;
}

std::string Names::Appeal(const std::string& appeal_id) const {
  auto named = names_.find("appeal." + appeal_id);
  if (named != names_.end()) return named->second;
  for (const auto& a : ledger_.appeals) {
    if (a.id == appeal_id) return a.name;
  }
  return appeal_id;
}

}  // namespace rmis::documents
