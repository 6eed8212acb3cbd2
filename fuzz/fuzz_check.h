// A check inside a fuzz target (issue 6): a property that must hold for every
// input. When it does not, the input is printed to stderr and the process
// aborts, which libFuzzer reports as a crash and the replay test (tests/fuzz)
// as a failure.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#define RMIS_FUZZ_CHECK(condition, what)                                                   \
  do {                                                                                     \
    if (!(condition)) {                                                                    \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s (%s)\n", __FILE__, __LINE__,      \
                   #condition, std::string(what).c_str());                                 \
      std::abort();                                                                        \
    }                                                                                      \
  } while (false)
