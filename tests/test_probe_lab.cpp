// Every lab scenario probed over real loopback sockets with real TLS handshakes.

#include <chrono>
#include <ctime>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "probe_helpers.hpp"
#include "skip.hpp"
#include "report/json_result.hpp"
#include "tls/assessment.hpp"

using namespace stp;
using lab::Scenario;
using probe::Failure;
using probe::Phase;

namespace {

using Strings = std::vector<std::string>;

// The probe only ever says EHLO, HELO, STARTTLS and QUIT (SPEC 1).
void check_polite(const lab::EndpointStats& stats) {
  for (const auto& verb : stats.commands) {
    INFO("verb " << verb);
    CHECK((verb == "EHLO" || verb == "HELO" || verb == "STARTTLS" || verb == "QUIT"));
  }
}

// The presented chain is captured exactly: same length, same bytes, leaf first.
void check_chain(const probe::Evidence& evidence, const lab::EndpointInfo& endpoint) {
  REQUIRE(evidence.tls.chain_der.size() == endpoint.chain_der.size());
  for (std::size_t i = 0; i < endpoint.chain_der.size(); ++i) CHECK(evidence.tls.chain_der[i] == endpoint.chain_der[i]);
  auto chain = tls::describe_chain(evidence.tls.chain_der);
  REQUIRE(chain.size() == endpoint.chain_der.size());
  CHECK(chain.front().sha256 == tls::describe_certificate(endpoint.chain_der.front()).sha256);
}

}  // namespace

TEST_CASE("a healthy Exchange-like endpoint: whole dialogue, chain captured as presented", "[probe][lab]") {
  lab::Lab lab;
  const auto& endpoint = lab.add(Scenario::healthy);
  auto ev = test::scan_one(endpoint);

  CHECK(ev.failure == Failure::none);
  CHECK(ev.address == "127.0.0.1");
  CHECK(ev.smtp.greeting.size() == 1);
  CHECK(ev.smtp.greeting[0].rfind("220 mail.contoso.test Microsoft ESMTP MAIL Service ready", 0) == 0);
  CHECK(ev.advertised_fqdn == "mail.contoso.test");
  CHECK(ev.ehlo_fqdn == "mail.contoso.test");
  CHECK(ev.checked_fqdn == "mail.contoso.test");
  CHECK(ev.smtp.starttls_offered);
  CHECK(ev.smtp.starttls_reply == Strings{"220 2.0.0 SMTP server ready"});
  CHECK(ev.smtp.injected_bytes == 0);
  CHECK(ev.tls.established);
  CHECK(ev.tls.version == "TLSv1.3");
  CHECK(ev.tls.cipher.has_value());
  CHECK(ev.tls.sni == "mail.contoso.test");
  CHECK_FALSE(ev.tls.client_certificate_requested);
  CHECK(ev.smtp.ehlo_after_tls.size() > 2);
  CHECK_FALSE(ev.smtp.ehlo_after_tls_failed);
  check_chain(ev, endpoint);
  CHECK(ev.timings.connect >= 0);
  CHECK(ev.timings.handshake >= 0);
  CHECK(ev.timings.total >= ev.timings.handshake);

  auto stats = lab.stats(0);
  CHECK(stats.commands == Strings{"EHLO", "STARTTLS", "EHLO", "QUIT"});
  CHECK(stats.connections == 1);
}

TEST_CASE("every certificate scenario hands over its chain, whatever is wrong with it", "[probe][lab]") {
  lab::Lab lab;
  std::vector<Scenario> scenarios{Scenario::exchange_default, Scenario::wrong_eku, Scenario::expired,
                                  Scenario::missing_intermediate, Scenario::wildcard, Scenario::cn_only,
                                  Scenario::legacy_tls10, Scenario::weak_legacy_certificate,
                                  Scenario::implicit_tls, Scenario::client_certificate_request};
  std::vector<probe::Target> targets;
  for (auto s : scenarios) targets.push_back(test::target_of(lab.add(s)));
  auto results = test::scan(targets);
  REQUIRE(results.size() == scenarios.size());
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    INFO("scenario " << lab::scenario_name(scenarios[i]));
    CHECK(results[i].failure == Failure::none);
    CHECK(results[i].tls.established);
    check_chain(results[i], lab.endpoints()[i]);
    check_polite(lab.stats(i));
  }
}

TEST_CASE("Exchange's self-signed default certificate is captured with its two names", "[probe][lab]") {
  lab::Lab lab;
  auto ev = test::scan_one(lab.add(Scenario::exchange_default));
  auto chain = tls::describe_chain(ev.tls.chain_der);
  REQUIRE(chain.size() == 1);
  CHECK(chain[0].subject == "CN=EX03");
  CHECK(chain[0].self_signed);
  CHECK(chain[0].certificate_domains == Strings{"EX03", "ex03.corp.contoso.test"});
  CHECK(chain[0].key_bits == 2048);
  CHECK(chain[0].signature_algorithm == "sha1WithRSAEncryption");
}

TEST_CASE("TLS 1.0-only servers and RSA-1024/SHA-1 certificates still give a chain", "[probe][lab]") {
  lab::Lab lab;
  auto old = test::scan_one(lab.add(Scenario::legacy_tls10));
  CHECK(old.tls.established);
  CHECK(old.tls.version == "TLSv1");
  CHECK_THAT(old.tls.cipher.value_or(""), Catch::StartsWith("ECDHE-RSA-"));  // key exchange on P-256 (the lab offers no X25519)
  auto weak = test::scan_one(lab.add(Scenario::weak_legacy_certificate));
  REQUIRE(weak.tls.established);
  auto leaf = tls::describe_chain(weak.tls.chain_der).at(0);
  CHECK(leaf.key_bits == 1024);
  CHECK_THAT(leaf.signature_algorithm, Catch::Contains("SHA1"));
}

TEST_CASE("the lab's endpoints share a scenario's certificate, or have one each under one intermediate", "[lab]") {
  lab::Lab shared;
  const auto& a = shared.add(Scenario::healthy);
  const auto& b = shared.add(Scenario::healthy);
  CHECK(a.chain_der == b.chain_der);

  lab::Lab::Options options;
  options.certificate_per_endpoint = true;
  lab::Lab own(options);
  const auto& c = own.add(Scenario::healthy);
  const auto& d = own.add(Scenario::healthy);
  REQUIRE(c.chain_der.size() == 2);
  REQUIRE(d.chain_der.size() == 2);
  CHECK(c.chain_der[0] != d.chain_der[0]);  // the leaves differ
  CHECK(c.chain_der[1] == d.chain_der[1]);  // the intermediate is the same
  auto probed = test::scan_one(d);          // and the endpoint presents its own
  CHECK(probed.tls.chain_der == d.chain_der);
}

TEST_CASE("a missing intermediate is captured as a one-certificate chain", "[probe][lab]") {
  lab::Lab lab;
  auto ev = test::scan_one(lab.add(Scenario::missing_intermediate));
  CHECK(ev.tls.chain_der.size() == 1);
  CHECK(tls::describe_chain(ev.tls.chain_der).at(0).issuer == "CN=starttls-probe Lab Issuing CA 1, O=starttls-probe lab");
}

TEST_CASE("STARTTLS in lowercase on the last EHLO line is found", "[probe][lab]") {
  lab::Lab lab;
  auto ev = test::scan_one(lab.add(Scenario::wildcard));
  CHECK(ev.smtp.ehlo.back() == "250 starttls");
  CHECK(ev.smtp.starttls_offered);
  CHECK(ev.tls.established);
}

TEST_CASE("no STARTTLS in EHLO: no STARTTLS sent, QUIT, no TLS", "[probe][lab]") {
  lab::Lab lab;
  auto ev = test::scan_one(lab.add(Scenario::no_starttls));
  CHECK(ev.failure == Failure::none);
  CHECK_FALSE(ev.smtp.starttls_offered);
  CHECK_FALSE(ev.tls.attempted);
  CHECK(ev.tls.chain_der.empty());
  CHECK(lab.stats(0).commands == Strings{"EHLO", "QUIT"});
}

TEST_CASE("454 to STARTTLS is recorded as starttls rejected, and the probe says QUIT", "[probe][lab]") {
  lab::Lab lab;
  auto ev = test::scan_one(lab.add(Scenario::starttls_rejected));
  CHECK(ev.failure == Failure::starttls_rejected);
  CHECK(ev.failure_phase == Phase::starttls);
  CHECK(ev.smtp.starttls_reply == Strings{"454 4.7.0 TLS not available due to local problem"});
  CHECK(lab.stats(0).commands == Strings{"EHLO", "STARTTLS", "QUIT"});
}

TEST_CASE("implicit TLS (smtps) starts with the handshake", "[probe][lab]") {
  lab::Lab lab;
  const auto& endpoint = lab.add(Scenario::implicit_tls);
  auto ev = test::scan_one(endpoint);
  CHECK(ev.target.mode == probe::Mode::implicit);
  CHECK(ev.tls.established);
  CHECK(ev.smtp.greeting.at(0).rfind("220 submit.contoso.test", 0) == 0);
  CHECK(ev.smtp.starttls_reply.empty());
  check_chain(ev, endpoint);
  CHECK(lab.stats(0).commands == Strings{"EHLO", "QUIT"});
}

TEST_CASE("a client certificate request is recorded with the acceptable CA names", "[probe][lab]") {
  lab::Lab lab;
  auto ev = test::scan_one(lab.add(Scenario::client_certificate_request));
  CHECK(ev.tls.established);
  CHECK(ev.tls.client_certificate_requested);
  REQUIRE(ev.tls.acceptable_ca_names_der.size() == 1);
  CHECK(tls::describe_name(ev.tls.acceptable_ca_names_der[0]) == "CN=starttls-probe Lab Root CA, O=starttls-probe lab");
}

TEST_CASE("EHLO refused: HELO fallback", "[probe][lab]") {
  lab::Lab lab;
  auto ev = test::scan_one(lab.add(Scenario::ehlo_refused));
  CHECK(ev.failure == Failure::none);
  CHECK(ev.smtp.used_helo);
  CHECK_FALSE(ev.smtp.starttls_offered);
  CHECK(lab.stats(0).commands == Strings{"EHLO", "HELO", "QUIT"});
}

TEST_CASE("a 554 greeting is greeting-rejected", "[probe][lab]") {
  lab::Lab lab;
  auto ev = test::scan_one(lab.add(Scenario::greeting_rejected));
  CHECK(ev.failure == Failure::greeting_rejected);
  CHECK(ev.failure_phase == Phase::greeting);
  CHECK(ev.smtp.greeting.at(0).rfind("554 5.3.2", 0) == 0);
  CHECK(lab.stats(0).commands == Strings{"QUIT"});
}

TEST_CASE("the greeting is read whole before EHLO, even after a pause", "[probe][lab]") {
  lab::Lab lab;
  auto ev = test::scan_one(lab.add(Scenario::slow_multiline_greeting));
  CHECK(ev.failure == Failure::none);
  CHECK(ev.smtp.greeting.size() == 2);
  auto stats = lab.stats(0);
  CHECK(stats.early_talkers == 0);
  CHECK(stats.commands.at(0) == "EHLO");
}

TEST_CASE("the lab notices a client that speaks before the greeting ends", "[lab]") {
  // The check above is only worth something if the lab can catch an early talker.
  lab::Lab lab;
  const auto& endpoint = lab.add(Scenario::slow_multiline_greeting);
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), endpoint.port});
  boost::asio::write(socket, boost::asio::buffer(std::string("EHLO rude.example\r\n")));
  std::string greeting;
  boost::system::error_code ec;
  boost::asio::read_until(socket, boost::asio::dynamic_buffer(greeting), "ESMTP ready\r\n", ec);
  CHECK_FALSE(ec);
  CHECK(lab.stats(0).early_talkers == 1);
}

TEST_CASE("a silent server times out in the greeting phase", "[probe][lab]") {
  lab::Lab lab;
  auto settings = test::quick_settings();
  settings.probe.reply_timeout = std::chrono::milliseconds(500);
  auto ev = test::scan_one(lab.add(Scenario::silent), settings);
  CHECK(ev.failure == Failure::timeout);
  CHECK(ev.failure_phase == Phase::greeting);
  CHECK_FALSE(ev.deadline_hit);
}

TEST_CASE("a trickling greeting times out after --timeout, not per byte", "[probe][lab]") {
  // One byte every 100 ms: a per-read timeout of 1 s would never fire; the whole-reply one does.
  lab::Lab::Options options;
  options.trickle_interval = std::chrono::milliseconds(100);
  lab::Lab lab(options);
  auto settings = test::quick_settings();
  settings.probe.reply_timeout = std::chrono::seconds(1);
  auto ev = test::scan_one(lab.add(Scenario::trickle), settings);
  CHECK(ev.failure == Failure::timeout);
  CHECK(ev.failure_phase == Phase::greeting);
  CHECK(ev.smtp.greeting.empty());
}

TEST_CASE("the whole-probe deadline bounds a probe whose phases each have time left", "[probe][lab]") {
  lab::Lab lab;
  auto settings = test::quick_settings();
  settings.probe.reply_timeout = std::chrono::seconds(30);
  settings.probe.deadline = std::chrono::milliseconds(400);
  auto ev = test::scan_one(lab.add(Scenario::silent), settings);
  CHECK(ev.failure == Failure::timeout);
  CHECK(ev.deadline_hit);
}

TEST_CASE("endless reply lines end as a protocol error within the reply bounds", "[probe][lab]") {
  lab::Lab lab;
  const auto& endpoint = lab.add(Scenario::endless_lines);
  auto ev = test::scan_one(endpoint);
  CHECK(ev.failure == Failure::protocol_error);
  CHECK(ev.failure_phase == Phase::greeting);
  CHECK_THAT(ev.failure_detail, Catch::Contains("more than 200 lines"));
  CHECK(ev.smtp.greeting.empty());

  // With a byte budget smaller than the line budget, the byte bound is what stops it.
  auto settings = test::quick_settings();
  settings.probe.reply_limits.max_lines = 100000;
  settings.probe.reply_limits.max_reply_bytes = 8192;
  auto bytes = test::scan_one(endpoint, settings);
  CHECK(bytes.failure == Failure::protocol_error);
  CHECK_THAT(bytes.failure_detail, Catch::Contains("longer than 8192 bytes"));
}

TEST_CASE("plaintext injected after the STARTTLS 220 is discarded, never read as a reply", "[probe][lab]") {
  lab::Lab lab;
  const auto& endpoint = lab.add(Scenario::injected_after_starttls);
  auto ev = test::scan_one(endpoint);
  CHECK(ev.failure == Failure::none);
  CHECK(ev.smtp.injected == "250-injected\r\n250 PIPELINING\r\n");
  CHECK(ev.smtp.injected_bytes == 30);
  CHECK(ev.tls.established);
  // The EHLO reply over TLS is the server's real one, whole, not the injected lines.
  CHECK(ev.smtp.ehlo_after_tls ==
        std::vector<std::string>{"250-inject.contoso.test Hello [127.0.0.1]", "250-SIZE 37748736", "250-PIPELINING",
                                 "250-DSN", "250-ENHANCEDSTATUSCODES", "250-X-ANONYMOUSTLS", "250-AUTH NTLM",
                                 "250-X-EXPS GSSAPI NTLM", "250-8BITMIME", "250-BINARYMIME", "250-CHUNKING", "250 XRDST"});
  CHECK_FALSE(ev.smtp.ehlo_after_tls_failed);
  // One command, then its whole reply: the probe sent EHLO over TLS and waited for its answer.
  CHECK(lab.stats(0).commands == std::vector<std::string>{"EHLO", "STARTTLS", "EHLO", "QUIT"});
  CHECK(ev.smtp.starttls_reply == std::vector<std::string>{"220 2.0.0 SMTP server ready"});
  check_chain(ev, endpoint);
  // Judged: a warning that quotes what was discarded, and nothing else.
  auto a = tls::assess(ev, {}, std::time(nullptr));
  REQUIRE(a.findings.size() == 1);
  CHECK(a.findings[0].code == "starttls-injection");
  CHECK_THAT(a.findings[0].message, Catch::Contains("sent 30 bytes") && Catch::Contains("250-injected"));
}

TEST_CASE("garbage after the STARTTLS 220 is a failed handshake", "[probe][lab]") {
  lab::Lab lab;
  auto ev = test::scan_one(lab.add(Scenario::garbage_after_starttls));
  CHECK(ev.failure == Failure::handshake_failed);
  CHECK(ev.failure_phase == Phase::handshake);
  CHECK(ev.tls.attempted);
  CHECK_FALSE(ev.tls.established);
  CHECK_FALSE(ev.tls.error.empty());
}

TEST_CASE("a handshake that never completes times out in the handshake phase", "[probe][lab]") {
  lab::Lab lab;
  auto settings = test::quick_settings();
  settings.probe.reply_timeout = std::chrono::milliseconds(500);
  auto ev = test::scan_one(lab.add(Scenario::stalled_handshake), settings);
  CHECK(ev.failure == Failure::timeout);
  CHECK(ev.failure_phase == Phase::handshake);
  CHECK(ev.tls.attempted);
  CHECK_FALSE(ev.tls.established);
}

TEST_CASE("an IPv6 literal target is probed over [::1]", "[probe][lab]") {
  lab::Lab lab;
  const lab::EndpointInfo* endpoint = nullptr;
  try {
    endpoint = &lab.add(Scenario::healthy, "::1");
  } catch (const std::exception& e) {
    STP_SKIP("no IPv6 loopback here: " << e.what());
    return;
  }
  auto target = test::target_of(*endpoint);
  CHECK(target.text.rfind("[::1]:", 0) == 0);
  auto ev = test::scan({target}).at(0);
  CHECK(ev.failure == Failure::none);
  CHECK(ev.address == "::1");
  CHECK(ev.tls.established);
  CHECK(ev.ehlo_name == "probe.test.example");
  check_chain(ev, *endpoint);
}

TEST_CASE("a hang-up mid-dialogue is a protocol error naming the phase", "[probe][lab]") {
  lab::Lab lab;
  auto ev = test::scan_one(lab.add(Scenario::hangup_mid_dialogue));
  CHECK(ev.failure == Failure::protocol_error);
  CHECK(ev.failure_phase == Phase::ehlo);
  CHECK_THAT(ev.failure_detail, Catch::Contains("closed the connection"));
}

TEST_CASE("control characters in the greeting are kept as evidence and escaped in jsonl", "[probe][lab][report]") {
  lab::Lab lab;
  auto ev = test::scan_one(lab.add(Scenario::control_characters));
  CHECK(ev.failure == Failure::none);
  REQUIRE(ev.smtp.greeting.size() == 1);
  CHECK(ev.smtp.greeting[0].find('\x1b') != std::string::npos);  // recorded as received
  CHECK(ev.smtp.greeting[0].find('\0') != std::string::npos);

  tls::Assessment assessment = tls::assess(ev, {}, std::time(nullptr));
  std::string line = report::jsonl_line(report::result_json(ev, assessment));
  REQUIRE(line.back() == '\n');
  line.pop_back();
  for (char c : line) CHECK(static_cast<unsigned char>(c) >= 0x20);  // no raw control byte
  auto parsed = boost::json::parse(line);                             // valid JSON and UTF-8
  std::string greeting(parsed.at("smtp").at("greeting").as_string());
  CHECK(greeting.find("\x1b[2J") != std::string::npos);             // the escape survives as data
  CHECK(greeting.find("\xEF\xBF\xBD") != std::string::npos);        // invalid UTF-8 replaced
}

TEST_CASE("a refused connection is connect-failed", "[probe]") {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  auto port = acceptor.local_endpoint().port();
  acceptor.close();  // nothing listens there now
  auto results = test::scan({probe::parse_target("127.0.0.1:" + std::to_string(port))});
  CHECK(results.at(0).failure == Failure::connect);
  CHECK(results.at(0).failure_phase == Phase::connect);
  CHECK(results.at(0).address == "127.0.0.1");  // the address last tried (SPEC §5)
  CHECK(results.at(0).smtp.greeting.empty());
}

TEST_CASE("a host name is resolved asynchronously (localhost, from /etc/hosts)", "[probe][lab]") {
  lab::Lab lab;
  const auto& endpoint = lab.add(Scenario::healthy);
  auto target = probe::parse_target("localhost:" + std::to_string(endpoint.port));
  target.expected_fqdn = "mail.contoso.test";
  auto ev = test::scan({target}).at(0);
  // localhost may resolve to ::1 first, where the lab does not listen: the first reachable address wins.
  CHECK(ev.failure == Failure::none);
  CHECK(ev.address == "127.0.0.1");
  CHECK(ev.tls.established);
}

TEST_CASE("SNI off sends no server name and a fixed SNI sends that name", "[probe][lab]") {
  lab::Lab lab;
  const auto& endpoint = lab.add(Scenario::healthy);
  auto settings = test::quick_settings();
  settings.probe.sni_mode = probe::SniMode::off;
  CHECK_FALSE(test::scan_one(endpoint, settings).tls.sni.has_value());
  settings.probe.sni_mode = probe::SniMode::fixed;
  settings.probe.sni_name = "other.contoso.test";
  CHECK(test::scan_one(endpoint, settings).tls.sni == "other.contoso.test");
}

TEST_CASE("without fqdn=, an IP target is checked against the greeting's FQDN and SNI follows it", "[probe][lab]") {
  lab::Lab lab;
  const auto& endpoint = lab.add(Scenario::healthy);
  auto ev = test::scan({probe::parse_target("127.0.0.1:" + std::to_string(endpoint.port))}).at(0);
  CHECK_FALSE(ev.target.expected_fqdn.has_value());
  CHECK(ev.checked_fqdn == "mail.contoso.test");
  CHECK(ev.tls.sni == "mail.contoso.test");
}

TEST_CASE("the EHLO name is the one configured", "[probe][lab]") {
  lab::Lab lab;
  auto ev = test::scan_one(lab.add(Scenario::healthy));
  CHECK(ev.ehlo_name == "probe.test.example");  // --ehlo, used as is
  auto settings = test::quick_settings();
  settings.probe.ehlo_name.reset();
  // No --ehlo: this machine's FQDN when it has one, else the local address literal.
  CHECK(test::scan_one(lab.endpoints()[0], settings).ehlo_name == probe::machine_fqdn().value_or("[127.0.0.1]"));
}
