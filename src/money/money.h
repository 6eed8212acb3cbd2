// Exact money: an integer count of minor units and an ISO 4217 currency.
//
// Money never passes through floating point. Amounts are parsed from decimal
// strings, stored as int64 minor units (the scale comes from the currency:
// JPY 0, USD 2, KWD 3), added only to money of the same currency, and
// converted to US dollars only through an explicit Rate with one rounding
// rule: round half to even, to the cent (see docs/data-format.md, "Money").
// Overflow is an error, never a wrap.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace rmis::money {

// An ISO 4217 currency: its three-letter code and how many decimals its minor
// unit has.
struct Currency {
  std::string_view code;
  int exponent = 2;
};

// Returns the active ISO 4217 currency with this code (upper case, exactly
// three letters), or nullopt when there is none.
std::optional<Currency> FindCurrency(std::string_view code);

// Every currency FindCurrency knows, sorted by code.
std::span<const Currency> AllCurrencies();

// A three-letter code held by value, so that Money is small and cheap to copy.
class CurrencyCode {
 public:
  CurrencyCode() = default;
  // Precondition: `code` names a currency known to FindCurrency.
  explicit CurrencyCode(std::string_view code);
  std::string_view view() const { return std::string_view(code_, 3); }
  std::string str() const { return std::string(view()); }
  int exponent() const { return exponent_; }
  friend bool operator==(const CurrencyCode& a, const CurrencyCode& b) {
    return a.view() == b.view();
  }

 private:
  char code_[3] = {'X', 'X', 'X'};
  int exponent_ = 0;
};

class Money {
 public:
  Money() = default;
  Money(int64_t minor_units, CurrencyCode currency)
      : minor_(minor_units), currency_(currency) {}

  // Parses a decimal string such as "1234.5" in `currency`.
  // Fails (kInvalidArgument) on an unknown currency, an empty string, any
  // character other than digits and one '.', a leading sign unless
  // `allow_sign`, more decimals than the currency has, or (kOverflow) a value
  // that does not fit in int64 minor units. "1234.50" and "1234.5" are equal.
  static Result<Money> Parse(std::string_view decimal, std::string_view currency,
                             bool allow_sign = false);

  int64_t minor_units() const { return minor_; }
  CurrencyCode currency() const { return currency_; }

  // Exact sum/difference. Fails with kInvalidArgument when the currencies
  // differ ("cannot add CHF to EUR") and with kOverflow on overflow.
  // Parse, Add and Subtract keep amounts within +-INT64_MAX minor units (a
  // result of exactly INT64_MIN is an overflow), so Negated() is always safe
  // on what they return.
  Result<Money> Add(const Money& other) const;
  Result<Money> Subtract(const Money& other) const;
  Money Negated() const { return Money(-minor_, currency_); }

  // The amount as a decimal string with exactly the currency's decimals:
  // "1234.50", "-0.05", "1500" (JPY).
  std::string ToDecimalString() const;

  friend bool operator==(const Money& a, const Money& b) {
    return a.minor_ == b.minor_ && a.currency_ == b.currency_;
  }

 private:
  int64_t minor_ = 0;
  CurrencyCode currency_;
};

// A UN operational rate of exchange: how many units of a currency one US
// dollar buys, held exactly as mantissa / 10^scale.
class Rate {
 public:
  // Parses a positive decimal string ("0.9215", "109.87"); at most 12
  // decimals and 18 significant digits. Fails with kInvalidArgument on zero,
  // a sign, or anything that is not a plain decimal.
  static Result<Rate> Parse(std::string_view units_per_usd);
  int64_t mantissa() const { return mantissa_; }
  int scale() const { return scale_; }
  std::string ToDecimalString() const;

  // Parse drops trailing zeros of the fraction ("1.50" is 15 / 10^1), so equal
  // rates have equal mantissa and scale.
  friend bool operator==(const Rate& a, const Rate& b) {
    return a.mantissa_ == b.mantissa_ && a.scale_ == b.scale_;
  }

 private:
  int64_t mantissa_ = 1;
  int scale_ = 0;
};

// Converts `amount` to US cents: amount / units_per_usd, rounded half to even
// to the cent. USD amounts need no rate (pass nullopt; a USD amount with a
// rate other than 1 is still divided by it). Fails with kInvalidArgument when
// a non-USD amount has no rate, kOverflow when the result does not fit.
Result<int64_t> ToUsdCents(const Money& amount, const std::optional<Rate>& rate);

// round_half_even(value * numerator / denominator), exact (128-bit
// intermediate). Precondition: denominator > 0. Fails with kOverflow when the
// result does not fit in int64.
Result<int64_t> MulDivHalfEven(int64_t value, int64_t numerator, int64_t denominator);

// The same when value * numerator fits in 64 bits (the common case, without
// a 128-bit division or a Result: a report makes millions of these); false
// otherwise, and then MulDivHalfEven gives the answer. Precondition:
// denominator > 0.
inline bool MulDivHalfEven64(int64_t value, int64_t numerator, int64_t denominator, int64_t& result) {
  int64_t product = 0;
  if (__builtin_mul_overflow(value, numerator, &product)) return false;
  int64_t quotient = product / denominator;
  int64_t remainder = product % denominator;
  if (remainder < 0) {  // floor division: 0 <= remainder < denominator
    quotient -= 1;
    remainder += denominator;
  }
  const int64_t rest = denominator - remainder;  // compared without 2 * remainder, which could overflow
  if (remainder > rest || (remainder == rest && (quotient & 1) != 0)) quotient += 1;
  result = quotient;
  return true;
}

// round_half_even(numerator / denominator) for 128-bit operands;
// precondition: denominator > 0.
// (__int128 is a GCC/Clang extension; the pragma keeps -Wpedantic quiet in
// every file that includes this header.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
__int128 DivideHalfEven(__int128 numerator, __int128 denominator);
#pragma GCC diagnostic pop

// Parses a non-negative USD amount ("41000000", "18900000.00") into cents.
Result<int64_t> ParseUsdCents(std::string_view decimal);

// Formats cents as a decimal string with two decimals: 123456 -> "1234.56",
// -5 -> "-0.05".
std::string FormatUsdCents(int64_t cents);

// Overflow-checked sum of int64 values; kOverflow on overflow.
Result<int64_t> CheckedAdd(int64_t a, int64_t b);

}  // namespace rmis::money
