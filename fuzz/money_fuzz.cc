// Fuzz target (issue 6): money parsing and arithmetic (src/money/money.h) and
// probabilities (ledger::ParseProbability).
//
// Input: one byte that chooses the currency (AllCurrencies()[byte % count]),
// then text split at '|' into an amount, a rate and a second amount
// ("1234.50|0.9215|-7"). Every parser gets every part it can take.
//
// Besides memory errors and undefined behaviour it checks the money rules:
// what parses prints back to the same value, a sign is refused unless
// allowed, overflow is an error (kOverflow) and never a wrong number, and a
// sum minus what was added is what it was.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "ledger/types.h"
#include "money/money.h"

namespace {

using rmis::ErrorCode;
using rmis::money::Money;
using rmis::money::Rate;

std::vector<std::string_view> Split(std::string_view text) {
  std::vector<std::string_view> parts;
  while (parts.size() < 2) {
    size_t bar = text.find('|');
    if (bar == std::string_view::npos) break;
    parts.push_back(text.substr(0, bar));
    text.remove_prefix(bar + 1);
  }
  parts.push_back(text);
  while (parts.size() < 3) parts.push_back("");
  return parts;
}

std::optional<Money> ParseMoney(std::string_view text, std::string_view currency) {
  auto signed_money = Money::Parse(text, currency, /*allow_sign=*/true);
  auto unsigned_money = Money::Parse(text, currency, /*allow_sign=*/false);
  const bool has_sign = !text.empty() && (text[0] == '+' || text[0] == '-');
  // Without a sign both read the same; with one only the signed parse may succeed.
  if (has_sign) {
    RMIS_FUZZ_CHECK(!unsigned_money, "a sign was accepted: " + std::string(text));
  } else {
    RMIS_FUZZ_CHECK(signed_money.has_value() == unsigned_money.has_value(), std::string(text));
    if (signed_money) RMIS_FUZZ_CHECK(*signed_money == *unsigned_money, std::string(text));
  }
  if (!signed_money) {
    const ErrorCode code = signed_money.error().code;
    RMIS_FUZZ_CHECK(code == ErrorCode::kInvalidArgument || code == ErrorCode::kOverflow,
                    signed_money.error().message);
    RMIS_FUZZ_CHECK(!signed_money.error().message.empty(), std::string(text));
    return std::nullopt;
  }
  // Printed and parsed again: the same amount, with the currency's decimals.
  const std::string printed = signed_money->ToDecimalString();
  auto again = Money::Parse(printed, currency, /*allow_sign=*/true);
  RMIS_FUZZ_CHECK(again && *again == *signed_money, printed);
  const int exponent = signed_money->currency().exponent();
  const size_t dot = printed.find('.');
  RMIS_FUZZ_CHECK(exponent == 0 ? dot == std::string::npos
                                : dot != std::string::npos && printed.size() - dot - 1 ==
                                                                  static_cast<size_t>(exponent),
                  printed);
  RMIS_FUZZ_CHECK(signed_money->minor_units() != INT64_MIN, printed);
  return *signed_money;
}

std::optional<Rate> ParseRate(std::string_view text) {
  auto rate = Rate::Parse(text);
  if (!rate) {
    RMIS_FUZZ_CHECK(rate.error().code == ErrorCode::kInvalidArgument, rate.error().message);
    return std::nullopt;
  }
  RMIS_FUZZ_CHECK(rate->mantissa() > 0 && rate->scale() >= 0 && rate->scale() <= 12,
                  std::string(text));
  auto again = Rate::Parse(rate->ToDecimalString());
  RMIS_FUZZ_CHECK(again && *again == *rate, rate->ToDecimalString());
  return *rate;
}

void CheckConversion(const Money& amount, const std::optional<Rate>& rate) {
  auto cents = rmis::money::ToUsdCents(amount, rate);
  const bool is_usd = amount.currency().view() == "USD";
  if (!rate) {
    RMIS_FUZZ_CHECK(cents.has_value() == is_usd, amount.ToDecimalString());
    if (cents) RMIS_FUZZ_CHECK(*cents == amount.minor_units(), amount.ToDecimalString());
    return;
  }
  if (!cents) {
    RMIS_FUZZ_CHECK(cents.error().code == ErrorCode::kOverflow, cents.error().message);
    return;
  }
  // Rounding keeps the sign (or gives zero).
  RMIS_FUZZ_CHECK(amount.minor_units() >= 0 ? *cents >= 0 : *cents <= 0, amount.ToDecimalString());
  if (is_usd && rate->mantissa() == 1 && rate->scale() == 0) {
    RMIS_FUZZ_CHECK(*cents == amount.minor_units(), amount.ToDecimalString());
  }
}

void CheckSum(const Money& a, const Money& b) {
  auto sum = a.Add(b);
  __extension__ const __int128 exact = static_cast<__int128>(a.minor_units()) + b.minor_units();
  const bool fits = exact >= -INT64_MAX && exact <= INT64_MAX;
  RMIS_FUZZ_CHECK(sum.has_value() == fits, a.ToDecimalString() + " + " + b.ToDecimalString());
  if (!sum) {
    RMIS_FUZZ_CHECK(sum.error().code == ErrorCode::kOverflow, sum.error().message);
  } else {
    auto back = sum->Subtract(b);
    RMIS_FUZZ_CHECK(back && *back == a, sum->ToDecimalString());
  }
  auto difference = a.Subtract(b);
  if (difference) {
    auto back = difference->Add(b);
    RMIS_FUZZ_CHECK(back && *back == a, difference->ToDecimalString());
  }
}

void CheckUsdAndProbability(std::string_view text) {
  auto cents = rmis::money::ParseUsdCents(text);
  if (cents) {
    RMIS_FUZZ_CHECK(*cents >= 0, std::string(text));
    auto again = rmis::money::ParseUsdCents(rmis::money::FormatUsdCents(*cents));
    RMIS_FUZZ_CHECK(again && *again == *cents, rmis::money::FormatUsdCents(*cents));
  }
  auto ppm = rmis::ledger::ParseProbability(text);
  if (ppm) {
    RMIS_FUZZ_CHECK(*ppm >= 0 && *ppm <= 1000000, std::string(text));
    const std::string printed = rmis::ledger::FormatProbability(*ppm);
    auto again = rmis::ledger::ParseProbability(printed);
    RMIS_FUZZ_CHECK(again && *again == *ppm, printed);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto currencies = rmis::money::AllCurrencies();
  const std::string_view currency = currencies[data[0] % currencies.size()].code;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::vector<std::string_view> parts = Split(text);

  // A currency code is known exactly when Money::Parse takes it.
  if (text.size() <= 8) {
    const bool known = rmis::money::FindCurrency(text).has_value();
    RMIS_FUZZ_CHECK(Money::Parse("1", text).has_value() == known, std::string(text));
  }
  std::optional<Money> amount = ParseMoney(parts[0], currency);
  std::optional<Rate> rate = ParseRate(parts[1]);
  std::optional<Money> other = ParseMoney(parts[2], currency);
  if (amount) {
    CheckConversion(*amount, std::nullopt);
    if (rate) CheckConversion(*amount, rate);
    if (other) CheckSum(*amount, *other);
    if (other && other->minor_units() > 0 && rate) {
      auto scaled = rmis::money::MulDivHalfEven(amount->minor_units(), rate->mantissa(),
                                                other->minor_units());
      if (!scaled) RMIS_FUZZ_CHECK(scaled.error().code == ErrorCode::kOverflow, scaled.error().message);
    }
  }
  CheckUsdAndProbability(parts[0]);
  return 0;
}
