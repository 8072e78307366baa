// Hostile servers over loopback: for each, the result the user sees, within bounded time and
// memory, and no file descriptor left open.

#include <dirent.h>
#include <filesystem>
#include <mutex>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "probe_helpers.hpp"
#include "report_fixtures.hpp"

using namespace stp;
using lab::Scenario;
using probe::Failure;
using probe::Phase;

namespace {

std::size_t open_fds() {
  std::size_t count = 0;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    while (::readdir(dir) != nullptr) ++count;
    ::closedir(dir);
  }
  return count;
}

// The lab closes its side a moment after the probe closes its own: wait for that, briefly.
bool fds_back_to(std::size_t before) {
  for (int i = 0; i < 300 && open_fds() > before; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return open_fds() <= before;
}

struct Outcome {
  probe::Evidence evidence;
  long rss_growth_kib;
  bool fds_released;
};

Outcome probe_hostile(lab::Lab& lab, Scenario scenario, probe::ScanSettings settings = test::quick_settings()) {
  const auto& endpoint = lab.add(scenario);
  auto fds = open_fds();
  auto rss = test::resident_kib();
  auto ev = test::scan_one(endpoint, settings);
  long growth = test::resident_kib() - rss;
  return {std::move(ev), growth, fds_back_to(fds)};
}

}  // namespace

TEST_CASE("one enormous line: a protocol error at the line bound, memory flat", "[probe][hostile]") {
  lab::Lab lab;
  auto o = probe_hostile(lab, Scenario::enormous_line);
  CHECK(o.evidence.failure == Failure::protocol_error);
  CHECK(o.evidence.failure_phase == Phase::greeting);
  CHECK_THAT(o.evidence.failure_detail, Catch::Contains("longer than 4096 bytes"));
  if (test::measures_memory) CHECK(o.rss_growth_kib < 8192);
  CHECK(o.fds_released);
}

TEST_CASE("endless lines: a protocol error at the line-count bound, fds released", "[probe][hostile]") {
  lab::Lab lab;
  auto o = probe_hostile(lab, Scenario::endless_lines);
  CHECK(o.evidence.failure == Failure::protocol_error);
  if (test::measures_memory) CHECK(o.rss_growth_kib < 8192);
  CHECK(o.fds_released);
}

TEST_CASE("a reply whose code changes midway is a protocol error", "[probe][hostile]") {
  lab::Lab lab;
  auto o = probe_hostile(lab, Scenario::code_change);
  CHECK(o.evidence.failure == Failure::protocol_error);
  CHECK(o.evidence.failure_phase == Phase::ehlo);
  CHECK_THAT(o.evidence.failure_detail, Catch::Contains("changed from 250 to 550"));
  CHECK(o.fds_released);
}

TEST_CASE("replies split byte by byte are read whole", "[probe][hostile]") {
  lab::Lab lab;
  auto o = probe_hostile(lab, Scenario::byte_by_byte);
  CHECK(o.evidence.failure == Failure::none);
  CHECK(o.evidence.smtp.greeting.size() == 1);
  CHECK(o.evidence.smtp.starttls_offered);
  CHECK(o.evidence.tls.established);
  CHECK(o.fds_released);
}

TEST_CASE("NUL, control characters and invalid UTF-8 in the greeting are kept as evidence", "[probe][hostile]") {
  lab::Lab lab;
  auto o = probe_hostile(lab, Scenario::control_characters);
  REQUIRE(o.evidence.smtp.greeting.size() == 1);
  const auto& greeting = o.evidence.smtp.greeting[0];
  CHECK(greeting.find('\0') != std::string::npos);
  CHECK(greeting.find('\xff') != std::string::npos);
  CHECK(o.evidence.tls.established);
  CHECK(o.fds_released);
}

TEST_CASE("a reset during the handshake is a failed handshake, retried as transient", "[probe][hostile]") {
  lab::Lab lab;
  auto settings = test::quick_settings();
  settings.probe.retries = 1;
  settings.probe.retry_backoff = std::chrono::milliseconds(20);
  auto o = probe_hostile(lab, Scenario::reset_in_handshake, settings);
  CHECK(o.evidence.failure == Failure::handshake_failed);
  CHECK(o.evidence.tls.attempted);
  CHECK_FALSE(o.evidence.tls.established);
  CHECK(o.evidence.attempts == 2);
  CHECK(o.fds_released);
}

TEST_CASE("a TLS record flood after the handshake ends at the reply bound", "[probe][hostile]") {
  lab::Lab lab;
  auto o = probe_hostile(lab, Scenario::tls_record_flood);
  CHECK(o.evidence.tls.established);
  CHECK(o.evidence.smtp.ehlo_after_tls_failed);  // a warning: the chain was captured before the flood
  CHECK_FALSE(o.evidence.tls.chain_der.empty());
  if (test::measures_memory) CHECK(o.rss_growth_kib < 8192);
  CHECK(o.fds_released);
}

TEST_CASE("a server that never answers QUIT or closes: the probe leaves by itself", "[probe][hostile]") {
  lab::Lab lab;
  auto o = probe_hostile(lab, Scenario::never_closes);
  CHECK(o.evidence.failure == Failure::none);
  CHECK(o.evidence.tls.established);
  CHECK(o.evidence.timings.total < 10000);  // the QUIT wait is short (3 s), never --timeout (5 s here)
  CHECK(o.fds_released);
}

TEST_CASE("10,000 connections held open by one slow server: all finish, no fd left", "[probe][hostile][slow]") {
  // The server side runs in its own process (the fleet), so that each process stays under its
  // open-file limit: 10,000 sockets here, 10,000 there.
  std::string dir = "/tmp/starttls-probe-10k-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  int to_fleet[2], from_fleet[2];
  REQUIRE(::pipe(to_fleet) == 0);
  REQUIRE(::pipe(from_fleet) == 0);
  pid_t fleet = ::fork();
  if (fleet == 0) {
    ::dup2(to_fleet[0], STDIN_FILENO);
    ::dup2(from_fleet[1], STDOUT_FILENO);
    ::close(to_fleet[1]);  // or the fleet would hold its own input open and never see it close
    ::close(from_fleet[0]);
    ::execl(STARTTLS_PROBE_FLEET_BIN, STARTTLS_PROBE_FLEET_BIN, "--healthy", "1", "--repeat", "10000", "--slow-ms",
            "1000", "--seconds", "120", "--targets-file", (dir + "/t.txt").c_str(), "--ca-file",
            (dir + "/ca.pem").c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(to_fleet[0]);
  ::close(from_fleet[1]);
  char c = 0;
  std::string ready;
  while (::read(from_fleet[0], &c, 1) == 1 && c != '\n') ready += c;
  ::close(from_fleet[0]);
  REQUIRE(ready.rfind("ready", 0) == 0);

  std::string warning;
  REQUIRE(probe::fit_open_file_limit(10000, warning) == 10000);
  auto settings = test::quick_settings();
  settings.concurrency = 10000;
  settings.per_host = 0;
  settings.probe.reply_timeout = std::chrono::seconds(60);
  settings.probe.deadline = std::chrono::seconds(100);
  // 10,000 connects at once overflow the listener's SYN queue; the kernel's retransmitted SYNs
  // come after 1 s and 3 s, later still when other tests share the cores: nothing here is timed.
  settings.probe.connect_timeout = std::chrono::seconds(30);
  auto fds = open_fds();
  probe::TargetSource source({}, dir + "/t.txt", std::nullopt);
  std::size_t results = 0, ok = 0;
  std::mutex mutex;
  probe::run_scan(source, settings, [&](probe::Evidence&& ev) {
    std::lock_guard lock(mutex);
    ++results;
    ok += ev.failure == Failure::none && ev.tls.established;
  });
  ::close(to_fleet[1]);  // the fleet stops when its input closes
  int status = 0;
  ::waitpid(fleet, &status, 0);
  std::filesystem::remove_all(dir);
  CHECK(results == 10000);
  CHECK(ok == 10000);
  CHECK(open_fds() == fds);  // every socket of ours closed
}
