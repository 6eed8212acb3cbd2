// base::RadixSort: the same order as std::stable_sort, whatever the keys span.
#include "base/radix_sort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace rmis::base {
namespace {

struct Record {
  int32_t key;
  int32_t order;  // where it was before sorting, to see stability
  bool operator==(const Record&) const = default;
};

TEST(RadixSort, SortsStablyLikeStdStableSort) {
  std::mt19937 random(7);
  // Spans of one digit, two, three (keys up to 2^31 - 1), all equal, none.
  for (int32_t span : {0, 1, 9, 4095, 4096, 100000, 16777215, 2147483647}) {
    for (size_t size : {0, 1, 2, 1000, 50000}) {
      std::vector<Record> records(size);
      for (size_t i = 0; i < size; ++i) {
        const int32_t key = span == 0 ? 5 : static_cast<int32_t>(random() % (static_cast<uint32_t>(span) + 1));
        records[i] = Record{key, static_cast<int32_t>(i)};
      }
      std::vector<Record> expected = records;
      std::stable_sort(expected.begin(), expected.end(),
                       [](const Record& a, const Record& b) { return a.key < b.key; });
      RadixSort(records, [](const Record& r) { return r.key; });
      EXPECT_EQ(records, expected) << "span " << span << ", " << size << " records";
    }
  }
}

TEST(RadixSort, KeysFarFromZeroSortByTheirDifferences) {
  std::vector<Record> records{{2000000003, 0}, {2000000001, 1}, {2000000002, 2}, {2000000001, 3}};
  RadixSort(records, [](const Record& r) { return r.key; });
  EXPECT_EQ(records, (std::vector<Record>{{2000000001, 1}, {2000000001, 3}, {2000000002, 2}, {2000000003, 0}}));
}

}  // namespace
}  // namespace rmis::base
