#include <set>

#include <catch2/catch.hpp>

#include "probe_helpers.hpp"

using namespace stp;

TEST_CASE("200 lab endpoints probed at --concurrency 50 give exactly 200 results", "[probe][lab][scale]") {
  lab::Lab lab;
  std::vector<probe::Target> targets;
  // On 200 loopback addresses, so that --per-host (2 per address) does not cap the 50.
  for (int i = 0; i < 200; ++i)
    targets.push_back(test::target_of(lab.add(lab::Scenario::healthy, "127.0.2." + std::to_string(i + 1))));
  auto settings = test::quick_settings();
  settings.concurrency = 50;
  auto results = test::scan(targets, settings);
  REQUIRE(results.size() == 200);
  std::set<std::string> targets_seen;
  for (const auto& ev : results) {
    CHECK(ev.failure == probe::Failure::none);
    CHECK(ev.tls.established);
    targets_seen.insert(ev.target.text);
  }
  CHECK(targets_seen.size() == 200);  // each endpoint once
  for (std::size_t i = 0; i < 200; ++i) CHECK(lab.stats(i).connections == 1);
}
