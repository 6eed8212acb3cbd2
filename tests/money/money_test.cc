// Tests of the exact-money library (src/money): table-driven checks of parsing,
// formatting, same-currency arithmetic and half-even conversion to US cents,
// and RapidCheck properties against an independent exact (128-bit) reference.
#include "money/money.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace rmis::money {

void PrintTo(const Money& m, std::ostream* os) {
  *os << m.ToDecimalString() << " " << m.currency().view() << " (" << m.minor_units()
      << " minor)";
}

void PrintTo(const Rate& r, std::ostream* os) {
  *os << r.ToDecimalString() << " (" << r.mantissa() << "e-" << r.scale() << ")";
}

namespace {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr Int128 kInt128Max = static_cast<Int128>(~static_cast<UInt128>(0) >> 1);
constexpr Int128 kInt128Min = -kInt128Max - 1;

template <typename T>
std::string MessageOf(const Result<T>& r) {
  return r ? std::string("(no error)") : r.error().message;
}

// ---- An independent reference, used by the tests only ----------------------

Int128 Pow10(int n) {
  Int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// round_half_even(num / den), den > 0, by floor division and comparing twice
// the remainder with the denominator (operands are small enough for 2 * r).
Int128 ReferenceRoundHalfEven(Int128 num, Int128 den) {
  Int128 q = num / den;
  if (q * den > num) --q;  // make it the floor
  const Int128 r = num - q * den;
  if (2 * r > den || (2 * r == den && q % 2 != 0)) ++q;
  return q;
}

// v / 10^decimals with exactly `decimals` decimals, digit by digit.
std::string ReferenceFormat(Int128 v, int decimals) {
  const bool negative = v < 0;
  std::string digits;
  for (int i = 0; v != 0 || i <= decimals; ++i) {
    if (i == decimals && decimals > 0) digits += '.';
    const int d = static_cast<int>(v % 10);
    digits += static_cast<char>('0' + (d < 0 ? -d : d));
    v /= 10;
  }
  if (negative) digits += '-';
  std::reverse(digits.begin(), digits.end());
  return digits;
}

// ---- FindCurrency ------------------------------------------------------------

TEST(FindCurrencyTest, KnownAndUnknownCodes) {
  struct Case {
    std::string code;
    std::optional<int> exponent;
  };
  const std::vector<Case> cases = {
      {"USD", 2},           {"EUR", 2},           {"CHF", 2},           {"JPY", 0},
      {"KRW", 0},           {"XOF", 0},           {"XAF", 0},           {"VND", 0},
      {"KWD", 3},           {"BHD", 3},           {"TND", 3},           {"CLF", 4},
      {"UYW", 4},           {"AED", 2},           {"ZWG", 2},           {"usd", std::nullopt},
      {"Usd", std::nullopt}, {"US", std::nullopt}, {"USDX", std::nullopt}, {"", std::nullopt},
      {"EUX", std::nullopt}, {"XXX", std::nullopt}, {"XAU", std::nullopt}, {"US1", std::nullopt},
      {" USD", std::nullopt}, {"HRK", std::nullopt}, {"AAA", std::nullopt}, {"ZZZ", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.code);
    const std::optional<Currency> found = FindCurrency(c.code);
    ASSERT_EQ(found.has_value(), c.exponent.has_value());
    if (found) {
      EXPECT_EQ(found->code, c.code);
      EXPECT_EQ(found->exponent, *c.exponent);
    }
  }
}

TEST(FindCurrencyTest, TableIsSortedUniqueAndSearchable) {
  const std::span<const Currency> all = AllCurrencies();
  EXPECT_GT(all.size(), 150u);
  for (size_t i = 0; i < all.size(); ++i) {
    SCOPED_TRACE(std::string(all[i].code));
    ASSERT_EQ(all[i].code.size(), 3u);
    if (i > 0) {
      EXPECT_LT(all[i - 1].code, all[i].code);
    }
    const std::optional<Currency> found = FindCurrency(all[i].code);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->exponent, all[i].exponent);
    EXPECT_EQ(CurrencyCode(all[i].code).exponent(), all[i].exponent);
  }
}

TEST(CurrencyCodeTest, HoldsCodeAndExponent) {
  const CurrencyCode kwd("KWD");
  EXPECT_EQ(kwd.view(), "KWD");
  EXPECT_EQ(kwd.str(), "KWD");
  EXPECT_EQ(kwd.exponent(), 3);
  EXPECT_EQ(CurrencyCode("EUR"), CurrencyCode("EUR"));
  EXPECT_FALSE(CurrencyCode("EUR") == CurrencyCode("CHF"));
  EXPECT_THROW(CurrencyCode("EUX"), std::invalid_argument);
}

// ---- Money::Parse ------------------------------------------------------------

struct ParseGood {
  std::string text;
  std::string currency;
  bool allow_sign;
  int64_t minor;
};

void PrintTo(const ParseGood& c, std::ostream* os) {
  *os << c.text << " " << c.currency << (c.allow_sign ? " signed" : "");
}

class ParseGoodTest : public testing::TestWithParam<ParseGood> {};

TEST_P(ParseGoodTest, Parses) {
  const ParseGood& c = GetParam();
  const Result<Money> m = Money::Parse(c.text, c.currency, c.allow_sign);
  ASSERT_TRUE(m.has_value()) << MessageOf(m);
  EXPECT_EQ(*m, Money(c.minor, CurrencyCode(c.currency)));
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseGoodTest,
    testing::Values(ParseGood{"1234.5", "USD", false, 123450},
                    ParseGood{"1234.50", "USD", false, 123450},
                    ParseGood{"1234", "USD", false, 123400}, ParseGood{"0", "USD", false, 0},
                    ParseGood{"0.00", "USD", false, 0}, ParseGood{"0.01", "USD", false, 1},
                    ParseGood{"007", "USD", false, 700},
                    ParseGood{"0000000000000000000000000001", "USD", false, 100},
                    ParseGood{"1500.25", "EUR", false, 150025},
                    ParseGood{"1500", "JPY", false, 1500}, ParseGood{"0", "JPY", false, 0},
                    ParseGood{"1.234", "KWD", false, 1234}, ParseGood{"1.2", "KWD", false, 1200},
                    ParseGood{"12", "KWD", false, 12000}, ParseGood{"0.0001", "CLF", false, 1},
                    ParseGood{"-5", "USD", true, -500}, ParseGood{"+5", "USD", true, 500},
                    ParseGood{"-0", "USD", true, 0}, ParseGood{"-0.05", "EUR", true, -5},
                    ParseGood{"-1500", "JPY", true, -1500},
                    ParseGood{"92233720368547758.07", "USD", false, kMax},
                    ParseGood{"-92233720368547758.07", "USD", true, -kMax},
                    ParseGood{"9223372036854775807", "JPY", false, kMax},
                    ParseGood{"9223372036854775.807", "KWD", false, kMax},
                    ParseGood{"922337203685477.5807", "CLF", false, kMax}));

struct ParseBad {
  std::string text;
  std::string currency;
  bool allow_sign;
  ErrorCode code;
  std::string message;  // exact
};

void PrintTo(const ParseBad& c, std::ostream* os) {
  *os << c.text << " " << c.currency << (c.allow_sign ? " signed" : "");
}

class ParseBadTest : public testing::TestWithParam<ParseBad> {};

TEST_P(ParseBadTest, FailsWithAClearMessage) {
  const ParseBad& c = GetParam();
  const Result<Money> m = Money::Parse(c.text, c.currency, c.allow_sign);
  ASSERT_FALSE(m.has_value()) << "parsed as " << m->ToDecimalString();
  EXPECT_EQ(ErrorCodeName(m.error().code), std::string(ErrorCodeName(c.code)));
  EXPECT_EQ(m.error().message, c.message);
}

constexpr ErrorCode kBad = ErrorCode::kInvalidArgument;
constexpr ErrorCode kOver = ErrorCode::kOverflow;

INSTANTIATE_TEST_SUITE_P(
    Table, ParseBadTest,
    testing::Values(
        ParseBad{"", "USD", false, kBad, "amount is empty"},
        ParseBad{" 5", "USD", false, kBad, R"(amount " 5" must not contain spaces)"},
        ParseBad{"5 ", "USD", false, kBad, R"(amount "5 " must not contain spaces)"},
        ParseBad{"1 000", "USD", false, kBad, R"(amount "1 000" must not contain spaces)"},
        ParseBad{"\t5", "USD", false, kBad, R"(amount "\x095" must not contain spaces)"},
        ParseBad{"-5", "USD", false, kBad, R"(amount "-5" must not have a sign)"},
        ParseBad{"+5", "USD", false, kBad, R"(amount "+5" must not have a sign)"},
        ParseBad{"5-", "USD", false, kBad, R"(amount "5-" must not have a sign)"},
        ParseBad{"5-", "USD", true, kBad, R"(amount "5-" may have a sign only at the start)"},
        ParseBad{"--5", "USD", true, kBad, R"(amount "--5" may have a sign only at the start)"},
        ParseBad{"-", "USD", true, kBad, R"(amount "-" has no digits)"},
        ParseBad{"1e5", "USD", false, kBad,
                 R"(amount "1e5" must not use an exponent; write all the digits out)"},
        ParseBad{"1E5", "USD", false, kBad,
                 R"(amount "1E5" must not use an exponent; write all the digits out)"},
        ParseBad{"1.2.3", "USD", false, kBad, R"(amount "1.2.3" has more than one '.')"},
        ParseBad{"5.", "USD", false, kBad,
                 R"(amount "5." needs a digit after the '.' (write "5"))"},
        ParseBad{".5", "USD", false, kBad,
                 R"(amount ".5" needs a digit before the '.' (write "0.5"))"},
        ParseBad{"-.5", "USD", true, kBad,
                 R"(amount "-.5" needs a digit before the '.' (write "-0.5"))"},
        ParseBad{".", "USD", false, kBad, R"(amount "." has no digits)"},
        ParseBad{"-.", "USD", true, kBad, R"(amount "-." has no digits)"},
        ParseBad{"1,000.00", "USD", false, kBad,
                 R"(amount "1,000.00" contains ','; write it with no digit separators and '.' as the decimal point)"},
        ParseBad{"0x10", "USD", false, kBad,
                 R"(amount "0x10" contains 'x'; only digits and one '.' are allowed)"},
        ParseBad{"NaN", "USD", false, kBad,
                 R"(amount "NaN" contains 'N'; only digits and one '.' are allowed)"},
        ParseBad{"\xD9\xA1\xD9\xA2", "USD", false, kBad,  // Arabic-Indic "12"
                 "amount \"\xD9\xA1\xD9\xA2\" contains a non-ASCII character; write digits as 0-9"},
        ParseBad{"\xEF\xBC\x95", "USD", false, kBad,  // full-width "5"
                 "amount \"\xEF\xBC\x95\" contains a non-ASCII character; write digits as 0-9"},
        ParseBad{"12.345", "EUR", false, kBad, R"(amount "12.345" has 3 decimals but EUR has 2)"},
        ParseBad{"1.5", "JPY", false, kBad, R"(amount "1.5" has 1 decimal but JPY has none)"},
        ParseBad{"1500.00", "JPY", false, kBad,
                 R"(amount "1500.00" has 2 decimals but JPY has none)"},
        ParseBad{"1.2345", "KWD", false, kBad, R"(amount "1.2345" has 4 decimals but KWD has 3)"},
        ParseBad{"92233720368547758.08", "USD", false, kOver,
                 R"(amount "92233720368547758.08" is too large: USD amounts must be at most 92233720368547758.07)"},
        ParseBad{"-92233720368547758.08", "USD", true, kOver,
                 R"(amount "-92233720368547758.08" is too large: USD amounts must be at most 92233720368547758.07)"},
        ParseBad{"9223372036854775808", "JPY", false, kOver,
                 R"(amount "9223372036854775808" is too large: JPY amounts must be at most 9223372036854775807)"},
        ParseBad{"9223372036854775.808", "KWD", false, kOver,
                 R"(amount "9223372036854775.808" is too large: KWD amounts must be at most 9223372036854775.807)"},
        ParseBad{"9223372036854776", "KWD", false, kOver,
                 R"(amount "9223372036854776" is too large: KWD amounts must be at most 9223372036854775.807)"},
        ParseBad{"123456789012345678901234567890123456789012345", "JPY", false, kOver,
                 R"(amount "1234567890123456789012345678901234567890..." is too large: JPY amounts must be at most 9223372036854775807)"},
        ParseBad{"5", "EUX", false, kBad, R"(unknown currency "EUX")"},
        ParseBad{"5", "eur", false, kBad, R"(unknown currency "eur" (codes are upper case: "EUR"))"},
        ParseBad{"5", "EURO", false, kBad, R"(unknown currency "EURO")"},
        ParseBad{"5", "", false, kBad, "currency is empty"}));

// ---- Money::ToDecimalString --------------------------------------------------

TEST(MoneyTest, ToDecimalString) {
  struct Case {
    int64_t minor;
    std::string currency;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {123450, "USD", "1234.50"},
      {-5, "USD", "-0.05"},
      {0, "USD", "0.00"},
      {100, "USD", "1.00"},
      {-100, "USD", "-1.00"},
      {1500, "JPY", "1500"},
      {-1500, "JPY", "-1500"},
      {0, "JPY", "0"},
      {1, "KWD", "0.001"},
      {-1234, "KWD", "-1.234"},
      {1, "CLF", "0.0001"},
      {kMax, "USD", "92233720368547758.07"},
      {-kMax, "USD", "-92233720368547758.07"},
      {kMin, "USD", "-92233720368547758.08"},
      {kMax, "JPY", "9223372036854775807"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expected);
    EXPECT_EQ(Money(c.minor, CurrencyCode(c.currency)).ToDecimalString(), c.expected);
  }
}

// ---- Money::Add / Subtract ---------------------------------------------------

TEST(MoneyTest, AddAndSubtractSameCurrency) {
  const CurrencyCode eur("EUR");
  Result<Money> sum = Money(150025, eur).Add(Money(-25, eur));
  ASSERT_TRUE(sum.has_value()) << MessageOf(sum);
  EXPECT_EQ(*sum, Money(150000, eur));
  Result<Money> difference = Money(5, eur).Subtract(Money(7, eur));
  ASSERT_TRUE(difference.has_value()) << MessageOf(difference);
  EXPECT_EQ(*difference, Money(-2, eur));
}

TEST(MoneyTest, CurrencyMismatchIsInvalidArgument) {
  const Money eur(100, CurrencyCode("EUR"));
  const Money chf(100, CurrencyCode("CHF"));
  const Result<Money> sum = eur.Add(chf);
  ASSERT_FALSE(sum.has_value());
  EXPECT_EQ(sum.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(sum.error().message, "cannot add CHF to EUR");
  const Result<Money> difference = eur.Subtract(chf);
  ASSERT_FALSE(difference.has_value());
  EXPECT_EQ(difference.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(difference.error().message, "cannot subtract CHF from EUR");
  // Same minor units, different scale: still a mismatch.
  EXPECT_FALSE(Money(1, CurrencyCode("KWD")).Add(Money(1, CurrencyCode("BHD"))).has_value());
}

TEST(MoneyTest, OverflowAtTheInt64Edge) {
  const CurrencyCode usd("USD");
  struct Case {
    int64_t a;
    int64_t b;
    bool add;
    std::optional<int64_t> expected;  // nullopt: kOverflow
  };
  const std::vector<Case> cases = {
      {kMax, 1, true, std::nullopt},
      {kMax, 0, true, kMax},
      {kMax, -1, true, kMax - 1},
      {kMax, kMax, true, std::nullopt},
      {-kMax, -1, true, std::nullopt},  // INT64_MIN is outside Money's range
      {-kMax, 0, true, -kMax},
      {-kMax, kMax, true, 0},
      {kMax, kMax, false, 0},
      {kMax, -1, false, std::nullopt},
      {-kMax, 1, false, std::nullopt},
      {-kMax, -kMax, false, 0},
      {0, kMax, false, -kMax},
      {-1, kMax, false, std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.a) + (c.add ? " + " : " - ") + std::to_string(c.b));
    const Money a(c.a, usd);
    const Money b(c.b, usd);
    const Result<Money> r = c.add ? a.Add(b) : a.Subtract(b);
    if (c.expected) {
      ASSERT_TRUE(r.has_value()) << MessageOf(r);
      EXPECT_EQ(r->minor_units(), *c.expected);
    } else {
      ASSERT_FALSE(r.has_value()) << r->ToDecimalString();
      EXPECT_EQ(r.error().code, ErrorCode::kOverflow);
    }
  }
  const Result<Money> over = Money(kMax, usd).Add(Money(1, usd));
  EXPECT_EQ(MessageOf(over),
            "adding 0.01 USD to 92233720368547758.07 USD overflows: USD amounts must be at most "
            "92233720368547758.07 in size");
}

// ---- Rate --------------------------------------------------------------------

TEST(RateTest, ParsesPlainPositiveDecimals) {
  struct Case {
    std::string text;
    int64_t mantissa;
    int scale;
    std::string canonical;
  };
  const std::vector<Case> cases = {
      {"0.9215", 9215, 4, "0.9215"},
      {"109.87", 10987, 2, "109.87"},
      {"1", 1, 0, "1"},
      {"100", 100, 0, "100"},
      {"1.50", 15, 1, "1.5"},
      {"0001.000", 1, 0, "1"},
      {"0.000000000001", 1, 12, "0.000000000001"},
      {"0.0000000000010", 1, 12, "0.000000000001"},
      {"123456789012345678", 123456789012345678, 0, "123456789012345678"},
      {"1234567.89012345678", 123456789012345678, 11, "1234567.89012345678"},
      {"0.000001234567", 1234567, 12, "0.000001234567"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const Result<Rate> r = Rate::Parse(c.text);
    ASSERT_TRUE(r.has_value()) << MessageOf(r);
    EXPECT_EQ(r->mantissa(), c.mantissa);
    EXPECT_EQ(r->scale(), c.scale);
    EXPECT_EQ(r->ToDecimalString(), c.canonical);
  }
  EXPECT_EQ(*Rate::Parse("1.5"), *Rate::Parse("1.50000"));
}

TEST(RateTest, RejectsWithAClearMessage) {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"0", R"(rate "0" must be positive)"},
      {"0.000", R"(rate "0.000" must be positive)"},
      {"-1", R"(rate "-1" must not have a sign)"},
      {"+1", R"(rate "+1" must not have a sign)"},
      {"", "rate is empty"},
      {"1e3", R"(rate "1e3" must not use an exponent; write all the digits out)"},
      {"1.", R"(rate "1." needs a digit after the '.' (write "1"))"},
      {".5", R"(rate ".5" needs a digit before the '.' (write "0.5"))"},
      {"1,5", R"(rate "1,5" contains ','; write it with no digit separators and '.' as the decimal point)"},
      {" 1", R"(rate " 1" must not contain spaces)"},
      {"0.0000000000001", R"(rate "0.0000000000001" has 13 decimals; at most 12 are allowed)"},
      {"1234567890123456789",
       R"(rate "1234567890123456789" has 19 significant digits; at most 18 are allowed)"},
      {"1.234567890123456789",
       R"(rate "1.234567890123456789" has 18 decimals; at most 12 are allowed)"},
      {"1234567.890123456789",
       R"(rate "1234567.890123456789" has 19 significant digits; at most 18 are allowed)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const Result<Rate> r = Rate::Parse(c.text);
    ASSERT_FALSE(r.has_value()) << r->ToDecimalString();
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message, c.message);
  }
}

// ---- ToUsdCents --------------------------------------------------------------

TEST(ToUsdCentsTest, RoundsHalfToEvenToTheCent) {
  struct Case {
    std::string amount;
    std::string currency;
    std::optional<std::string> rate;
    int64_t cents;
  };
  const std::vector<Case> cases = {
      // USD without a rate is itself.
      {"123.45", "USD", std::nullopt, 12345},
      {"-0.01", "USD", std::nullopt, -1},
      // Exact ties, USD at 2 per USD: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, 3.5 -> 4.
      {"0.01", "USD", "2", 0},
      {"0.03", "USD", "2", 2},
      {"0.05", "USD", "2", 2},
      {"0.07", "USD", "2", 4},
      {"0.02", "USD", "2", 1},
      // ... and the same below zero (symmetric).
      {"-0.01", "USD", "2", 0},
      {"-0.03", "USD", "2", -2},
      {"-0.05", "USD", "2", -2},
      {"-0.07", "USD", "2", -4},
      // Not ties: ordinary rounding.
      {"0.04", "USD", "3", 1},   // 1.333
      {"0.05", "USD", "3", 2},   // 1.667
      {"-0.05", "USD", "3", -2},
      // EUR at 0.8: 1.00 -> 1.25 USD; 0.02 -> 2.5 cents; 0.06 -> 7.5 cents.
      {"1.00", "EUR", "0.8", 125},
      {"0.02", "EUR", "0.8", 2},
      {"0.06", "EUR", "0.8", 8},
      {"1000000.00", "EUR", "0.9215", 108518719},  // 108518719.479...
      // JPY (0 decimals): 1 yen at 200 = 0.5 cent.
      {"1500", "JPY", "150", 1000},
      {"1", "JPY", "200", 0},
      {"3", "JPY", "200", 2},
      {"5", "JPY", "200", 2},
      {"7", "JPY", "200", 4},
      {"1000000", "JPY", "109.87", 910167},  // 910166.56...
      // KWD (3 decimals): 1 fils at 1 = 0.1 cent.
      {"1.000", "KWD", "0.3", 333},
      {"3.075", "KWD", "0.3075", 1000},
      {"0.001", "KWD", "1", 0},
      {"0.006", "KWD", "1", 1},
      {"0.005", "KWD", "1", 0},
      {"0.015", "KWD", "1", 2},
      {"0.025", "KWD", "1", 2},
      {"0.035", "KWD", "1", 4},
      {"-0.025", "KWD", "1", -2},
      {"1000", "KWD", "0.30", 333333},  // 3333.3333
      // CLF (4 decimals).
      {"1", "CLF", "0.025", 4000},
      {"0.005", "CLF", "1", 0},
      {"0.015", "CLF", "1", 2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.amount + " " + c.currency + " at " + c.rate.value_or("(none)"));
    const Result<Money> amount = Money::Parse(c.amount, c.currency, /*allow_sign=*/true);
    ASSERT_TRUE(amount.has_value()) << MessageOf(amount);
    std::optional<Rate> rate;
    if (c.rate) {
      const Result<Rate> parsed = Rate::Parse(*c.rate);
      ASSERT_TRUE(parsed.has_value()) << MessageOf(parsed);
      rate = *parsed;
    }
    const Result<int64_t> cents = ToUsdCents(*amount, rate);
    ASSERT_TRUE(cents.has_value()) << MessageOf(cents);
    EXPECT_EQ(*cents, c.cents);
  }
}

TEST(ToUsdCentsTest, NonUsdWithoutARateFails) {
  const Result<int64_t> cents = ToUsdCents(Money(1250, CurrencyCode("EUR")), std::nullopt);
  ASSERT_FALSE(cents.has_value());
  EXPECT_EQ(cents.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(cents.error().message, "12.50 EUR needs a rate to convert to USD, and none was given");
}

TEST(ToUsdCentsTest, ExtremesAndOverflow) {
  const CurrencyCode usd("USD");
  const CurrencyCode jpy("JPY");
  const CurrencyCode kwd("KWD");
  EXPECT_EQ(*ToUsdCents(Money(kMax, usd), *Rate::Parse("1")), kMax);
  // 9223372036854775807 / 2 = ...903.5, a tie: to the even ...904.
  EXPECT_EQ(*ToUsdCents(Money(kMax, usd), *Rate::Parse("2")), 4611686018427387904);
  EXPECT_EQ(*ToUsdCents(Money(-kMax, usd), *Rate::Parse("2")), -4611686018427387904);
  // The largest amounts at the largest rate: 7.47 and 7470.8 cents. (KWD: the
  // exponent is above 2, so the denominator is scaled, not the amount.)
  EXPECT_EQ(*ToUsdCents(Money(kMax, kwd), *Rate::Parse("123456789012345678")), 7);
  EXPECT_EQ(*ToUsdCents(Money(kMax, jpy), *Rate::Parse("123456789012345678")), 7471);

  struct Case {
    Money amount;
    std::string rate;
  };
  const std::vector<Case> overflows = {
      {Money(kMax, usd), "0.5"},
      {Money(-kMax, usd), "0.5"},
      {Money(kMax, jpy), "1"},
      {Money(kMax, jpy), "0.000000000001"},
      {Money(kMin, jpy), "0.000000000001"},
      {Money(kMax, kwd), "0.000000000001"},
  };
  for (const Case& c : overflows) {
    SCOPED_TRACE(c.amount.ToDecimalString() + " at " + c.rate);
    const Result<int64_t> cents = ToUsdCents(c.amount, *Rate::Parse(c.rate));
    ASSERT_FALSE(cents.has_value()) << *cents;
    EXPECT_EQ(cents.error().code, ErrorCode::kOverflow);
  }
  EXPECT_EQ(MessageOf(ToUsdCents(Money(kMax, usd), *Rate::Parse("0.5"))),
            "converting 92233720368547758.07 USD at 0.5 USD per USD overflows: the result is "
            "more than 92233720368547758.07 USD in size");
}

// ---- MulDivHalfEven / DivideHalfEven -----------------------------------------

TEST(MulDivHalfEvenTest, Table) {
  struct Case {
    int64_t value;
    int64_t numerator;
    int64_t denominator;
    std::optional<int64_t> expected;  // nullopt: kOverflow
  };
  const std::vector<Case> cases = {
      {5, 1, 2, 2},
      {3, 1, 2, 2},
      {1, 1, 2, 0},
      {7, 1, 2, 4},
      {-1, 1, 2, 0},
      {-3, 1, 2, -2},
      {-5, 1, 2, -2},
      {-7, 1, 2, -4},
      {100, 1, 3, 33},
      {200, 1, 3, 67},
      {-200, 1, 3, -67},
      {100001, 1, 2, 50000},  // open balance: half of an odd cent count
      {100003, 1, 2, 50002},
      {1000000, 333333, 1000000, 333333},  // probability weighting
      {kMax, kMax, kMax, kMax},
      {kMax, 2, 2, kMax},
      {kMin, 1, 1, kMin},
      {kMin, 3, 3, kMin},
      {kMax, 2, 1, std::nullopt},
      {kMin, -1, 1, std::nullopt},
      {kMin, kMin, kMax, std::nullopt},
      {kMax, 3, 2, std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.value) + " * " + std::to_string(c.numerator) + " / " +
                 std::to_string(c.denominator));
    const Result<int64_t> r = MulDivHalfEven(c.value, c.numerator, c.denominator);
    if (c.expected) {
      ASSERT_TRUE(r.has_value()) << MessageOf(r);
      EXPECT_EQ(*r, *c.expected);
    } else {
      ASSERT_FALSE(r.has_value()) << *r;
      EXPECT_EQ(r.error().code, ErrorCode::kOverflow);
    }
  }
  const Result<int64_t> bad = MulDivHalfEven(1, 1, 0);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInternal);
}

TEST(DivideHalfEvenTest, FullRangeOf128Bits) {
  const Int128 two_126 = static_cast<Int128>(1) << 126;
  EXPECT_TRUE(DivideHalfEven(kInt128Max, 2) == two_126);  // 2^126 - 0.5: tie, up to even
  EXPECT_TRUE(DivideHalfEven(kInt128Min, 2) == -two_126);
  EXPECT_TRUE(DivideHalfEven(kInt128Min + 1, 2) == -two_126);  // -2^126 + 0.5: tie, to even
  EXPECT_TRUE(DivideHalfEven(kInt128Max, kInt128Max) == 1);
  EXPECT_TRUE(DivideHalfEven(kInt128Min, kInt128Max) == -1);
  EXPECT_TRUE(DivideHalfEven(kInt128Max, 1) == kInt128Max);
  EXPECT_TRUE(DivideHalfEven(kInt128Min, 1) == kInt128Min);
  EXPECT_TRUE(DivideHalfEven(kInt128Max / 2, kInt128Max) == 0);        // just below 1/2
  EXPECT_TRUE(DivideHalfEven(kInt128Max / 2 + 1, kInt128Max) == 1);    // just above 1/2
  EXPECT_TRUE(DivideHalfEven(0, kInt128Max) == 0);
  EXPECT_THROW(DivideHalfEven(1, 0), std::domain_error);
}

// The 64-bit path gives what the 128-bit rule gives, wherever it answers:
// ties to even, negative products, small and large denominators.
RC_GTEST_PROP(MulDivHalfEven64Property, AgreesWithThe128BitRule, ()) {
  const auto value = *rc::gen::oneOf(rc::gen::inRange<int64_t>(-1000000, 1000000), rc::gen::arbitrary<int64_t>());
  const auto numerator = *rc::gen::oneOf(rc::gen::inRange<int64_t>(-1000000, 1000000), rc::gen::arbitrary<int64_t>());
  const auto denominator =
      *rc::gen::oneOf(rc::gen::inRange<int64_t>(1, 1000), rc::gen::inRange<int64_t>(1, std::numeric_limits<int64_t>::max()));
  const Int128 product = static_cast<Int128>(value) * numerator;
  int64_t fast = 0;
  if (!MulDivHalfEven64(value, numerator, denominator, fast)) {
    // Declined only when the product does not fit in 64 bits.
    RC_ASSERT(product > std::numeric_limits<int64_t>::max() || product < std::numeric_limits<int64_t>::min());
    return;
  }
  RC_ASSERT(static_cast<Int128>(fast) == DivideHalfEven(product, denominator));
}

TEST(MulDivHalfEven64Test, TiesGoToEven) {
  int64_t r = 0;
  ASSERT_TRUE(MulDivHalfEven64(5, 1, 2, r));
  EXPECT_EQ(r, 2);  // 2.5
  ASSERT_TRUE(MulDivHalfEven64(7, 1, 2, r));
  EXPECT_EQ(r, 4);  // 3.5
  ASSERT_TRUE(MulDivHalfEven64(-5, 1, 2, r));
  EXPECT_EQ(r, -2);  // -2.5
  ASSERT_TRUE(MulDivHalfEven64(-7, 1, 2, r));
  EXPECT_EQ(r, -4);  // -3.5
  ASSERT_TRUE(MulDivHalfEven64(-1, 1, 3, r));
  EXPECT_EQ(r, 0);  // -0.33
  ASSERT_TRUE(MulDivHalfEven64(std::numeric_limits<int64_t>::max(), 1, 1, r));
  EXPECT_EQ(r, std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(MulDivHalfEven64(std::numeric_limits<int64_t>::max(), 2, 3, r));  // the product does not fit
  EXPECT_EQ(*MulDivHalfEven(std::numeric_limits<int64_t>::max(), 2, 3), 6148914691236517205);
}

// ---- ParseUsdCents / FormatUsdCents / CheckedAdd -----------------------------

TEST(UsdCentsTest, ParseAndFormat) {
  EXPECT_EQ(*ParseUsdCents("41000000"), 4100000000);
  EXPECT_EQ(*ParseUsdCents("18900000.00"), 1890000000);
  EXPECT_EQ(*ParseUsdCents("0.5"), 50);
  EXPECT_EQ(*ParseUsdCents("92233720368547758.07"), kMax);
  EXPECT_EQ(MessageOf(ParseUsdCents("-1")), R"(amount "-1" must not have a sign)");
  EXPECT_EQ(MessageOf(ParseUsdCents("1.234")), R"(amount "1.234" has 3 decimals but USD has 2)");
  EXPECT_EQ(ParseUsdCents("92233720368547758.08").error().code, ErrorCode::kOverflow);

  struct Case {
    int64_t cents;
    std::string text;
  };
  const std::vector<Case> cases = {
      {123456, "1234.56"}, {-5, "-0.05"}, {0, "0.00"},    {7, "0.07"},
      {4100000000, "41000000.00"},        {kMax, "92233720368547758.07"},
      {kMin, "-92233720368547758.08"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(FormatUsdCents(c.cents), c.text);
    if (c.cents >= 0) {
      EXPECT_EQ(*ParseUsdCents(c.text), c.cents);
    }
  }
}

TEST(CheckedAddTest, Table) {
  EXPECT_EQ(*CheckedAdd(1, 2), 3);
  EXPECT_EQ(*CheckedAdd(kMax, kMin), -1);
  EXPECT_EQ(*CheckedAdd(kMax, 0), kMax);
  EXPECT_EQ(*CheckedAdd(kMin, 0), kMin);
  EXPECT_EQ(CheckedAdd(kMax, 1).error().code, ErrorCode::kOverflow);
  EXPECT_EQ(CheckedAdd(kMin, -1).error().code, ErrorCode::kOverflow);
  EXPECT_EQ(MessageOf(CheckedAdd(kMax, 1)),
            "9223372036854775807 + 1 does not fit in a 64-bit integer");
}

TEST(ErrorEchoTest, LongAndControlInputIsQuotedSafely) {
  const std::string long_input(100, '7');
  const std::string message = MessageOf(Money::Parse(long_input + "x", "USD"));
  EXPECT_EQ(message, R"(amount ")" + std::string(40, '7') +
                         R"(..." contains 'x'; only digits and one '.' are allowed)");
  EXPECT_EQ(MessageOf(Money::Parse(std::string("1\x01", 2), "USD")),
            R"(amount "1\x01" contains a control character)");
  EXPECT_EQ(MessageOf(Money::Parse("1\"", "USD")),
            R"(amount "1\"" contains '"'; only digits and one '.' are allowed)");
}

// ---- Properties --------------------------------------------------------------

const std::vector<std::string> kCodes = {"USD", "EUR", "JPY", "KWD", "CLF", "CHF", "XOF"};

rc::Gen<std::string> GenCode() { return rc::gen::elementOf(kCodes); }

// Any amount Money's operations produce: within +-INT64_MAX, biased to both
// small and huge values.
rc::Gen<int64_t> GenMinor() {
  return rc::gen::oneOf(rc::gen::inRange<int64_t>(-kMax, kMax),
                        rc::gen::inRange<int64_t>(-100000, 100001),
                        rc::gen::arbitrary<int64_t>());
}

// A rate mantissa / 10^scale, as its two numbers (the property's own view)
// and as the text given to Rate::Parse (sometimes with trailing zeros).
struct GeneratedRate {
  int64_t mantissa;
  int scale;
  std::string text;
};

rc::Gen<GeneratedRate> GenRate() {
  return rc::gen::apply(
      [](int64_t mantissa, int scale, int extra_zeros) {
        std::string text = ReferenceFormat(mantissa, scale);
        if (extra_zeros > 0) {
          if (scale == 0) text += '.';
          text.append(static_cast<size_t>(extra_zeros), '0');
        }
        return GeneratedRate{mantissa, scale, text};
      },
      rc::gen::oneOf(rc::gen::inRange<int64_t>(1, 1000000000000),
                     rc::gen::inRange<int64_t>(1, 100000),
                     // Mantissas that make exact half-cent ties common.
                     rc::gen::element<int64_t>(1, 2, 4, 5, 8, 16, 20, 25, 40, 50, 80, 125, 200)),
      rc::gen::inRange(0, 13), rc::gen::inRange(0, 3));
}

RC_GTEST_PROP(MoneyProperty, ParseOfToDecimalStringIsIdentity, ()) {
  const std::span<const Currency> all = AllCurrencies();
  const size_t index = *rc::gen::inRange<size_t>(0, all.size());
  int64_t minor = *GenMinor();
  if (minor == kMin) minor = -kMax;
  const Money m(minor, CurrencyCode(all[index].code));
  const std::string text = m.ToDecimalString();
  RC_ASSERT(text == ReferenceFormat(minor, all[index].exponent));
  const Result<Money> back = Money::Parse(text, all[index].code, /*allow_sign=*/true);
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == m);
}

RC_GTEST_PROP(MoneyProperty, ASumNeverLosesACent, ()) {
  const std::string code = *GenCode();
  const CurrencyCode currency(code);
  // Up to ~100 parts of at most 10^16 minor units: the sum always fits.
  const auto parts = *rc::gen::container<std::vector<int64_t>>(
      rc::gen::oneOf(rc::gen::inRange<int64_t>(-10000000000000000, 10000000000000001),
                     rc::gen::inRange<int64_t>(-1000, 1001)));
  Money total(0, currency);
  Int128 exact = 0;
  for (int64_t part : parts) {
    const Result<Money> parsed =
        Money::Parse(ReferenceFormat(part, currency.exponent()), code, /*allow_sign=*/true);
    RC_ASSERT(parsed.has_value());
    const Result<Money> next = total.Add(*parsed);
    RC_ASSERT(next.has_value());
    total = *next;
    exact += part;
  }
  const Result<Money> expected =
      Money::Parse(ReferenceFormat(exact, currency.exponent()), code, /*allow_sign=*/true);
  RC_ASSERT(expected.has_value());
  RC_ASSERT(total == *expected);
  RC_ASSERT(total.ToDecimalString() == ReferenceFormat(exact, currency.exponent()));
}

RC_GTEST_PROP(MoneyProperty, ReversalsCancelExactly, ()) {
  const CurrencyCode currency(*GenCode());
  int64_t minor = *GenMinor();
  if (minor == kMin) minor = -kMax;
  const Money m(minor, currency);
  const Result<Money> zero = m.Add(m.Negated());
  RC_ASSERT(zero.has_value());
  RC_ASSERT(*zero == Money(0, currency));
  const Result<Money> also_zero = m.Subtract(m);
  RC_ASSERT(also_zero.has_value());
  RC_ASSERT(*also_zero == Money(0, currency));

  // A ledger of entries, then the reversal of each in another order: nothing
  // is left.
  const auto entries = *rc::gen::container<std::vector<int64_t>>(
      rc::gen::inRange<int64_t>(-10000000000000000, 10000000000000001));
  std::vector<int64_t> reversals = entries;
  std::reverse(reversals.begin(), reversals.end());
  Money balance(0, currency);
  for (int64_t e : entries) balance = *balance.Add(Money(e, currency));
  for (int64_t e : reversals) {
    const Result<Money> next = balance.Add(Money(e, currency).Negated());
    RC_ASSERT(next.has_value());
    balance = *next;
  }
  RC_ASSERT(balance == Money(0, currency));
}

// The exact rational value of amount / rate in cents, rounded half to even by
// the reference, or nullopt when it does not fit in int64. Deliberately not
// the implementation's formula: no cancellation of powers of ten.
std::optional<int64_t> ReferenceCents(int64_t minor, int exponent, int64_t mantissa, int scale) {
  const Int128 numerator = static_cast<Int128>(minor) * Pow10(2 + scale);
  const Int128 denominator = static_cast<Int128>(mantissa) * Pow10(exponent);
  const Int128 cents = ReferenceRoundHalfEven(numerator, denominator);
  if (cents < kMin || cents > kMax) return std::nullopt;
  return static_cast<int64_t>(cents);
}

RC_GTEST_PROP(MoneyProperty, ConversionMatchesTheExactRationalReference, ()) {
  const CurrencyCode currency(*GenCode());
  const int64_t minor = *GenMinor();
  const GeneratedRate generated = *GenRate();
  const Result<Rate> rate = Rate::Parse(generated.text);
  RC_ASSERT(rate.has_value());
  const Result<int64_t> cents = ToUsdCents(Money(minor, currency), *rate);
  const std::optional<int64_t> expected =
      ReferenceCents(minor, currency.exponent(), generated.mantissa, generated.scale);
  if (expected) {
    RC_ASSERT(cents.has_value());
    RC_ASSERT(*cents == *expected);
  } else {
    RC_ASSERT(!cents.has_value());
    RC_ASSERT(cents.error().code == ErrorCode::kOverflow);
  }
}

RC_GTEST_PROP(MoneyProperty, ExactTiesGoToTheEvenCent, ()) {
  // Amounts that are exactly k + 1/2 cents: USD at 2, JPY at 200, KWD at 1.
  const int64_t k = *rc::gen::inRange<int64_t>(-1000000000000, 1000000000000);
  struct Setup {
    const char* currency;
    const char* rate;
    int64_t minor;
  };
  const Setup setups[] = {{"USD", "2", 2 * k + 1}, {"JPY", "200", 2 * k + 1},
                          {"KWD", "1", 10 * k + 5}, {"CLF", "1", 100 * k + 50}};
  for (const Setup& s : setups) {
    const Result<int64_t> cents =
        ToUsdCents(Money(s.minor, CurrencyCode(s.currency)), *Rate::Parse(s.rate));
    RC_ASSERT(cents.has_value());
    RC_ASSERT(*cents % 2 == 0);
    RC_ASSERT(*cents == k || *cents == k + 1);
  }
}

// Overflow counts as beyond every cent value, on the side of the amount's sign.
Int128 OrderKey(const Result<int64_t>& cents, int64_t minor) {
  if (cents) return *cents;
  return minor < 0 ? -(static_cast<Int128>(1) << 100) : (static_cast<Int128>(1) << 100);
}

RC_GTEST_PROP(MoneyProperty, ConversionIsMonotonic, ()) {
  const CurrencyCode currency(*GenCode());
  int64_t a = *GenMinor();
  // Sometimes far apart, sometimes neighbours (where rounding bites).
  int64_t b = *rc::gen::oneOf(
      GenMinor(), rc::gen::map(rc::gen::inRange<int64_t>(0, 3),
                               [a](int64_t d) { return a > kMax - 3 ? a : a + d; }));
  if (a > b) std::swap(a, b);
  const GeneratedRate generated = *GenRate();
  const Rate rate = *Rate::Parse(generated.text);
  const Result<int64_t> ca = ToUsdCents(Money(a, currency), rate);
  const Result<int64_t> cb = ToUsdCents(Money(b, currency), rate);
  RC_ASSERT(OrderKey(ca, a) <= OrderKey(cb, b));
}

RC_GTEST_PROP(MoneyProperty, RateRoundTrips, ()) {
  const GeneratedRate generated = *GenRate();
  const Result<Rate> rate = Rate::Parse(generated.text);
  RC_ASSERT(rate.has_value());
  const Result<Rate> back = Rate::Parse(rate->ToDecimalString());
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == *rate);
}

RC_GTEST_PROP(MoneyProperty, UsdCentsRoundTrip, ()) {
  int64_t cents = *GenMinor();
  if (cents < 0) cents = cents == kMin ? kMax : -cents;
  RC_ASSERT(FormatUsdCents(cents) == ReferenceFormat(cents, 2));
  const Result<int64_t> back = ParseUsdCents(FormatUsdCents(cents));
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == cents);
}

RC_GTEST_PROP(MoneyProperty, MulDivMatchesTheReference, ()) {
  const int64_t value = *GenMinor();
  const int64_t numerator = *rc::gen::oneOf(rc::gen::inRange<int64_t>(-1000000, 1000001),
                                            rc::gen::arbitrary<int64_t>());
  const int64_t denominator = *rc::gen::oneOf(rc::gen::inRange<int64_t>(1, 1000001),
                                              rc::gen::inRange<int64_t>(1, kMax),
                                              rc::gen::element<int64_t>(2, 4, 8, 10, 100));
  const Int128 exact = static_cast<Int128>(value) * numerator;
  // The reference's 2 * r needs r < 2^126; with |exact| <= 2^126 and
  // denominator < 2^63 the remainder is far smaller.
  const Int128 expected = ReferenceRoundHalfEven(exact, denominator);
  const Result<int64_t> r = MulDivHalfEven(value, numerator, denominator);
  if (expected >= kMin && expected <= kMax) {
    RC_ASSERT(r.has_value());
    RC_ASSERT(*r == static_cast<int64_t>(expected));
  } else {
    RC_ASSERT(!r.has_value());
    RC_ASSERT(r.error().code == ErrorCode::kOverflow);
  }
}

}  // namespace
}  // namespace rmis::money
