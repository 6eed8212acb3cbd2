// Sorting many records by a non-negative 32-bit key (an entry's position),
// least significant digit first: the report sorts hundreds of thousands of
// these at a time, where std::sort took 20-30 ms on 250,000 and this takes
// a few (docs/performance.md).
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace rmis::base {

// Sorts `items` by key(item) (an int32_t, at least 0), stably, over the bits
// the keys span: at most 12 bits a digit (the counts stay in the first-level
// cache) and as few digits as will do (two for keys below 16 million).
template <typename T, typename Key>
void RadixSort(std::vector<T>& items, Key&& key) {
  if (items.size() < 2) return;
  int32_t low = key(items.front()), high = low;
  for (const T& item : items) {
    low = std::min(low, key(item));
    high = std::max(high, key(item));
  }
  const auto span = static_cast<uint32_t>(high - low);
  if (span == 0) return;
  const int bits = 32 - __builtin_clz(span);
  const int digits = (bits + 11) / 12;
  const int width = (bits + digits - 1) / digits;
  const uint32_t mask = (uint32_t{1} << width) - 1;
  std::vector<T> spare(items.size());
  std::vector<size_t> start(size_t{1} << width);
  for (int shift = 0; shift < bits; shift += width) {
    std::fill(start.begin(), start.end(), 0);
    auto digit = [&](const T& item) { return (static_cast<uint32_t>(key(item) - low) >> shift) & mask; };
    for (const T& item : items) ++start[digit(item)];
    size_t sum = 0;
    for (size_t& bucket : start) sum += std::exchange(bucket, sum);
    for (const T& item : items) spare[start[digit(item)]++] = item;
    items.swap(spare);
  }
}

}  // namespace rmis::base
