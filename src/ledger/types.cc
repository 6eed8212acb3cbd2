// Parsing and naming of the ledger's vocabulary.
#include "ledger/types.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <utility>

namespace rmis::ledger {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::sys_days;
using std::chrono::year;
using std::chrono::year_month_day;

// "\"text\"", built by appending: GCC 12 warns falsely (-Wrestrict, its bug
// 105329) on "\"" + std::string(...).
std::string Quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  out.append(text);
  out.push_back('"');
  return out;
}

bool ParseDigits(std::string_view text, int& out) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

template <typename Enum, size_t N>
std::optional<Enum> Lookup(const std::array<std::pair<Enum, std::string_view>, N>& table,
                           std::string_view text) {
  for (const auto& [value, name] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
std::string_view NameOf(const std::array<std::pair<Enum, std::string_view>, N>& table,
                        Enum value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "";
}

constexpr std::array<std::pair<DonorType, std::string_view>, 9> kDonorTypes = {{
    {DonorType::kMemberState, "member_state"},
    {DonorType::kRegionalOrganization, "regional_organization"},
    {DonorType::kUnEntity, "un_entity"},
    {DonorType::kMultilateralFund, "multilateral_fund"},
    {DonorType::kFoundation, "foundation"},
    {DonorType::kPrivateSector, "private_sector"},
    {DonorType::kSubnationalGovernment, "subnational_government"},
    {DonorType::kIndividual, "individual"},
    {DonorType::kOther, "other"},
}};
constexpr std::array<std::pair<FundCategory, std::string_view>, 3> kCategories = {{
    {FundCategory::kCore, "core"},
    {FundCategory::kEarmarked, "earmarked"},
    {FundCategory::kTechnicalCooperation, "technical_cooperation"},
}};
constexpr std::array<std::pair<Region, std::string_view>, 7> kRegions = {{
    {Region::kNone, ""},
    {Region::kAfrica, "africa"},
    {Region::kArabStates, "arab_states"},
    {Region::kAsiaPacific, "asia_pacific"},
    {Region::kEurope, "europe"},
    {Region::kLatinAmericaCaribbean, "latin_america_caribbean"},
    {Region::kGlobal, "global"},
}};
constexpr std::array<std::pair<EntryKind, std::string_view>, 5> kKinds = {{
    {EntryKind::kPledge, "pledge"},
    {EntryKind::kReceipt, "receipt"},
    {EntryKind::kExpected, "expected"},
    {EntryKind::kWriteOff, "write_off"},
    {EntryKind::kReversal, "reversal"},
}};
constexpr std::array<std::pair<Channel, std::string_view>, 4> kChannels = {{
    {Channel::kNone, ""},
    {Channel::kNewContribution, "new_contribution"},
    {Channel::kReprogrammed, "reprogrammed"},
    {Channel::kInternalEmergencyFund, "internal_emergency_fund"},
}};

}  // namespace

Result<Date> ParseDate(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !ParseDigits(text.substr(0, 4), y) || !ParseDigits(text.substr(5, 2), m) ||
      !ParseDigits(text.substr(8, 2), d)) {
    return Fail(ErrorCode::kInvalidArgument,
                Quoted(text) + " is not a date of the form YYYY-MM-DD");
  }
  year_month_day ymd{year(y), month(static_cast<unsigned>(m)), day(static_cast<unsigned>(d))};
  if (!ymd.ok()) {
    return Fail(ErrorCode::kInvalidArgument,
                Quoted(text) + " is not a date that exists");
  }
  if (y < kFirstYear) {
    return Fail(ErrorCode::kInvalidArgument, Quoted(text) + " is before " + std::to_string(kFirstYear) +
                                                 "-01-01, the earliest date rmis takes (a mistyped year?)");
  }
  return Date{static_cast<int32_t>(sys_days(ymd).time_since_epoch().count())};
}

std::string FormatDate(Date date) {
  year_month_day ymd{sys_days(std::chrono::days(date.days))};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

int YearOf(Date date) {
  return static_cast<int>(year_month_day{sys_days(std::chrono::days(date.days))}.year());
}

int MonthOf(Date date) {
  return static_cast<int>(
      static_cast<unsigned>(year_month_day{sys_days(std::chrono::days(date.days))}.month()));
}

Date MakeDate(int y, unsigned m, unsigned d) {
  return Date{static_cast<int32_t>(
      sys_days(year_month_day{year(y), month(m), day(d)}).time_since_epoch().count())};
}

Date EndOfYear(int y) { return MakeDate(y, 12, 31); }

Instant StartOfDay(Date date) { return static_cast<Instant>(date.days) * 86400; }
Instant EndOfDay(Date date) { return StartOfDay(date) + 86399; }

Result<Instant> ParseInstant(std::string_view text) {
  if (text.size() == 10) {
    auto date = ParseDate(text);
    if (!date) return tl::unexpected(date.error());
    return StartOfDay(*date);
  }
  int hh = 0, mm = 0, ss = 0;
  if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text[19] != 'Z' || !ParseDigits(text.substr(11, 2), hh) ||
      !ParseDigits(text.substr(14, 2), mm) || !ParseDigits(text.substr(17, 2), ss) ||
      hh > 23 || mm > 59 || ss > 59) {
    return Fail(ErrorCode::kInvalidArgument,
                Quoted(text) + " is not a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDTHH:MM:SSZ)");
  }
  auto date = ParseDate(text.substr(0, 10));
  if (!date) return tl::unexpected(date.error());
  return StartOfDay(*date) + hh * 3600 + mm * 60 + ss;
}

std::string FormatInstant(Instant instant) {
  int64_t days = instant >= 0 ? instant / 86400 : -((-instant + 86399) / 86400);
  int64_t seconds = instant - days * 86400;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%sT%02d:%02d:%02dZ",
                FormatDate(Date{static_cast<int32_t>(days)}).c_str(),
                static_cast<int>(seconds / 3600), static_cast<int>(seconds / 60 % 60),
                static_cast<int>(seconds % 60));
  return buffer;
}

Result<int32_t> ParseMonth(std::string_view text) {
  int y = 0, m = 0;
  if (text.size() != 7 || text[4] != '-' || !ParseDigits(text.substr(0, 4), y) ||
      !ParseDigits(text.substr(5, 2), m) || m < 1 || m > 12) {
    return Fail(ErrorCode::kInvalidArgument,
                Quoted(text) + " is not a month of the form YYYY-MM");
  }
  if (y < kFirstYear) {
    return Fail(ErrorCode::kInvalidArgument, Quoted(text) + " is before " + std::to_string(kFirstYear) +
                                                 "-01, the earliest month rmis takes (a mistyped year?)");
  }
  return y * 12 + m - 1;
}

std::string FormatMonth(int32_t month_index) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d", month_index / 12, month_index % 12 + 1);
  return buffer;
}

std::string_view Name(DonorType value) { return NameOf(kDonorTypes, value); }
std::string_view Name(FundCategory value) { return NameOf(kCategories, value); }
std::string_view Name(Region value) { return NameOf(kRegions, value); }
std::string_view Name(EntryKind value) { return NameOf(kKinds, value); }
std::string_view Name(Channel value) { return NameOf(kChannels, value); }
std::optional<DonorType> ParseDonorType(std::string_view t) { return Lookup(kDonorTypes, t); }
std::optional<FundCategory> ParseFundCategory(std::string_view t) {
  return Lookup(kCategories, t);
}
std::optional<Region> ParseRegion(std::string_view t) { return Lookup(kRegions, t); }
std::optional<EntryKind> ParseEntryKind(std::string_view t) { return Lookup(kKinds, t); }
std::optional<Channel> ParseChannel(std::string_view t) { return Lookup(kChannels, t); }

bool InMemberStateTable(DonorType type) {
  return type == DonorType::kMemberState || type == DonorType::kRegionalOrganization;
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

Result<int32_t> ParseProbability(std::string_view text) {
  auto bad = [&] {
    return Fail(ErrorCode::kInvalidArgument,
                "probability \"" + std::string(text) +
                    "\" must be a decimal from 0 to 1 with at most 6 decimals");
  };
  if (text.empty()) return bad();
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  int whole_value = 0;
  if (!ParseDigits(whole, whole_value) || fraction.size() > 6) return bad();
  if (dot != std::string_view::npos && fraction.empty()) return bad();
  int fraction_value = 0;
  if (!fraction.empty() && !ParseDigits(fraction, fraction_value)) return bad();
  for (size_t i = fraction.size(); i < 6; ++i) fraction_value *= 10;
  int64_t ppm = static_cast<int64_t>(whole_value) * 1000000 + fraction_value;
  if (ppm > 1000000) return bad();
  return static_cast<int32_t>(ppm);
}

std::string FormatProbability(int32_t ppm) {
  if (ppm == 1000000) return "1";
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0.%06d", ppm);
  std::string text = buffer;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

}  // namespace rmis::ledger
