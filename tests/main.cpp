#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "keys/builtin_keys.hpp"
#include "skip.hpp"

int main(int argc, char** argv) {
  // As starttls-probe's own main does, before any key exists: the tests run the decoding it uses
  // (unless STARTTLS_PROBE_BUILTIN_KEYS=0, which CI also runs).
  stp::keys::use_builtin_key_decoding();
  Catch::Session session;
  if (int status = session.applyCommandLine(argc, argv); status != 0) return status;
  // A run whose filter matches no test fails (exit 2) instead of passing with nothing run: CTest
  // runs each test case by name, and a name CTest cut short would otherwise pass forever.
  auto& config = session.configData();
  config.warnings = static_cast<Catch::WarnAbout::What>(config.warnings | Catch::WarnAbout::NoTests);
  int failed = session.run();
  return failed == 0 && stp::test::skipped() ? stp::test::skip_exit_code : failed;
}
