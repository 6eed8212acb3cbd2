// Exact money arithmetic: parsing and formatting decimal amounts, same-currency
// sums, and conversion to US cents with round-half-to-even (see money.h and
// docs/data-format.md, "Money"). No floating point anywhere; every product or
// quotient that could exceed 64 bits is computed in 128 bits and checked.
#include "money/money.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rmis::money {
namespace {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int kMaxRateDecimals = 12;
constexpr int kMaxRateSignificantDigits = 18;
constexpr size_t kMaxQuotedBytes = 40;

constexpr int64_t kPow10[] = {1,
                              10,
                              100,
                              1000,
                              10000,
                              100000,
                              1000000,
                              10000000,
                              100000000,
                              1000000000,
                              10000000000,
                              100000000000,
                              1000000000000,
                              10000000000000,
                              100000000000000,
                              1000000000000000,
                              10000000000000000,
                              100000000000000000,
                              1000000000000000000};

bool FitsInt64(Int128 v) { return v >= kInt64Min && v <= kInt64Max; }

// The input echoed back in an error message: in double quotes, control
// characters escaped, and cut short when long.
std::string Quote(std::string_view text) {
  bool cut = false;
  if (text.size() > kMaxQuotedBytes) {
    size_t n = kMaxQuotedBytes;
    // Do not cut a UTF-8 sequence in half.
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    text = text.substr(0, n);
    cut = true;
  }
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7F) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  out += cut ? "...\"" : "\"";
  return out;
}

std::string Plural(size_t n, std::string_view noun) {
  std::string out = std::to_string(n) + " " + std::string(noun);
  if (n != 1) out += 's';
  return out;
}

// `value` / 10^decimals as a decimal string with exactly `decimals` decimals.
std::string FormatScaled(int64_t value, int decimals) {
  // The magnitude as unsigned, so that INT64_MIN formats too.
  const uint64_t magnitude =
      value < 0 ? ~static_cast<uint64_t>(value) + 1 : static_cast<uint64_t>(value);
  std::string digits = std::to_string(magnitude);
  if (decimals > 0 && digits.size() <= static_cast<size_t>(decimals)) {
    digits.insert(0, static_cast<size_t>(decimals) + 1 - digits.size(), '0');
  }
  if (decimals > 0) digits.insert(digits.size() - static_cast<size_t>(decimals), 1, '.');
  if (value < 0) digits.insert(0, 1, '-');
  return digits;
}

// A plain decimal split into its parts; the views point into the input.
struct Decimal {
  bool negative = false;
  std::string_view integer_digits;
  std::string_view fraction_digits;  // empty when there is no '.'
};

// Checks the syntax of a plain decimal: an optional leading sign (only when
// `allow_sign`), digits, at most one '.', with digits on both sides of it.
// `what` names the value in messages ("amount", "rate").
Result<Decimal> SplitDecimal(std::string_view text, std::string_view what,
                             bool allow_sign) {
  const std::string subject = std::string(what) + " " + Quote(text);
  if (text.empty()) return Fail(ErrorCode::kInvalidArgument, std::string(what) + " is empty");

  Decimal out;
  std::string_view body = text;
  if (body.front() == '+' || body.front() == '-') {
    if (!allow_sign) return Fail(ErrorCode::kInvalidArgument, subject + " must not have a sign");
    out.negative = body.front() == '-';
    body.remove_prefix(1);
  }
  if (body.empty()) return Fail(ErrorCode::kInvalidArgument, subject + " has no digits");

  size_t dot = std::string_view::npos;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    const auto u = static_cast<unsigned char>(c);
    if (c >= '0' && c <= '9') continue;
    if (c == '.') {
      if (dot != std::string_view::npos) {
        return Fail(ErrorCode::kInvalidArgument, subject + " has more than one '.'");
      }
      dot = i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      return Fail(ErrorCode::kInvalidArgument, subject + " must not contain spaces");
    }
    if (u >= 0x80) {
      return Fail(ErrorCode::kInvalidArgument,
                  subject + " contains a non-ASCII character; write digits as 0-9");
    }
    if (c == '+' || c == '-') {
      return Fail(ErrorCode::kInvalidArgument,
                  subject + (allow_sign ? " may have a sign only at the start"
                                        : " must not have a sign"));
    }
    if (c == 'e' || c == 'E') {
      return Fail(ErrorCode::kInvalidArgument,
                  subject + " must not use an exponent; write all the digits out");
    }
    if (c == ',' || c == '\'' || c == '_') {
      return Fail(ErrorCode::kInvalidArgument,
                  subject + " contains '" + std::string(1, c) +
                      "'; write it with no digit separators and '.' as the decimal point");
    }
    if (u < 0x20 || u == 0x7F) {
      return Fail(ErrorCode::kInvalidArgument, subject + " contains a control character");
    }
    return Fail(ErrorCode::kInvalidArgument,
                subject + " contains '" + std::string(1, c) +
                    "'; only digits and one '.' are allowed");
  }

  if (body.find_first_of("0123456789") == std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, subject + " has no digits");
  }
  const std::string sign = out.negative ? "-" : (text.front() == '+' ? "+" : "");
  if (dot == 0) {
    return Fail(ErrorCode::kInvalidArgument, subject + " needs a digit before the '.' (write \"" +
                                                 sign + "0" + std::string(body) + "\")");
  }
  if (dot == body.size() - 1) {
    return Fail(ErrorCode::kInvalidArgument, subject + " needs a digit after the '.' (write \"" +
                                                 sign + std::string(body.substr(0, dot)) + "\")");
  }
  if (dot == std::string_view::npos) {
    out.integer_digits = body;
  } else {
    out.integer_digits = body.substr(0, dot);
    out.fraction_digits = body.substr(dot + 1);
  }
  return out;
}

// The integer whose decimal digits are `integer_digits` then `fraction_digits`
// then `zeros` zeros, or nullopt when it exceeds INT64_MAX.
std::optional<int64_t> DigitsToInt64(std::string_view integer_digits,
                                     std::string_view fraction_digits, int zeros) {
  UInt128 value = 0;
  for (std::string_view part : {integer_digits, fraction_digits}) {
    for (char c : part) {
      value = value * 10 + static_cast<unsigned>(c - '0');
      if (value > static_cast<UInt128>(kInt64Max)) return std::nullopt;
    }
  }
  for (int i = 0; i < zeros; ++i) {
    value *= 10;
    if (value > static_cast<UInt128>(kInt64Max)) return std::nullopt;
  }
  return static_cast<int64_t>(value);
}

// Money's own range: +-INT64_MAX, so that every amount can be negated.
bool FitsMoney(Int128 v) { return v >= -kInt64Max && v <= kInt64Max; }

std::string Describe(const Money& m) {
  return m.ToDecimalString() + " " + m.currency().str();
}

}  // namespace

CurrencyCode::CurrencyCode(std::string_view code) {
  const std::optional<Currency> currency = FindCurrency(code);
  if (!currency) {
    throw std::invalid_argument("CurrencyCode: unknown currency " + Quote(code));
  }
  for (int i = 0; i < 3; ++i) code_[i] = currency->code[static_cast<size_t>(i)];
  exponent_ = currency->exponent;
}

Result<Money> Money::Parse(std::string_view decimal, std::string_view currency,
                           bool allow_sign) {
  if (currency.empty()) return Fail(ErrorCode::kInvalidArgument, "currency is empty");
  const std::optional<Currency> found = FindCurrency(currency);
  if (!found) {
    std::string message = "unknown currency " + Quote(currency);
    std::string upper(currency);
    for (char& c : upper) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    if (upper != currency && FindCurrency(upper)) {
      message += " (codes are upper case: \"" + upper + "\")";
    }
    return Fail(ErrorCode::kInvalidArgument, std::move(message));
  }
  const CurrencyCode code(found->code);

  Result<Decimal> parts = SplitDecimal(decimal, "amount", allow_sign);
  if (!parts) return tl::unexpected(std::move(parts.error()));

  const size_t decimals = parts->fraction_digits.size();
  if (decimals > static_cast<size_t>(code.exponent())) {
    return Fail(ErrorCode::kInvalidArgument,
                "amount " + Quote(decimal) + " has " + Plural(decimals, "decimal") + " but " +
                    code.str() + " has " +
                    (code.exponent() == 0 ? std::string("none")
                                          : std::to_string(code.exponent())));
  }
  const std::optional<int64_t> magnitude =
      DigitsToInt64(parts->integer_digits, parts->fraction_digits,
                    code.exponent() - static_cast<int>(decimals));
  if (!magnitude) {
    return Fail(ErrorCode::kOverflow, "amount " + Quote(decimal) + " is too large: " +
                                          code.str() + " amounts must be at most " +
                                          Money(kInt64Max, code).ToDecimalString());
  }
  return Money(parts->negative ? -*magnitude : *magnitude, code);
}

Result<Money> Money::Add(const Money& other) const {
  if (!(currency_ == other.currency_)) {
    return Fail(ErrorCode::kInvalidArgument, "cannot add " + other.currency_.str() + " to " +
                                                 currency_.str());
  }
  const Int128 sum = static_cast<Int128>(minor_) + other.minor_;
  if (!FitsMoney(sum)) {
    return Fail(ErrorCode::kOverflow, "adding " + Describe(other) + " to " + Describe(*this) +
                                          " overflows: " + currency_.str() +
                                          " amounts must be at most " +
                                          Money(kInt64Max, currency_).ToDecimalString() +
                                          " in size");
  }
  return Money(static_cast<int64_t>(sum), currency_);
}

Result<Money> Money::Subtract(const Money& other) const {
  if (!(currency_ == other.currency_)) {
    return Fail(ErrorCode::kInvalidArgument, "cannot subtract " + other.currency_.str() +
                                                 " from " + currency_.str());
  }
  const Int128 difference = static_cast<Int128>(minor_) - other.minor_;
  if (!FitsMoney(difference)) {
    return Fail(ErrorCode::kOverflow, "subtracting " + Describe(other) + " from " +
                                          Describe(*this) + " overflows: " + currency_.str() +
                                          " amounts must be at most " +
                                          Money(kInt64Max, currency_).ToDecimalString() +
                                          " in size");
  }
  return Money(static_cast<int64_t>(difference), currency_);
}

std::string Money::ToDecimalString() const { return FormatScaled(minor_, currency_.exponent()); }

Result<Rate> Rate::Parse(std::string_view units_per_usd) {
  Result<Decimal> parts = SplitDecimal(units_per_usd, "rate", /*allow_sign=*/false);
  if (!parts) return tl::unexpected(std::move(parts.error()));

  // Trailing zeros of the fraction do not change the value; dropping them
  // makes equal rates compare equal and print the same.
  std::string_view fraction = parts->fraction_digits;
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  std::string_view integer = parts->integer_digits;
  while (!integer.empty() && integer.front() == '0') integer.remove_prefix(1);

  // Significant digits: from the first non-zero digit to the last digit kept.
  size_t significant = 0;
  if (!integer.empty()) {
    significant = integer.size() + fraction.size();
  } else {
    const size_t first = fraction.find_first_not_of('0');
    if (first != std::string_view::npos) significant = fraction.size() - first;
  }
  const std::string subject = "rate " + Quote(units_per_usd);
  if (significant == 0) return Fail(ErrorCode::kInvalidArgument, subject + " must be positive");
  if (fraction.size() > static_cast<size_t>(kMaxRateDecimals)) {
    return Fail(ErrorCode::kInvalidArgument,
                subject + " has " + Plural(fraction.size(), "decimal") + "; at most " +
                    std::to_string(kMaxRateDecimals) + " are allowed");
  }
  if (significant > static_cast<size_t>(kMaxRateSignificantDigits)) {
    return Fail(ErrorCode::kInvalidArgument,
                subject + " has " + std::to_string(significant) +
                    " significant digits; at most " +
                    std::to_string(kMaxRateSignificantDigits) + " are allowed");
  }
  // At most 18 significant digits always fit in int64.
  const std::optional<int64_t> mantissa = DigitsToInt64(integer, fraction, 0);
  if (!mantissa) return Fail(ErrorCode::kInternal, subject + ": mantissa does not fit");
  Rate rate;
  rate.mantissa_ = *mantissa;
  rate.scale_ = static_cast<int>(fraction.size());
  return rate;
}

std::string Rate::ToDecimalString() const { return FormatScaled(mantissa_, scale_); }

Result<int64_t> ToUsdCents(const Money& amount, const std::optional<Rate>& rate) {
  const bool is_usd = amount.currency() == CurrencyCode("USD");
  if (!rate) {
    if (is_usd) return amount.minor_units();
    return Fail(ErrorCode::kInvalidArgument, Describe(amount) +
                                                 " needs a rate to convert to USD, and none "
                                                 "was given");
  }
  // cents = minor / 10^exponent * 100 / (mantissa / 10^scale)
  //       = minor * 10^(2 - exponent) * 10^scale / mantissa.
  // |minor| < 2^63, 10^(2 - exponent) <= 100 and 10^scale <= 10^12, so the
  // numerator stays below 2^117; the denominator below 10^18 * 100.
  const int exponent = amount.currency().exponent();
  Int128 numerator = static_cast<Int128>(amount.minor_units()) * kPow10[rate->scale()];
  Int128 denominator = rate->mantissa();
  if (exponent <= 2) {
    numerator *= kPow10[2 - exponent];
  } else {
    denominator *= kPow10[exponent - 2];
  }
  const Int128 cents = DivideHalfEven(numerator, denominator);
  if (!FitsInt64(cents)) {
    return Fail(ErrorCode::kOverflow, "converting " + Describe(amount) + " at " +
                                          rate->ToDecimalString() + " " +
                                          amount.currency().str() +
                                          " per USD overflows: the result is more than " +
                                          FormatUsdCents(kInt64Max) + " USD in size");
  }
  return static_cast<int64_t>(cents);
}

Result<int64_t> MulDivHalfEven(int64_t value, int64_t numerator, int64_t denominator) {
  if (denominator <= 0) {
    return Fail(ErrorCode::kInternal, "MulDivHalfEven: the denominator must be positive, got " +
                                          std::to_string(denominator));
  }
  if (int64_t result = 0; MulDivHalfEven64(value, numerator, denominator, result)) return result;
  // |value * numerator| <= 2^126: exact in 128 bits.
  const Int128 result =
      DivideHalfEven(static_cast<Int128>(value) * numerator, static_cast<Int128>(denominator));
  if (!FitsInt64(result)) {
    return Fail(ErrorCode::kOverflow, std::to_string(value) + " * " + std::to_string(numerator) +
                                          " / " + std::to_string(denominator) +
                                          " does not fit in a 64-bit integer");
  }
  return static_cast<int64_t>(result);
}

Int128 DivideHalfEven(Int128 numerator, Int128 denominator) {
  if (denominator <= 0) throw std::domain_error("DivideHalfEven: denominator must be positive");
  // Floor division: quotient * denominator + remainder == numerator with
  // 0 <= remainder < denominator.
  Int128 quotient = numerator / denominator;
  Int128 remainder = numerator % denominator;
  if (remainder < 0) {
    quotient -= 1;
    remainder += denominator;
  }
  // Compare remainder with denominator / 2 without computing 2 * remainder,
  // which could overflow.
  const Int128 rest = denominator - remainder;
  if (remainder > rest || (remainder == rest && (quotient & 1) != 0)) quotient += 1;
  return quotient;
}

Result<int64_t> ParseUsdCents(std::string_view decimal) {
  Result<Money> money = Money::Parse(decimal, "USD", /*allow_sign=*/false);
  if (!money) return tl::unexpected(std::move(money.error()));
  return money->minor_units();
}

std::string FormatUsdCents(int64_t cents) { return FormatScaled(cents, 2); }

Result<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    return Fail(ErrorCode::kOverflow, std::to_string(a) + " + " + std::to_string(b) +
                                          " does not fit in a 64-bit integer");
  }
  return sum;
}

}  // namespace rmis::money
