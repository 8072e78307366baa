// Each lab scenario probed for real and judged with the lab's CA as trust anchor: the finding
// codes, status and Exchange events an administrator would see.

#include <ctime>
#include <set>

#include <catch2/catch.hpp>

#include "probe_helpers.hpp"
#include "tls/assessment.hpp"

using namespace stp;
using lab::Scenario;
using tls::Status;

namespace {

struct Expected {
  Scenario scenario;
  std::set<std::string> codes;
  Status status;
  std::set<std::pair<int, std::string>> events;
  std::string says = "";  // a message of its findings names this concrete value ("" for no findings)
};

}  // namespace

TEST_CASE("every lab scenario gets the findings, status and events it stands for", "[tls][lab]") {
  const std::pair<int, std::string> no_certificate{12014, "no-certificate-for-fqdn"};
  const std::pair<int, std::string> not_valid{12014, "certificate-not-valid-for-smtp"};
  const std::vector<Expected> table{
      {Scenario::healthy, {}, Status::ok, {}},
      {Scenario::no_starttls, {"starttls-not-offered"}, Status::critical, {no_certificate}, "the EHLO reply does not list STARTTLS"},
      {Scenario::starttls_rejected, {"starttls-rejected"}, Status::critical, {no_certificate}, "'454 4.7.0 TLS not available due to local problem'"},
      {Scenario::exchange_default, {"name-mismatch", "self-signed", "exchange-default-certificate"}, Status::critical, {no_certificate}, "mail2.contoso.test is in none of the certificate's domains (EX03, ex03.corp.contoso.test)"},
      {Scenario::wrong_eku, {"not-valid-for-smtp"}, Status::critical, {not_valid}, "extended key usage (clientAuth)"},
      {Scenario::expired, {"certificate-expired"}, Status::critical, {{12016, "certificate-expired"}}, "days ago"},
      {Scenario::missing_intermediate, {"chain-incomplete"}, Status::warning, {}, "Lab Issuing CA 1"},
      {Scenario::wildcard, {}, Status::ok, {}},
      {Scenario::cn_only, {"cn-only-match"}, Status::warning, {}, "cn.contoso.test matches only the subject CN"},
      {Scenario::legacy_tls10, {"legacy-tls"}, Status::warning, {}, "negotiated TLSv1 "},
      {Scenario::weak_legacy_certificate, {"weak-key", "weak-signature"}, Status::warning, {}, "1024-bit RSA key"},
      {Scenario::implicit_tls, {}, Status::ok, {}},
      {Scenario::client_certificate_request, {"client-certificate-requested"}, Status::ok, {}, "asked for a client certificate"},
      {Scenario::ehlo_refused, {"starttls-not-offered"}, Status::critical, {no_certificate}, "refused EHLO and answered HELO"},
      {Scenario::greeting_rejected, {"greeting-rejected"}, Status::unknown, {}, "'554 5.3.2 busy.contoso.test Service not available'"},
      {Scenario::silent, {"timeout"}, Status::unknown, {}, "phase greeting"},
      {Scenario::endless_lines, {"protocol-error"}, Status::unknown, {}, "greeting"},
      {Scenario::garbage_after_starttls, {"tls-handshake-failed"}, Status::critical, {not_valid}, "the TLS handshake failed after STARTTLS was accepted"},
      {Scenario::stalled_handshake, {"timeout"}, Status::unknown, {}, "phase handshake"},
      {Scenario::injected_after_starttls, {"starttls-injection"}, Status::warning, {}, "'250-injected\r\n250 PIPELINING\r\n'"},
      {Scenario::hangup_mid_dialogue, {"protocol-error"}, Status::unknown, {}, "closed the connection during ehlo"},
      {Scenario::control_characters, {}, Status::ok, {}},
      {Scenario::slow_multiline_greeting, {}, Status::ok, {}},
      {Scenario::custom_banner, {}, Status::ok, {}},
      {Scenario::exim_banner, {}, Status::ok, {}},
      {Scenario::rsa_pss_key, {}, Status::ok, {}},
      {Scenario::anonymous_tls, {"no-certificate"}, Status::critical, {no_certificate}, "without a server certificate (cipher AECDH-"},
  };

  lab::Lab lab;
  std::vector<probe::Target> targets;
  for (const auto& row : table) targets.push_back(test::target_of(lab.add(row.scenario)));
  auto settings = test::quick_settings();
  settings.concurrency = 32;
  settings.probe.reply_timeout = std::chrono::milliseconds(1500);
  auto results = test::scan(targets, settings);
  REQUIRE(results.size() == table.size());

  auto anchors = tls::TrustAnchors::from_pem(lab.ca_pem());
  tls::Tally tally;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto& row = table[i];
    auto assessment = tls::assess(results[i], {{}, &anchors}, std::time(nullptr));
    std::set<std::string> codes;
    for (const auto& f : assessment.findings) codes.insert(f.code);
    std::set<std::pair<int, std::string>> events;
    for (const auto& e : assessment.exchange_events) events.emplace(e.id, e.condition);
    INFO("scenario " << lab::scenario_name(row.scenario));
    CHECK(codes == row.codes);
    CHECK(tls::to_string(assessment.status) == std::string(tls::to_string(row.status)));
    CHECK(events == row.events);
    std::string messages;
    for (const auto& f : assessment.findings) messages += f.message + "\n";
    if (row.says.empty()) CHECK(messages.empty());
    else CHECK_THAT(messages, Catch::Contains(row.says));
    for (const auto& e : assessment.exchange_events) {
      CHECK_THAT(e.summary, Catch::Contains(lab.endpoints()[i].connector));
      CHECK_THAT(e.summary, Catch::Contains(lab.endpoints()[i].fqdn));
    }
    tally.add(assessment.status);
  }
  CHECK(tally.exit_code() == 2);
}

TEST_CASE("without the lab CA as anchor the healthy endpoint is untrusted, critical with --require-trusted", "[tls][lab]") {
  lab::Lab lab;
  auto ev = test::scan_one(lab.add(Scenario::healthy));
  lab::Lab other;  // another CA entirely
  auto anchors = tls::TrustAnchors::from_pem(other.ca_pem());
  auto a = tls::assess(ev, {{}, &anchors}, std::time(nullptr));
  REQUIRE(a.findings.size() == 1);
  CHECK(a.findings[0].code == "chain-untrusted");
  CHECK(a.status == Status::warning);
  tls::JudgeSettings strict;
  strict.require_trusted = true;
  CHECK(tls::assess(ev, {strict, &anchors}, std::time(nullptr)).status == Status::critical);
}

TEST_CASE("a TLS session without a server certificate is critical, with or without --require-trusted", "[tls][lab]") {
  lab::Lab lab;
  auto ev = test::scan_one(lab.add(Scenario::anonymous_tls));
  REQUIRE(ev.tls.established);
  CHECK(ev.tls.version == "TLSv1.2");
  CHECK(ev.tls.chain_der.empty());
  auto anchors = tls::TrustAnchors::from_pem(lab.ca_pem());
  tls::JudgeSettings strict;
  strict.require_trusted = true;
  for (const auto& settings : {tls::JudgeSettings{}, strict}) {
    auto a = tls::assess(ev, {settings, &anchors}, std::time(nullptr));
    REQUIRE(a.findings.size() == 1);
    CHECK(a.findings[0].code == "no-certificate");
    CHECK(a.status == Status::critical);
    CHECK_FALSE(a.verification);
    REQUIRE(a.exchange_events.size() == 1);
    CHECK(a.exchange_events[0].id == 12014);
    CHECK(a.exchange_events[0].condition == "no-certificate-for-fqdn");
  }
}

TEST_CASE("a custom banner names no host: the EHLO reply's name is checked, and nothing is wrong", "[tls][lab]") {
  lab::Lab lab;
  const auto& exchange = lab.add(Scenario::custom_banner);
  const auto& exim = lab.add(Scenario::exim_banner);
  // Probed by address, without fqdn=: the server's own words are all there is to judge against.
  auto results = test::scan({probe::parse_target("127.0.0.1:" + std::to_string(exchange.port)),
                             probe::parse_target("127.0.0.1:" + std::to_string(exim.port))});
  auto anchors = tls::TrustAnchors::from_pem(lab.ca_pem());
  const std::vector<std::string> names{"banner.contoso.test", "exim-nohost.mta.test"};
  for (std::size_t i = 0; i < results.size(); ++i) {
    INFO(names[i]);
    CHECK_FALSE(results[i].advertised_fqdn);
    CHECK(results[i].ehlo_fqdn == names[i]);
    CHECK(results[i].checked_fqdn == names[i]);
    auto a = tls::assess(results[i], {{}, &anchors}, std::time(nullptr));
    CHECK(a.findings.empty());
    CHECK(a.status == Status::ok);
  }
}

TEST_CASE("an RSASSA-PSS key is named RSA-PSS, as openssl names it", "[tls][lab]") {
  lab::Lab lab;
  const auto& endpoint = lab.add(Scenario::rsa_pss_key);
  auto ev = test::scan_one(endpoint);
  REQUIRE(ev.tls.established);
  auto chain = tls::describe_chain(ev.tls.chain_der);
  REQUIRE(chain.size() == 2);
  CHECK(chain[0].key_type == "RSA-PSS");
  CHECK(chain[0].key_bits == 2048);
  CHECK(chain[1].key_type == "EC");
}
