// Reading the dataset files: headers, shapes of fields, file names.
#include "exchange/csv/dataset_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/test_support.h"

namespace rmis::exchange {
namespace {

using ::testing::HasSubstr;

std::string AllProblems(const DatasetRead& read) {
  std::string text;
  for (const auto& p : read.problems) text += ledger::FormatProblem(p) + "\n";
  return text;
}

DatasetRead ReadOne(const std::string& file, const std::string& text) {
  DatasetRead read;
  ReadDatasetFileText(file, text, read);
  return read;
}

TEST(DatasetReader, ColumnsMayComeInAnyOrderAndOptionalOnesMayBeMissing) {
  DatasetRead read = ReadOne("entries.csv",
                             "value_date,currency,amount,fund,donor,kind,id\n"
                             "2021-03-01,JPY,1500,core,jpn,receipt,R1\n");
  ASSERT_TRUE(read.problems.empty()) << AllProblems(read);
  ASSERT_EQ(read.dataset.entries.size(), 1u);
  const ledger::Entry& e = read.dataset.entries[0].value;
  EXPECT_EQ(e.amount.minor_units(), 1500);
  EXPECT_EQ(e.attributed_year, 2021);
  EXPECT_EQ(e.recorded_at, ledger::StartOfDay(e.value_date));
  EXPECT_EQ(read.dataset.entries[0].where.line, 2);
}

TEST(DatasetReader, HeaderProblems) {
  DatasetRead read = ReadOne("funds.csv", "id,name,name,colour\n");
  std::string text = AllProblems(read);
  EXPECT_THAT(text, HasSubstr("funds.csv:1: name: column \"name\" appears twice"));
  EXPECT_THAT(text, HasSubstr("funds.csv:1: colour: unknown column"));
  EXPECT_THAT(text, HasSubstr("funds.csv:1: category: required column \"category\" is missing"));
}

TEST(DatasetReader, RowProblemsNameTheirField) {
  DatasetRead read = ReadOne("entries.csv",
                             "id,kind,donor,fund,amount,currency,value_date,probability,attributed_year\n"
                             "R1,gift,che,core,10,USD,2021-03-01,,\n"
                             "R2,expected,che,core,10,USD,2021-03-01,1.5,\n"
                             "R3,receipt,che,core,0,USD,2021-03-01,,\n"
                             "R 4,receipt,che,core,1,USD,2021-03-01,,20x1\n"
                             "R5,receipt,che,core,1,USD\n");
  std::string text = AllProblems(read);
  EXPECT_THAT(text, HasSubstr("entries.csv:2: kind: \"gift\" is not one of"));
  EXPECT_THAT(text, HasSubstr("entries.csv:3: probability: "));
  EXPECT_THAT(text, HasSubstr("entries.csv:4: amount: amount must be more than zero"));
  EXPECT_THAT(text, HasSubstr("entries.csv:5: id: \"R 4\" is not an identifier"));
  EXPECT_THAT(text, HasSubstr("entries.csv:5: attributed_year: \"20x1\" is not a year"));
  EXPECT_THAT(text, HasSubstr("entries.csv:6: the row has 6 fields but the header has 9"));
  EXPECT_TRUE(read.dataset.entries.empty());
}

TEST(DatasetReader, RequiredValuesMustBeGiven) {
  DatasetRead read = ReadOne("donors.csv", "id,name,type,country\nche,,member_state,CHE\n");
  EXPECT_THAT(AllProblems(read), HasSubstr("donors.csv:2: name: is required"));
}

TEST(DatasetReader, ADirectoryWithAMisspeltFileIsRefused) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("funds.csv"), "id,name,category\ncore,Core,core\n");
  testing::WriteFile(dir.File("entry.csv"), "id\n");
  DatasetRead read = ReadDatasetDirectory(dir.path().string());
  EXPECT_THAT(AllProblems(read), HasSubstr("entry.csv: not a file of the dataset format"));
  EXPECT_EQ(read.dataset.funds.size(), 1u);
}

TEST(DatasetReader, AnEmptyDirectoryIsAProblem) {
  testing::TempDir dir;
  DatasetRead read = ReadDatasetDirectory(dir.path().string());
  EXPECT_THAT(AllProblems(read), HasSubstr("holds none of the dataset's files"));
}

TEST(DatasetReader, TheSampleReadsCleanly) {
  DatasetRead read = ReadDatasetDirectory(testing::SampleDir().string());
  EXPECT_TRUE(read.problems.empty()) << AllProblems(read);
  EXPECT_EQ(read.files, 7);
  EXPECT_GT(read.dataset.entries.size(), 100u);
}

}  // namespace
}  // namespace rmis::exchange
