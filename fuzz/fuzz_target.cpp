// One libFuzzer executable per check: FUZZ_CHECK names the function of fuzz/checks.hpp.
#include "fuzz/checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  stp::fuzz::FUZZ_CHECK(data, size);
  return 0;
}
