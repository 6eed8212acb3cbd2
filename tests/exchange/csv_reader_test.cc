// RFC 4180 reading with line numbers and encoding checks.
#include "exchange/csv/csv_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/test_support.h"

namespace rmis::exchange {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Read {
  std::vector<std::pair<int64_t, std::vector<std::string>>> rows;
  std::vector<ledger::Problem> problems;
};

Read ReadText(std::string_view text) {
  Read read;
  ReadCsvText(
      text, "t.csv",
      [&](int64_t line, std::vector<std::string>& fields) {
        read.rows.emplace_back(line, fields);
        return true;
      },
      read.problems);
  return read;
}

TEST(CsvReader, ReadsQuotedFieldsAndKnowsTheirLines) {
  Read read = ReadText("a,b,c\n1,\"x, y\",\"he said \"\"hi\"\"\"\n2,\"two\nlines\",z\n3, spaced ,\n");
  ASSERT_TRUE(read.problems.empty());
  ASSERT_EQ(read.rows.size(), 4u);
  EXPECT_EQ(read.rows[1].first, 2);
  EXPECT_THAT(read.rows[1].second, ElementsAre("1", "x, y", "he said \"hi\""));
  EXPECT_EQ(read.rows[2].first, 3);
  EXPECT_THAT(read.rows[2].second, ElementsAre("2", "two\nlines", "z"));
  EXPECT_EQ(read.rows[3].first, 5);  // after the two-line record
  EXPECT_THAT(read.rows[3].second, ElementsAre("3", " spaced ", ""));
}

TEST(CsvReader, HandlesCrLfBomAndAMissingFinalNewline) {
  Read read = ReadText("\xEF\xBB\xBFid,name\r\n1,Ann\r\n2,Bob");
  ASSERT_TRUE(read.problems.empty());
  ASSERT_EQ(read.rows.size(), 3u);
  EXPECT_THAT(read.rows[0].second, ElementsAre("id", "name"));
  EXPECT_THAT(read.rows[2].second, ElementsAre("2", "Bob"));
  EXPECT_EQ(read.rows[2].first, 3);
}

TEST(CsvReader, SaysWhereAQuoteIsNeverClosed) {
  Read read = ReadText("a,b\n1,2\n3,\"open\n4,5\n");
  ASSERT_EQ(read.problems.size(), 1u);
  EXPECT_EQ(read.problems[0].line, 3);
  EXPECT_THAT(read.problems[0].message, HasSubstr("never closed"));
}

TEST(CsvReader, RefusesAStrayQuote) {
  Read read = ReadText("a,b\n1,ab\"c\n");
  ASSERT_EQ(read.problems.size(), 1u);
  EXPECT_EQ(read.problems[0].line, 2);
  EXPECT_THAT(read.problems[0].message, HasSubstr("malformed CSV"));
}

TEST(CsvReader, RefusesBytesThatAreNotUtf8) {
  Read read = ReadText("a,b\n1,caf\xE9\n2,caf\xC3\xA9\n");
  ASSERT_EQ(read.problems.size(), 1u);
  EXPECT_EQ(read.problems[0].line, 2);
  EXPECT_THAT(read.problems[0].message, HasSubstr("not UTF-8"));
  ASSERT_EQ(read.rows.size(), 2u);  // the bad row is not passed on
  EXPECT_THAT(read.rows[1].second, ElementsAre("2", "caf\xC3\xA9"));
}

TEST(CsvReader, ReadsAFileLargerThanItsBuffer) {
  testing::TempDir dir;
  std::string text = "id,amount\n";
  for (int i = 0; i < 100000; ++i) text += std::to_string(i) + ",\"" + std::to_string(i * 7) + ".5\"\n";
  testing::WriteFile(dir.File("big.csv"), text);
  std::vector<ledger::Problem> problems;
  int64_t last_line = 0;
  std::string last_amount;
  int64_t rows = ReadCsvFile(
      dir.File("big.csv"), "big.csv",
      [&](int64_t line, std::vector<std::string>& fields) {
        last_line = line;
        last_amount = fields[1];
        return true;
      },
      problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(rows, 100001);
  EXPECT_EQ(last_line, 100001);
  EXPECT_EQ(last_amount, "699993.5");
}

TEST(CsvEscape, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(CsvEscape("plain"), "plain");
  EXPECT_EQ(CsvEscape("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvEscape("say \"x\""), "\"say \"\"x\"\"\"");
}

}  // namespace
}  // namespace rmis::exchange
