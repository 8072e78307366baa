// The scheduler: --per-host, --rate, --retries, -4/-6, --all-addresses, --resolve, --shard,
// streaming, and a slow endpoint that must not hold up the others.

#include <fstream>
#include <set>

#include <catch2/catch.hpp>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "probe_helpers.hpp"

using namespace stp;
using lab::Scenario;
using probe::Failure;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<probe::Target> repeat(const lab::EndpointInfo& endpoint, int times) {
  std::vector<probe::Target> targets;
  for (int i = 0; i < times; ++i) targets.push_back(test::target_of(endpoint));
  return targets;
}

}  // namespace

TEST_CASE("per-host: never more connections to one address than allowed", "[probe][scheduler]") {
  lab::Lab::Options options;
  options.greeting_pause = std::chrono::milliseconds(150);  // each probe holds its connection a while
  for (std::size_t per_host : {1u, 2u, 5u}) {
    lab::Lab fresh(options);
    const auto& one = fresh.add(Scenario::slow_multiline_greeting);
    auto settings = test::quick_settings();
    settings.concurrency = 20;
    settings.per_host = per_host;
    auto results = test::scan(repeat(one, 12), settings);
    REQUIRE(results.size() == 12);
    INFO("per-host " << per_host);
    CHECK(fresh.stats(0).max_concurrent == per_host);  // reached, never exceeded
    for (const auto& ev : results) CHECK(ev.failure == Failure::none);
  }
}

TEST_CASE("rate: new connections never come faster than --rate", "[probe][scheduler]") {
  lab::Lab lab;
  const auto& endpoint = lab.add(Scenario::healthy);
  auto settings = test::quick_settings();
  settings.concurrency = 16;
  settings.per_host = 0;
  settings.rate = 20;  // one every 50 ms
  auto results = test::scan(repeat(endpoint, 16), settings);
  REQUIRE(results.size() == 16);
  auto accepted = lab.stats(0).accepted;
  REQUIRE(accepted.size() == 16);
  std::sort(accepted.begin(), accepted.end());
  // In any window of 0.5 s at most 10 + 1 connections arrive (the +1 for a window's two edges).
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    std::size_t in_window = 0;
    for (std::size_t j = i; j < accepted.size() && accepted[j] - accepted[i] < std::chrono::milliseconds(500); ++j)
      ++in_window;
    CHECK(in_window <= 11);
  }
  // And the whole run spread over at least 15 intervals of 50 ms (minus scheduling slack).
  CHECK(accepted.back() - accepted.front() >= std::chrono::milliseconds(650));
}

TEST_CASE("retries: a refused connection, a 421 and a reset are tried again with backoff", "[probe][scheduler]") {
  lab::Lab lab;
  const auto& busy = lab.add(Scenario::busy);
  const auto& reset = lab.add(Scenario::reset_after_ehlo);
  auto settings = test::quick_settings();
  settings.probe.retries = 2;
  settings.probe.retry_backoff = std::chrono::milliseconds(50);
  auto results = test::scan({test::target_of(busy), test::target_of(reset)}, settings);
  CHECK(results[0].failure == Failure::greeting_rejected);
  CHECK(results[0].attempts == 3);
  CHECK(lab.stats(0).connections == 3);
  CHECK(results[1].failure == Failure::protocol_error);
  CHECK(results[1].attempts == 3);
  CHECK(lab.stats(1).connections == 3);
  // Backoff: 50 ms, then 100 ms between the attempts.
  auto accepted = lab.stats(0).accepted;
  CHECK(accepted[1] - accepted[0] >= std::chrono::milliseconds(50));
  CHECK(accepted[2] - accepted[1] >= std::chrono::milliseconds(100));

  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  auto closed = acceptor.local_endpoint().port();
  acceptor.close();
  auto refused = test::scan({probe::parse_target("127.0.0.1:" + std::to_string(closed))}, settings).at(0);
  CHECK(refused.failure == Failure::connect);
  CHECK(refused.attempts == 3);
}

TEST_CASE("retries: not for answers that will not change, and never past the deadline", "[probe][scheduler]") {
  lab::Lab lab;
  const auto& rejecting = lab.add(Scenario::greeting_rejected);
  const auto& no_tls = lab.add(Scenario::starttls_rejected);
  const auto& busy = lab.add(Scenario::busy);
  auto settings = test::quick_settings();
  settings.probe.retries = 3;
  settings.probe.retry_backoff = std::chrono::milliseconds(20);
  auto results = test::scan({test::target_of(rejecting), test::target_of(no_tls)}, settings);
  CHECK(results[0].attempts == 1);  // 554: permanent
  CHECK(lab.stats(0).connections == 1);
  CHECK(results[1].attempts == 1);  // 454 to STARTTLS: an answer
  CHECK(lab.stats(1).connections == 1);

  settings.probe.retries = 10;
  settings.probe.retry_backoff = std::chrono::milliseconds(150);
  settings.probe.deadline = std::chrono::milliseconds(600);
  auto limited = test::scan({test::target_of(busy)}, settings).at(0);
  auto accepted = lab.stats(2).accepted;
  CHECK(limited.attempts < 11);
  CHECK(accepted.size() == static_cast<std::size_t>(limited.attempts));
  CHECK(accepted.back() - accepted.front() < std::chrono::milliseconds(600));  // no attempt after the deadline
}

TEST_CASE("all-addresses gives one result per address, and --resolve and -4/-6 choose them", "[probe][scheduler]") {
  lab::Lab lab;
  const auto& first = lab.add(Scenario::healthy, "127.0.0.1");
  const auto& second = lab.add(Scenario::exchange_default, "127.0.0.2", first.port);
  auto target = probe::parse_target("mail.contoso.test:" + std::to_string(first.port));
  auto settings = test::quick_settings();
  settings.probe.static_hosts["mail.contoso.test"] = {"127.0.0.1", "127.0.0.2", "::1"};

  // Default: the first address that accepts.
  settings.probe.family = probe::Family::v4;
  auto one = test::scan({target}, settings);
  REQUIRE(one.size() == 1);
  CHECK(one[0].address == "127.0.0.1");
  CHECK(one[0].checked_fqdn == "mail.contoso.test");  // the name, not the address
  CHECK(one[0].tls.sni == "mail.contoso.test");

  settings.probe.all_addresses = true;
  auto both = test::scan({target}, settings);
  REQUIRE(both.size() == 2);
  std::set<std::string> addresses;
  for (const auto& ev : both) addresses.insert(*ev.address);
  CHECK(addresses == std::set<std::string>{"127.0.0.1", "127.0.0.2"});
  CHECK(lab.stats(1).connections == 1);  // the second address was probed too
  (void)second;

  settings.probe.family = probe::Family::v6;
  settings.probe.static_hosts["mail.contoso.test"] = {"127.0.0.1"};
  auto none = test::scan({target}, settings).at(0);
  CHECK(none.failure == Failure::dns);
  auto literal = test::scan({probe::parse_target("127.0.0.1:" + std::to_string(first.port))}, settings).at(0);
  CHECK(literal.failure == Failure::dns);
  CHECK_THAT(literal.failure_detail, Catch::Contains("not an IPv6 address"));
}

TEST_CASE("shard K/N: the shards together give every target exactly once", "[probe][scheduler]") {
  std::string path = "/tmp/starttls-probe-shard-" + std::to_string(::getpid()) + ".txt";
  {
    std::ofstream file(path);
    for (int i = 0; i < 23; ++i) file << "mx" << i << ".contoso.test\n" << (i % 5 == 0 ? "# comment\n\n" : "");
  }
  std::multiset<std::size_t> seen;
  std::size_t counted = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    probe::TargetSource source(probe::TargetSource::parse_arguments({"a.contoso.test", "b.contoso.test"}), path,
                               std::nullopt);
    source.set_shard(k, 4);
    counted += source.check();
    while (auto t = source.next()) {
      CHECK(t->position % 4 == k);
      seen.insert(t->position);
    }
  }
  std::remove(path.c_str());
  CHECK(counted == 25);
  CHECK(seen.size() == 25);
  CHECK(std::set<std::size_t>(seen.begin(), seen.end()).size() == 25);  // no target twice
  CHECK(*seen.rbegin() == 24);
  probe::TargetSource bad({}, std::nullopt, std::nullopt);
  CHECK_THROWS_AS(bad.set_shard(4, 4), probe::InputError);
  CHECK_THROWS_AS(bad.set_shard(0, 0), probe::InputError);
}

TEST_CASE("a 200,000-line target list streams with flat memory", "[probe][scheduler]") {
  std::string path = "/tmp/starttls-probe-big-" + std::to_string(::getpid()) + ".txt";
  {
    std::ofstream file(path);
    for (int i = 0; i < 200000; ++i)
      file << "mx" << i << ".mail.contoso.test:25 fqdn=mail" << i << ".contoso.test connector=\"Connector number " << i
           << "\"\n";
  }
  probe::TargetSource source({}, path, std::nullopt);
  long before = test::resident_kib();
  CHECK(source.check() == 200000);
  std::size_t count = 0;
  long peak = before;
  while (auto target = source.next()) {
    if (++count % 10000 == 0) peak = std::max(peak, test::resident_kib());
  }
  std::remove(path.c_str());
  CHECK(count == 200000);
  // Holding the list would take well over 40 MB (200,000 targets of ~200 bytes); streaming stays flat.
  INFO("resident before " << before << " KiB, peak " << peak << " KiB");
  if (test::measures_memory) CHECK(peak - before < 4096);
}

TEST_CASE("a silent endpoint among fast ones does not delay their results", "[probe][scheduler]") {
  lab::Lab lab;
  const auto& silent = lab.add(Scenario::silent, "127.0.0.9");
  std::vector<probe::Target> targets{test::target_of(silent)};
  for (int i = 0; i < 30; ++i)
    targets.push_back(test::target_of(lab.add(Scenario::healthy, "127.0.1." + std::to_string(i + 1))));
  auto settings = test::quick_settings();
  settings.concurrency = 3;
  settings.probe.reply_timeout = std::chrono::seconds(2);
  probe::TargetSource source(std::move(targets), std::nullopt, std::nullopt);
  std::vector<std::size_t> order;
  std::mutex mutex;
  probe::run_scan(source, settings, [&](probe::Evidence&& ev) {
    std::lock_guard lock(mutex);
    order.push_back(ev.target.position);
  });
  REQUIRE(order.size() == 31);
  CHECK(order.back() == 0);  // the silent one, first in the list, finishes last: nobody waited for it
}
