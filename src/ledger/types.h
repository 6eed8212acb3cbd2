// The vocabulary of the ledger: dates, enumerations and the records that a
// dataset holds (donors, funds, targets, appeals, events, rates, entries).
//
// Everything here is plain data with no I/O. Records are immutable once
// stored: a correction is a new entry (a reversal or a write-off), never an
// edit. See ../../docs/data-format.md for the meaning of every field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "money/money.h"

namespace rmis::ledger {

// A calendar date, held as days since 1970-01-01 (the proleptic Gregorian
// calendar, as std::chrono::sys_days).
struct Date {
  int32_t days = 0;
  friend auto operator<=>(const Date&, const Date&) = default;
};

// The earliest year rmis takes in a date, a month or an instant: an earlier
// one is a mistyped year ("0201-06-30"), not money of the past.
constexpr int kFirstYear = 1900;

// Parses "YYYY-MM-DD"; fails when the text is malformed, the day does not
// exist ("2021-02-29"), or it is before kFirstYear.
Result<Date> ParseDate(std::string_view text);
std::string FormatDate(Date date);
int YearOf(Date date);
int MonthOf(Date date);  // 1..12
Date MakeDate(int year, unsigned month, unsigned day);
// The last day of `year`.
Date EndOfYear(int year);

// An instant, as seconds since 1970-01-01T00:00:00Z. recorded_at and
// known_at are instants so that entries recorded through the server keep the
// time of day; a date alone means the end of that day for known_at and its
// start for recorded_at.
using Instant = int64_t;
// Parses "YYYY-MM-DD" (start of the day, UTC) or "YYYY-MM-DDTHH:MM:SSZ".
Result<Instant> ParseInstant(std::string_view text);
std::string FormatInstant(Instant instant);
Instant StartOfDay(Date date);
Instant EndOfDay(Date date);  // the last second of the day

// "YYYY-MM" as year * 12 + (month - 1).
Result<int32_t> ParseMonth(std::string_view text);
std::string FormatMonth(int32_t month_index);
inline int32_t MonthIndexOf(Date date) { return YearOf(date) * 12 + MonthOf(date) - 1; }

enum class DonorType : uint8_t {
  kMemberState,
  kRegionalOrganization,
  kUnEntity,
  kMultilateralFund,
  kFoundation,
  kPrivateSector,
  kSubnationalGovernment,
  kIndividual,
  kOther,
};

enum class FundCategory : uint8_t { kCore, kEarmarked, kTechnicalCooperation };

enum class Region : uint8_t {
  kNone,  // not allocated to a region
  kAfrica,
  kArabStates,
  kAsiaPacific,
  kEurope,
  kLatinAmericaCaribbean,
  kGlobal,
};

enum class EntryKind : uint8_t { kPledge, kReceipt, kExpected, kWriteOff, kReversal };

enum class Channel : uint8_t {
  kNone,  // not given: a receipt counts as a new contribution
  kNewContribution,
  kReprogrammed,
  kInternalEmergencyFund,
};

// Names as they appear in files, the API and the JSON report. Parse* return
// nullopt for an unknown name.
std::string_view Name(DonorType value);
std::string_view Name(FundCategory value);
std::string_view Name(Region value);  // kNone -> "" (printed as "unallocated")
std::string_view Name(EntryKind value);
std::string_view Name(Channel value);  // kNone -> ""
std::optional<DonorType> ParseDonorType(std::string_view text);
std::optional<FundCategory> ParseFundCategory(std::string_view text);
std::optional<Region> ParseRegion(std::string_view text);  // "" -> kNone
std::optional<EntryKind> ParseEntryKind(std::string_view text);
std::optional<Channel> ParseChannel(std::string_view text);  // "" -> kNone

// Whether a donor of this type belongs in the Member State table (Table 1 of
// the source document lists the European Union among the Member States).
bool InMemberStateTable(DonorType type);

// Whether `id` is a valid identifier: 1 to 64 of [A-Za-z0-9_.:-].
bool IsValidId(std::string_view id);

// The languages a donor's name may be given in, besides English.
inline constexpr std::string_view kNameLanguages[] = {"ar", "zh", "fr", "ru", "es"};

struct Donor {
  std::string id;
  std::string name;
  DonorType type = DonorType::kOther;
  std::string country;          // ISO 3166-1 alpha-3, may be empty
  std::string names[5];         // in the order of kNameLanguages; may be empty
  friend bool operator==(const Donor&, const Donor&) = default;
};

struct Fund {
  std::string id;
  std::string name;
  FundCategory category = FundCategory::kCore;
  friend bool operator==(const Fund&, const Fund&) = default;
};

struct Target {
  std::string fund;
  int year_from = 0;
  int year_to = 0;
  int64_t amount_cents = 0;  // USD
  Date decided_on;
  std::string note;
  friend bool operator==(const Target&, const Target&) = default;
};

struct Appeal {
  std::string id;
  std::string name;
  int64_t requirement_cents = 0;  // USD
  int countries = 0;              // 0 when not given
  Date launched_on;
  friend bool operator==(const Appeal&, const Appeal&) = default;
};

struct Event {
  std::string id;
  std::string name;
  Date held_on;
  friend bool operator==(const Event&, const Event&) = default;
};

struct RateRecord {
  std::string currency;
  int32_t month = 0;  // year * 12 + month - 1
  std::string units_per_usd;  // as given, exact decimal
  friend bool operator==(const RateRecord&, const RateRecord&) = default;
};

// One ledger entry. `usd_cents` is computed once on import (half-even to the
// cent at the rate of the value date's month) and stored.
struct Entry {
  std::string id;
  EntryKind kind = EntryKind::kReceipt;
  std::string donor;
  std::string fund;
  money::Money amount;
  int64_t usd_cents = 0;
  Date value_date;
  Instant recorded_at = 0;
  int attributed_year = 0;
  Region region = Region::kNone;
  std::string country;
  std::string programme;
  std::string appeal;
  Channel channel = Channel::kNone;
  std::string event;
  std::string settles;
  std::string reverses;
  std::optional<int32_t> probability_ppm;  // parts per million, for expected
  std::string note;
  friend bool operator==(const Entry&, const Entry&) = default;
};

// Parses a probability "0".."1" with at most 6 decimals into parts per
// million.
Result<int32_t> ParseProbability(std::string_view text);
std::string FormatProbability(int32_t ppm);

}  // namespace rmis::ledger
