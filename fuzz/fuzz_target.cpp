// One libFuzzer executable per check: FUZZ_CHECK names the function of fuzz/checks.hpp.
#include "fuzz/checks.hpp"
#include "keys/builtin_keys.hpp"

// Keys decoded the way starttls-probe decodes them (its main switches this on first thing).
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  stp::keys::use_builtin_key_decoding();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  stp::fuzz::FUZZ_CHECK(data, size);
  return 0;
}
