// How numbers, money, shares, dates and lists are written in a document's
// language, the way UN editors write them (issue 5, item 3).
//
// ICU does the formatting: digits, separators, plural forms, month names and
// list patterns come from CLDR through icu::number::NumberFormatter,
// icu::SimpleDateFormat and icu::ListFormatter. What is editorial, and so not
// in CLDR, is read from the language's message catalogue (`style.*` settings
// and `money.*` / `number.*` messages) and applied by one rule, written once
// here and in docs/documents.md ("Numbers"):
//
//   Money in running text. An amount of USD 100,000 or more is rounded half
//   up to the nearest USD 100,000 (one decimal of a million, the precision of
//   the source document) and written in the largest unit of
//   `style.money_scales` that it reaches (the smallest when it reaches none):
//   millions for most languages; 亿 (10^8) and 万 (10^4) for Chinese, so that
//   1.2 million is "120 万美元" and 109 million "1.09 亿美元". The number shows
//   only the decimals that this precision gives. Smaller amounts are written
//   in whole dollars. The words around the number (`money.scale.N`) are an
//   ICU MessageFormat with the number as {amount} and its value as {n} for
//   plural rules ("1,2 million de dollars", "41 millions de dollars").
//
//   Shares are whole per cent, rounded half up: ICU's percent format, or the
//   `number.percent` message where the editors spell it out ("12 per cent",
//   "12 процентов", "12 في المائة").
//
//   Separators: the locale's (`style.number_locale`, e.g. "ar@numbers=latn"
//   for the Western digits of UN Arabic documents), with the grouping and
//   decimal separators replaced where `style.grouping_separator` or
//   `style.decimal_separator` say so (Chinese "4 100", Arabic "1,2").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "documents/messages.h"
#include "ledger/types.h"

namespace rmis::documents {

class Formatter {
 public:
  // Builds the formatters for `catalog`'s language and style. Fails
  // (kCorrupt) when a style setting is malformed (naming the catalogue).
  static Result<Formatter> Create(const Catalog& catalog);
  Formatter(Formatter&&) noexcept;
  Formatter& operator=(Formatter&&) noexcept;
  ~Formatter();

  // An amount in running text (see the rule above).
  std::string Money(int64_t cents) const;
  // A share (a fraction, 0.12 for 12 %) as a whole per cent; "–" when unknown.
  std::string Percent(const std::optional<double>& share) const;
  // A plain number with at most `max_fraction` decimals (chart axes).
  std::string Decimal(double value, int max_fraction) const;
  // A count ("64", "14 000").
  std::string Integer(int64_t value) const;
  // A day ("2021 年 6 月 30 日", "30 June 2021") and a month ("2021 年 6 月").
  std::string Day(ledger::Date date) const;
  std::string Month(int32_t month_index) const;
  // A month's short name for a chart axis ("6月", "Jun").
  std::string MonthShort(int32_t month_index) const;
  // "A, B and C" in the language (icu::ListFormatter).
  std::string List(const std::vector<std::string>& items) const;
  // The ICU locale id numbers are formatted in.
  const std::string& locale() const { return locale_id_; }

 private:
  struct Impl;
  explicit Formatter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string locale_id_;
};

}  // namespace rmis::documents
