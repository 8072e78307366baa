// Every input in testdata/fuzz/<target>/ (seeds, and anything fuzzing once found) replayed through
// the same checks the fuzzers run: a fixed bug stays fixed.

#include <filesystem>

#include <catch2/catch.hpp>

#include "fuzz/checks.hpp"
#include "report_fixtures.hpp"

TEST_CASE("saved fuzz inputs pass their checks", "[fuzz]") {
  int replayed = 0;
  for (const char* name : {"reply", "target_line", "certificate", "certificate_file", "escape", "inventory", "dns_records"}) {
    auto check = stp::fuzz::check_named(name);
    REQUIRE(check != nullptr);
    for (const auto& entry : std::filesystem::directory_iterator(stp::test::testdata_path(std::string("fuzz/") + name))) {
      std::string bytes = stp::test::read_file(entry.path());
      INFO(entry.path());
      check(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());  // aborts on a violated property
      ++replayed;
    }
  }
  CHECK(replayed >= 10);
}
