// The synthetic dataset (see generator.h).
#include "exchange/generate/generator.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "exchange/csv/csv_reader.h"
#include "ledger/types.h"
#include "money/money.h"

namespace rmis::exchange {
namespace {

// Uniform numbers from the raw 64-bit output, the same on every platform.
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  double Unit() { return static_cast<double>(engine_() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
  int64_t Below(int64_t n) { return static_cast<int64_t>(Unit() * static_cast<double>(n)); }
  bool Chance(double p) { return Unit() < p; }

 private:
  std::mt19937_64 engine_;
};

struct MemberState {
  const char* code;
  const char* name;
  const char* currency;
};

// Member States that often give to UN-Habitat, with the currency they pay in.
constexpr MemberState kMemberStates[] = {
    {"SWE", "Sweden", "SEK"},     {"NOR", "Norway", "NOK"},         {"JPN", "Japan", "JPY"},
    {"DEU", "Germany", "EUR"},    {"CHE", "Switzerland", "CHF"},    {"GBR", "United Kingdom", "GBP"},
    {"USA", "United States of America", "USD"},                     {"CHN", "China", "USD"},
    {"ESP", "Spain", "EUR"},      {"DNK", "Denmark", "DKK"},        {"KOR", "Republic of Korea", "USD"},
    {"FRA", "France", "EUR"},     {"ITA", "Italy", "EUR"},          {"NLD", "Netherlands", "EUR"},
    {"FIN", "Finland", "EUR"},    {"BEL", "Belgium", "EUR"},        {"CAN", "Canada", "USD"},
    {"AUS", "Australia", "USD"},  {"ARE", "United Arab Emirates", "USD"}, {"SAU", "Saudi Arabia", "USD"},
    {"QAT", "Qatar", "USD"},      {"KWT", "Kuwait", "USD"},         {"MEX", "Mexico", "USD"},
    {"BRA", "Brazil", "USD"},     {"IND", "India", "USD"},          {"ZAF", "South Africa", "USD"},
    {"EGY", "Egypt", "USD"},      {"KEN", "Kenya", "USD"},          {"ETH", "Ethiopia", "USD"},
    {"NGA", "Nigeria", "USD"},    {"MAR", "Morocco", "USD"},        {"POL", "Poland", "EUR"},
    {"ISR", "Israel", "USD"},     {"JOR", "Jordan", "USD"},         {"PHL", "Philippines", "USD"},
    {"IDN", "Indonesia", "USD"},  {"THA", "Thailand", "USD"},       {"LKA", "Sri Lanka", "USD"},
    {"COL", "Colombia", "USD"},   {"BRB", "Barbados", "USD"},       {"MLI", "Mali", "USD"},
    {"DZA", "Algeria", "USD"},    {"MWI", "Malawi", "USD"},         {"UGA", "Uganda", "USD"},
    {"BHR", "Bahrain", "USD"},    {"IRQ", "Iraq", "USD"},           {"TUR", "Turkey", "USD"},
    {"ARG", "Argentina", "USD"},  {"CHL", "Chile", "USD"},          {"PER", "Peru", "USD"},
};

struct CurrencyWalk {
  const char* code;
  double base;  // units per USD
};
constexpr CurrencyWalk kCurrencies[] = {{"EUR", 0.88}, {"CHF", 0.95}, {"JPY", 110.0}, {"SEK", 9.2},
                                        {"NOK", 9.4},  {"DKK", 6.6},  {"GBP", 0.77}};

struct GenDonor {
  std::string id;
  std::string name;
  ledger::DonorType type;
  std::string country;
  std::string currency = "USD";
};

struct OpenPledge {
  std::string id;
  size_t donor = 0;
  int fund = 0;
  std::string currency;
  int64_t remaining = 0;  // minor units
  int attributed_year = 0;
};

struct Receipt {
  std::string id;
  size_t donor = 0;
  int fund = 0;
  std::string currency;
  int64_t amount = 0;
};

constexpr const char* kFunds[] = {"core", "earmarked", "technical_cooperation", "pooled_climate", "pooled_land"};
constexpr const char* kFundNames[] = {"Foundation non-earmarked", "Foundation earmarked", "Technical cooperation",
                                      "Climate resilience pooled fund", "Land tool pooled fund"};
constexpr const char* kFundCategories[] = {"core", "earmarked", "technical_cooperation", "earmarked", "earmarked"};
constexpr const char* kRegions[] = {"africa", "arab_states", "asia_pacific", "europe", "latin_america_caribbean",
                                    "global"};

// minor units -> decimal string with `exponent` decimals.
std::string Decimal(int64_t minor, int exponent) {
  std::string digits = std::to_string(minor);
  if (exponent == 0) return digits;
  if (static_cast<int>(digits.size()) <= exponent) digits.insert(0, exponent + 1 - digits.size(), '0');
  digits.insert(digits.size() - exponent, ".");
  return digits;
}

int ExponentOf(const std::string& currency) { return money::FindCurrency(currency)->exponent; }

Status Check(const std::ofstream& out, const std::string& path) {
  if (!out) return Fail(ErrorCode::kIo, "cannot write " + path);
  return {};
}

}  // namespace

Result<GenerateSummary> GenerateDataset(const GenerateOptions& options, const std::string& directory) {
  namespace fs = std::filesystem;
  if (options.donors < 100) return Fail(ErrorCode::kInvalidArgument, "--donors must be at least 100");
  if (options.entries < 1) return Fail(ErrorCode::kInvalidArgument, "--entries must be at least 1");
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) return Fail(ErrorCode::kIo, "cannot create " + directory + ": " + error.message());
  Random random(options.seed);
  GenerateSummary summary;
  const int last_year = options.first_year + options.years - 1;

  // --- Donors: institutions ranked by size, then individuals. ---------------
  std::vector<GenDonor> donors;
  donors.push_back({"eu", "European Union", ledger::DonorType::kRegionalOrganization, "", "EUR"});
  for (const auto& m : kMemberStates) {
    donors.push_back({std::string("ms_") + m.code, m.name, ledger::DonorType::kMemberState, m.code, m.currency});
  }
  donors.push_back({"un_entities", "UN entities", ledger::DonorType::kUnEntity, "", "USD"});
  donors.push_back({"adaptation_fund", "Adaptation Fund", ledger::DonorType::kMultilateralFund, "", "USD"});
  donors.push_back({"gef", "Global Environment Facility", ledger::DonorType::kMultilateralFund, "", "USD"});
  for (int i = 1; i <= 10; ++i) {
    donors.push_back({"foundation_" + std::to_string(i), "Foundation " + std::to_string(i),
                      ledger::DonorType::kFoundation, "", "USD"});
    donors.push_back({"company_" + std::to_string(i), "Company " + std::to_string(i),
                      ledger::DonorType::kPrivateSector, "", "USD"});
  }
  for (const char* code : {"BRA", "USA", "MEX", "IND", "ESP"}) {
    donors.push_back({std::string("region_") + code, std::string("Subnational government of ") + code,
                      ledger::DonorType::kSubnationalGovernment, code, "USD"});
  }
  // Shuffle the institutions' order of size a little, deterministically.
  for (size_t i = donors.size() - 1; i > 0; --i) {
    if (random.Chance(0.3)) std::swap(donors[i], donors[static_cast<size_t>(random.Below(static_cast<int64_t>(i) + 1))]);
  }
  const size_t institutions = std::min(donors.size(), static_cast<size_t>(options.donors));
  donors.resize(institutions);
  for (int64_t i = static_cast<int64_t>(institutions); i < options.donors; ++i) {
    donors.push_back({"ind_" + std::to_string(i), "Individual donor " + std::to_string(i),
                      ledger::DonorType::kIndividual, "", "USD"});
  }
  summary.donors = static_cast<int64_t>(donors.size());
  // Zipf-like weights over the institutions: a few give most of the money.
  std::vector<double> cumulative(institutions);
  double total_weight = 0;
  for (size_t i = 0; i < institutions; ++i) {
    total_weight += 1.0 / std::pow(static_cast<double>(i + 1), 1.1);
    cumulative[i] = total_weight;
  }
  auto pick_institution = [&] {
    double u = random.Unit() * total_weight;
    return static_cast<size_t>(std::lower_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
  };

  std::string path = (fs::path(directory) / "donors.csv").string();
  std::ofstream out(path, std::ios::binary);
  out << "id,name,type,country\n";
  for (const auto& d : donors) out << d.id << "," << CsvEscape(d.name) << "," << ledger::Name(d.type) << "," << d.country << "\n";
  out.close();
  if (auto s = Check(out, path); !s) return tl::unexpected(s.error());

  path = (fs::path(directory) / "funds.csv").string();
  out.open(path, std::ios::binary);
  out << "id,name,category\n";
  for (size_t f = 0; f < std::size(kFunds); ++f) out << kFunds[f] << "," << kFundNames[f] << "," << kFundCategories[f] << "\n";
  out.close();
  if (auto s = Check(out, path); !s) return tl::unexpected(s.error());

  path = (fs::path(directory) / "targets.csv").string();
  out.open(path, std::ios::binary);
  out << "fund,year_from,year_to,amount_usd,decided_on,note\n";
  // Money grows with the ledger: about this many dollars per entry and year.
  const double scale = static_cast<double>(options.entries) / options.years / 1000.0;
  for (int year = options.first_year; year <= last_year; ++year) {
    for (size_t f = 0; f < 3; ++f) {
      int64_t dollars = static_cast<int64_t>((f == 0 ? 6000.0 : f == 1 ? 24000.0 : 28000.0) * scale) * 1000;
      out << kFunds[f] << "," << year << "," << year << "," << dollars << "," << (year - 1) << "-10-30,Annual target\n";
      if (random.Chance(0.3)) {
        out << kFunds[f] << "," << year << "," << year << "," << dollars * 8 / 10 << "," << year << "-04-15,Revised\n";
      }
    }
  }
  out.close();
  if (auto s = Check(out, path); !s) return tl::unexpected(s.error());

  // --- Appeals and events. --------------------------------------------------
  struct Appeal {
    std::string id;
    ledger::Date from, to;
  };
  std::vector<Appeal> appeals;
  path = (fs::path(directory) / "appeals.csv").string();
  out.open(path, std::ios::binary);
  out << "id,name,requirement_usd,countries,launched_on\n";
  for (int a = 0; a < 3; ++a) {
    int year = options.first_year + static_cast<int>(random.Below(options.years));
    ledger::Date launched = ledger::MakeDate(year, static_cast<unsigned>(1 + random.Below(12)), 1);
    appeals.push_back({"appeal_" + std::to_string(a + 1), launched, ledger::Date{launched.days + 540}});
    out << appeals.back().id << ",Emergency appeal " << (a + 1) << "," << static_cast<int64_t>(5000 * scale) * 1000 << ","
        << 10 + random.Below(60) << "," << ledger::FormatDate(launched) << "\n";
  }
  out.close();
  if (auto s = Check(out, path); !s) return tl::unexpected(s.error());
  path = (fs::path(directory) / "events.csv").string();
  out.open(path, std::ios::binary);
  out << "id,name,held_on\n";
  for (int year = options.first_year; year <= last_year; ++year) {
    out << "pledging_" << year << ",Pledging conference " << year << "," << year << "-12-10\n";
  }
  out.close();
  if (auto s = Check(out, path); !s) return tl::unexpected(s.error());

  // --- Monthly rates: a random walk around each currency's base. -------------
  path = (fs::path(directory) / "rates.csv").string();
  out.open(path, std::ios::binary);
  out << "currency,month,units_per_usd\n";
  for (const auto& c : kCurrencies) {
    double rate = c.base;
    for (int year = options.first_year; year <= last_year; ++year) {
      for (int month = 1; month <= 12; ++month) {
        rate *= 1.0 + (random.Unit() - 0.5) * 0.03;
        rate = std::clamp(rate, c.base * 0.8, c.base * 1.2);
        // Rates are written as exact decimals with 4 (JPY: 2) decimals.
        int decimals = c.base > 50 ? 2 : 4;
        int64_t scaled = std::llround(rate * std::pow(10.0, decimals));
        out << c.code << "," << year << "-" << (month < 10 ? "0" : "") << month << "," << Decimal(scaled, decimals) << "\n";
      }
    }
  }
  out.close();
  if (auto s = Check(out, path); !s) return tl::unexpected(s.error());

  // --- Entries, in value-date order. -----------------------------------------
  path = (fs::path(directory) / "entries.csv").string();
  out.open(path, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  out.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  out << "id,kind,donor,fund,amount,currency,value_date,attributed_year,region,appeal,channel,event,settles,reverses,probability\n";
  const int32_t first_day = ledger::MakeDate(options.first_year, 1, 1).days;
  const int32_t days = ledger::MakeDate(last_year, 12, 31).days - first_day + 1;
  std::vector<OpenPledge> pledges;
  std::vector<Receipt> recent;  // receipts that may still be reversed
  int64_t next_id = 0;
  auto new_id = [&] {
    std::string id = std::to_string(++next_id);
    return "G" + std::string(10 - std::min<size_t>(10, id.size()), '0') + id;
  };
  auto write = [&](const std::string& id, const char* kind, const GenDonor& donor, int fund, int64_t minor,
                   const std::string& currency, ledger::Date date, int attributed_year, const char* region,
                   const std::string& appeal, const char* channel, const std::string& event, const std::string& settles,
                   const std::string& reverses, const char* probability) {
    out << id << ',' << kind << ',' << donor.id << ',' << kFunds[fund] << ',' << Decimal(minor, ExponentOf(currency))
        << ',' << currency << ',' << ledger::FormatDate(date) << ',' << attributed_year << ',' << region << ','
        << appeal << ',' << channel << ',' << event << ',' << settles << ',' << reverses << ',' << probability << '\n';
    ++summary.entries;
  };
  for (int64_t i = 0; i < options.entries; ++i) {
    ledger::Date date{first_day + static_cast<int32_t>(i * days / options.entries)};
    const int year = ledger::YearOf(date);
    double u = random.Unit();
    std::string appeal;
    for (const auto& a : appeals) {
      if (date >= a.from && date <= a.to && random.Chance(0.05)) appeal = a.id;
    }
    if (u < 0.40 || institutions == donors.size()) {
      if (institutions < donors.size()) {
        // An individual's gift through the donation page.
        const GenDonor& donor = donors[institutions + static_cast<size_t>(random.Below(static_cast<int64_t>(donors.size() - institutions)))];
        int64_t cents = (5 + random.Below(495)) * 100 + random.Below(100);
        write(new_id(), "receipt", donor, random.Chance(0.7) ? 0 : 1, cents, "USD", date, year, "global", appeal,
              appeal.empty() ? "" : "new_contribution", "", "", "", "");
        ++summary.receipts;
        continue;
      }
    }
    size_t donor_index = pick_institution();
    const GenDonor& donor = donors[donor_index];
    int fund = random.Chance(0.1) ? 0 : random.Chance(0.45) ? 1 : random.Chance(0.85) ? 2 : 3 + static_cast<int>(random.Below(2));
    const std::string& currency = donor.currency;
    const int exponent = ExponentOf(currency);
    // Larger donors give larger amounts: from about 2,000 to 300,000 dollars,
    // up to six times more for the very largest.
    double size = 2000.0 * std::pow(150.0, random.Unit()) * (1.0 + 5.0 / static_cast<double>(donor_index + 1));
    double per_usd = 1.0;
    for (const auto& c : kCurrencies) {
      if (currency == c.code) per_usd = c.base;
    }
    int64_t minor = std::max<int64_t>(1, std::llround(size * per_usd * std::pow(10.0, exponent)));
    const char* region = fund == 0 ? "global" : kRegions[random.Below(6)];
    double action = random.Unit();
    if (action < 0.25) {
      bool at_event = ledger::MonthOf(date) == 12 && random.Chance(0.3);
      int attributed = year + (random.Chance(0.4) ? 1 : 0);
      std::string id = new_id();
      write(id, "pledge", donor, fund, minor, currency, date, attributed, region, appeal, "",
            at_event ? "pledging_" + std::to_string(year) : "", "", "", "");
      ++summary.pledges;
      if (pledges.size() < 100000) pledges.push_back({id, donor_index, fund, currency, minor, attributed});
    } else if (action < 0.33) {
      static const char* kProbabilities[] = {"0.25", "0.5", "0.75", "0.9"};
      write(new_id(), "expected", donor, fund, minor, currency, date, year + (random.Chance(0.5) ? 1 : 0), region, "", "",
            "", "", "", kProbabilities[random.Below(4)]);
      ++summary.expected;
    } else if (action < 0.35 && !pledges.empty()) {
      // The rest of an old pledge will not come.
      size_t k = static_cast<size_t>(random.Below(static_cast<int64_t>(pledges.size())));
      OpenPledge p = pledges[k];
      pledges[k] = pledges.back();
      pledges.pop_back();
      write(new_id(), "write_off", donors[p.donor], p.fund, p.remaining, p.currency, date, p.attributed_year, "", "", "",
            "", p.id, "", "");
      ++summary.write_offs;
    } else if (action < 0.37 && !recent.empty()) {
      // A receipt recorded twice by mistake is reversed.
      Receipt r = recent.back();
      recent.pop_back();
      write(new_id(), "reversal", donors[r.donor], r.fund, r.amount, r.currency, date, year, "", "", "", "", "",
            r.id, "");
      ++summary.reversals;
    } else if (!pledges.empty() && random.Chance(0.6)) {
      // An instalment on an open pledge (its donor, fund and currency).
      size_t k = static_cast<size_t>(random.Below(static_cast<int64_t>(pledges.size())));
      OpenPledge& p = pledges[k];
      int64_t pay = random.Chance(0.5) ? p.remaining : std::max<int64_t>(1, p.remaining / 2);
      p.remaining -= pay;
      int attributed = p.attributed_year < year && random.Chance(0.5) ? p.attributed_year : year;
      write(new_id(), "receipt", donors[p.donor], p.fund, pay, p.currency, date, attributed,
            p.fund == 0 ? "global" : kRegions[random.Below(6)], "", "", "", p.id, "", "");
      ++summary.receipts;
      if (p.remaining == 0) {
        pledges[k] = pledges.back();
        pledges.pop_back();
      }
    } else {
      std::string id = new_id();
      int attributed = random.Chance(0.1) ? year - 1 : year;
      static const char* kChannels[] = {"new_contribution", "reprogrammed", "internal_emergency_fund"};
      write(id, "receipt", donor, fund, minor, currency, date, attributed, region, appeal,
            appeal.empty() ? "" : kChannels[random.Below(3)], "", "", "", "");
      ++summary.receipts;
      if (random.Chance(0.05)) {
        recent.push_back({id, donor_index, fund, currency, minor});
        if (recent.size() > 64) recent.erase(recent.begin());
      }
    }
  }
  out.flush();
  out.close();
  if (auto s = Check(out, path); !s) return tl::unexpected(s.error());
  return summary;
}

}  // namespace rmis::exchange
