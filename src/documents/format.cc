// Numbers as UN editors write them, through ICU (see format.h).
#include "documents/format.h"

#include <unicode/dcfmtsym.h>
#include <unicode/listformatter.h>
#include <unicode/locid.h>
#include <unicode/numberformatter.h>
#include <unicode/smpdtfmt.h>
#include <unicode/timezone.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "money/money.h"

namespace rmis::documents {
namespace {

namespace number = icu::number;

std::string Utf8(const icu::UnicodeString& text) {
  std::string out;
  text.toUTF8String(out);
  return out;
}

constexpr int64_t kTextPrecisionDollars = 100000;  // the rounding of running text

}  // namespace

struct Formatter::Impl {
  const Catalog* catalog = nullptr;
  icu::Locale locale;
  number::LocalizedNumberFormatter plain;
  number::LocalizedNumberFormatter whole_dollars;
  number::LocalizedNumberFormatter percent;
  number::LocalizedNumberFormatter integer_percent;
  std::vector<int64_t> scales;  // descending, in dollars
  std::unique_ptr<icu::SimpleDateFormat> day;
  std::unique_ptr<icu::SimpleDateFormat> month;
  std::unique_ptr<icu::SimpleDateFormat> month_short;
  std::unique_ptr<icu::ListFormatter> list;
};

Formatter::Formatter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Formatter::Formatter(Formatter&&) noexcept = default;
Formatter& Formatter::operator=(Formatter&&) noexcept = default;
Formatter::~Formatter() = default;

Result<Formatter> Formatter::Create(const Catalog& catalog) {
  auto impl = std::make_unique<Impl>();
  impl->catalog = &catalog;
  std::string locale_id = catalog.Setting("style.number_locale", catalog.language());
  impl->locale = icu::Locale(locale_id.c_str());
  auto bad = [&](const std::string& what) {
    return Fail(ErrorCode::kCorrupt, catalog.file() + ": " + what);
  };
  UErrorCode status = U_ZERO_ERROR;
  icu::DecimalFormatSymbols symbols(impl->locale, status);
  if (U_FAILURE(status)) return bad("no number symbols for locale " + locale_id);
  std::string grouping = catalog.Setting("style.grouping_separator");
  if (!grouping.empty()) {
    auto text = icu::UnicodeString::fromUTF8(grouping);
    symbols.setSymbol(icu::DecimalFormatSymbols::kGroupingSeparatorSymbol, text);
    symbols.setSymbol(icu::DecimalFormatSymbols::kMonetaryGroupingSeparatorSymbol, text);
  }
  std::string decimal = catalog.Setting("style.decimal_separator");
  if (!decimal.empty()) {
    auto text = icu::UnicodeString::fromUTF8(decimal);
    symbols.setSymbol(icu::DecimalFormatSymbols::kDecimalSeparatorSymbol, text);
    symbols.setSymbol(icu::DecimalFormatSymbols::kMonetarySeparatorSymbol, text);
  }
  auto base = number::NumberFormatter::withLocale(impl->locale)
                  .symbols(symbols)
                  .roundingMode(UNUM_ROUND_HALFUP);
  impl->plain = base;
  impl->whole_dollars = base.precision(number::Precision::integer());
  impl->integer_percent = base.precision(number::Precision::integer());
  impl->percent = base.unit(icu::NoUnit::percent()).precision(number::Precision::integer());

  std::istringstream scales(catalog.Setting("style.money_scales", "1000000"));
  std::string item;
  while (scales >> item) {
    // A power of ten from 10 (ten dollars) to 10^12.
    if (item.size() < 2 || item.size() > 13 || item[0] != '1' || item.find_first_not_of('0', 1) != std::string::npos) {
      return bad("style.money_scales: " + item + " is not a power of ten from 10 to 10^12");
    }
    impl->scales.push_back(std::stoll(item));
  }
  if (impl->scales.empty()) return bad("style.money_scales is empty");
  std::sort(impl->scales.rbegin(), impl->scales.rend());

  std::unique_ptr<icu::TimeZone> utc(icu::TimeZone::createTimeZone("Etc/UTC"));
  for (auto [key, fallback, target] :
       {std::tuple{"style.date.day", "d MMMM y", &impl->day},
        std::tuple{"style.date.month", "MMMM y", &impl->month},
        std::tuple{"style.date.month_short", "LLL", &impl->month_short}}) {
    status = U_ZERO_ERROR;
    auto format = std::make_unique<icu::SimpleDateFormat>(
        icu::UnicodeString::fromUTF8(catalog.Setting(key, fallback)), impl->locale, status);
    if (U_FAILURE(status)) return bad(std::string(key) + ": not a valid ICU date pattern");
    format->setTimeZone(*utc);
    *target = std::move(format);
  }
  status = U_ZERO_ERROR;
  impl->list.reset(icu::ListFormatter::createInstance(impl->locale, status));
  if (U_FAILURE(status)) return bad("no list patterns for locale " + locale_id);
  Formatter formatter(std::move(impl));
  formatter.locale_id_ = locale_id;
  return formatter;
}

std::string Formatter::Money(int64_t cents) const {
  const Impl& impl = *impl_;
  UErrorCode status = U_ZERO_ERROR;
  const bool negative = cents < 0;
  const int64_t magnitude = negative ? -cents : cents;
  // Whole dollars below the text precision.
  if (magnitude < kTextPrecisionDollars * 100) {
    std::string dollars = money::FormatUsdCents(cents);
    auto formatted = impl.whole_dollars.formatDecimal(dollars.c_str(), status);
    double n = std::round(static_cast<double>(cents) / 100.0);
    return impl.catalog->Format("money.scale.1", MessageArgs()
                                                     .Text("amount", Utf8(formatted.toString(status)))
                                                     .Number("n", n));
  }
  // Rounded half up to the text precision, in whole units of it.
  const int64_t unit_cents = kTextPrecisionDollars * 100;
  const int64_t units = (magnitude + unit_cents / 2) / unit_cents;
  const int64_t rounded_dollars = units * kTextPrecisionDollars;
  int64_t scale = impl.scales.back();
  for (int64_t candidate : impl.scales) {
    if (rounded_dollars >= candidate) {
      scale = candidate;
      break;
    }
  }
  // The value in the unit, exactly, as a decimal string for ICU: the
  // rounded dollars divided by the scale, a power of ten, so only the
  // decimal point moves.
  int decimals = 0;
  int64_t multiplier = 1;
  if (scale > kTextPrecisionDollars) {
    for (int64_t d = scale / kTextPrecisionDollars; d > 1; d /= 10) ++decimals;
  } else {
    multiplier = kTextPrecisionDollars / scale;
  }
  const int64_t divisor = scale > kTextPrecisionDollars ? scale / kTextPrecisionDollars : 1;
  std::string digits = std::to_string(units * multiplier);
  if (decimals > 0) {
    if (static_cast<int>(digits.size()) <= decimals) {
      digits.insert(0, static_cast<size_t>(decimals - static_cast<int>(digits.size()) + 1), '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(decimals), ".");
  }
  if (negative) digits.insert(0, "-");
  auto formatted = impl.plain.precision(number::Precision::maxFraction(decimals)).formatDecimal(digits.c_str(), status);
  double n = static_cast<double>(units * multiplier) / static_cast<double>(divisor) * (negative ? -1 : 1);
  return impl.catalog->Format("money.scale." + std::to_string(scale),
                              MessageArgs().Text("amount", Utf8(formatted.toString(status))).Number("n", n));
}

std::string Formatter::Percent(const std::optional<double>& share) const {
  if (!share) return "–";
  const Impl& impl = *impl_;
  UErrorCode status = U_ZERO_ERROR;
  double value = *share * 100.0;
  double whole = std::floor(value + 0.5);
  if (impl.catalog->Has("number.percent")) {
    auto formatted = impl.integer_percent.formatDouble(whole, status);
    return impl.catalog->Format("number.percent",
                                MessageArgs().Text("value", Utf8(formatted.toString(status))).Number("n", whole));
  }
  return Utf8(impl.percent.formatDouble(whole, status).toString(status));
}

std::string Formatter::Decimal(double value, int max_fraction) const {
  UErrorCode status = U_ZERO_ERROR;
  return Utf8(impl_->plain.precision(number::Precision::maxFraction(max_fraction))
                  .formatDouble(value, status)
                  .toString(status));
}

std::string Formatter::Integer(int64_t value) const {
  UErrorCode status = U_ZERO_ERROR;
  return Utf8(impl_->whole_dollars.formatInt(value, status).toString(status));
}

std::string Formatter::Day(ledger::Date date) const {
  icu::UnicodeString out;
  impl_->day->format(static_cast<UDate>(date.days) * 86400000.0, out);
  return Utf8(out);
}

std::string Formatter::Month(int32_t month_index) const {
  ledger::Date first = ledger::MakeDate(month_index / 12, static_cast<unsigned>(month_index % 12) + 1, 1);
  icu::UnicodeString out;
  impl_->month->format(static_cast<UDate>(first.days) * 86400000.0, out);
  return Utf8(out);
}

std::string Formatter::MonthShort(int32_t month_index) const {
  ledger::Date first = ledger::MakeDate(month_index / 12, static_cast<unsigned>(month_index % 12) + 1, 1);
  icu::UnicodeString out;
  impl_->month_short->format(static_cast<UDate>(first.days) * 86400000.0, out);
  return Utf8(out);
}

std::string Formatter::List(const std::vector<std::string>& items) const {
  std::vector<icu::UnicodeString> values;
  for (const auto& item : items) values.push_back(icu::UnicodeString::fromUTF8(item));
  icu::UnicodeString out;
  UErrorCode status = U_ZERO_ERROR;
  impl_->list->format(values.data(), static_cast<int32_t>(values.size()), out, status);
  return Utf8(out);
}

}  // namespace rmis::documents
