#include <filesystem>

#include <catch2/catch.hpp>
#include <unistd.h>

#include "probe_helpers.hpp"
#include "report/chain_files.hpp"
#include "report_fixtures.hpp"

using namespace stp;

TEST_CASE("save-chains writes the presented chain as PEM to DIR/<host>_<port>.pem", "[report][lab]") {
  std::string dir = "/tmp/starttls-probe-chains-" + std::to_string(::getpid()) + "/nested";
  report::prepare_chain_directory(dir);
  lab::Lab lab;
  const auto& endpoint = lab.add(lab::Scenario::healthy);
  auto ev = test::scan_one(endpoint);
  auto assessment = tls::assess(ev, {}, test::fixed_now);
  auto saved = report::save_chain(dir, ev, assessment);
  CHECK(saved.error.empty());
  std::string path = saved.path;
  CHECK(path == dir + "/127.0.0.1_" + std::to_string(endpoint.port) + ".pem");
  // The file holds the chain as presented, leaf first: read it back like inspect does.
  CHECK(tls::read_certificate_file(path, std::nullopt) == endpoint.chain_der);

  auto no_tls = test::scan_one(lab.add(lab::Scenario::no_starttls));
  auto nothing = report::save_chain(dir, no_tls, tls::assess(no_tls, {}, test::fixed_now));
  CHECK(nothing.path.empty());
  CHECK(nothing.error.empty());
  std::filesystem::remove_all(std::filesystem::path(dir).parent_path());
  CHECK_THROWS(report::prepare_chain_directory("/proc/no-such-place/chains"));
}
