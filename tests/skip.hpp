#pragma once
// Catch2 v2 has no "skipped": a test case that cannot run here calls skip(), tests/main.cpp then
// exits with skip_exit_code, and CTest (SKIP_RETURN_CODE) reports the test as skipped, not passed.

#include <catch2/catch.hpp>

namespace stp::test {

constexpr int skip_exit_code = 77;

inline bool& skipped() {
  static bool flag = false;
  return flag;
}

// Says why in the output and marks the run skipped; the caller returns.
#define STP_SKIP(why)                  \
  do {                                 \
    WARN("skipped: " << why);          \
    ::stp::test::skipped() = true;     \
  } while (false)

}  // namespace stp::test
