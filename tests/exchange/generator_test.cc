// `rmis generate`: the same seed gives the same bytes, and what it writes is a
// dataset that rmis imports without a single problem.
#include "exchange/generate/generator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "exchange/csv/dataset_reader.h"
#include "support/test_support.h"

namespace rmis::exchange {
namespace {

TEST(Generator, SameSeedSameBytesOtherSeedOtherBytes) {
  testing::TempDir dir;
  GenerateOptions options;
  options.entries = 5000;
  options.donors = 300;
  options.seed = 42;
  ASSERT_TRUE(GenerateDataset(options, dir.File("a")));
  ASSERT_TRUE(GenerateDataset(options, dir.File("b")));
  options.seed = 43;
  ASSERT_TRUE(GenerateDataset(options, dir.File("c")));
  for (const char* file : {"donors.csv", "rates.csv", "entries.csv", "targets.csv"}) {
    EXPECT_EQ(testing::ReadFile(dir.path() / "a" / file), testing::ReadFile(dir.path() / "b" / file)) << file;
  }
  EXPECT_NE(testing::ReadFile(dir.path() / "a" / "entries.csv"), testing::ReadFile(dir.path() / "c" / "entries.csv"));
}

TEST(Generator, WritesADatasetThatImportsCleanly) {
  testing::TempDir dir;
  GenerateOptions options;
  options.entries = 20000;
  options.donors = 500;
  auto summary = GenerateDataset(options, dir.File("data"));
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->entries, 20000);
  EXPECT_GT(summary->pledges, 0);
  EXPECT_GT(summary->write_offs, 0);
  EXPECT_GT(summary->reversals, 0);
  EXPECT_GT(summary->expected, 0);
  std::string db = dir.File("store.db");
  ASSERT_EQ(testing::RunRmis({"init", "--db", db}).exit_code, 0);
  testing::CommandResult result = testing::RunRmis({"import", "--db", db, dir.File("data")});
  ASSERT_EQ(result.exit_code, 0) << result.err.substr(0, 2000);
  EXPECT_THAT(result.out, ::testing::HasSubstr("(20000 entries)"));
}

TEST(Generator, RefusesTooFewDonors) {
  testing::TempDir dir;
  GenerateOptions options;
  options.donors = 10;
  auto summary = GenerateDataset(options, dir.File("data"));
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace rmis::exchange
