#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "probe/key_decoding.hpp"

int main(int argc, char** argv) {
  // As starttls-probe's own main does, before any key exists: the tests run the decoding it uses.
  stp::probe::use_builtin_key_decoding();
  return Catch::Session().run(argc, argv);
}
