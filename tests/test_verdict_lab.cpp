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
};

}  // namespace

TEST_CASE("every lab scenario gets the findings, status and events it stands for", "[tls][lab]") {
  const std::pair<int, std::string> no_certificate{12014, "no-certificate-for-fqdn"};
  const std::pair<int, std::string> not_valid{12014, "certificate-not-valid-for-smtp"};
  const std::vector<Expected> table{
      {Scenario::healthy, {}, Status::ok, {}},
      {Scenario::no_starttls, {"starttls-not-offered"}, Status::critical, {no_certificate}},
      {Scenario::starttls_rejected, {"starttls-rejected"}, Status::critical, {no_certificate}},
      {Scenario::exchange_default, {"name-mismatch", "self-signed", "exchange-default-certificate"}, Status::critical, {no_certificate}},
      {Scenario::wrong_eku, {"not-valid-for-smtp"}, Status::critical, {not_valid}},
      {Scenario::expired, {"certificate-expired"}, Status::critical, {{12016, "certificate-expired"}}},
      {Scenario::missing_intermediate, {"chain-incomplete"}, Status::warning, {}},
      {Scenario::wildcard, {}, Status::ok, {}},
      {Scenario::cn_only, {"cn-only-match"}, Status::warning, {}},
      {Scenario::legacy_tls10, {"legacy-tls"}, Status::warning, {}},
      {Scenario::weak_legacy_certificate, {"weak-key", "weak-signature"}, Status::warning, {}},
      {Scenario::implicit_tls, {}, Status::ok, {}},
      {Scenario::client_certificate_request, {"client-certificate-requested"}, Status::ok, {}},
      {Scenario::ehlo_refused, {"starttls-not-offered"}, Status::critical, {no_certificate}},
      {Scenario::greeting_rejected, {"greeting-rejected"}, Status::unknown, {}},
      {Scenario::silent, {"timeout"}, Status::unknown, {}},
      {Scenario::endless_lines, {"protocol-error"}, Status::unknown, {}},
      {Scenario::garbage_after_starttls, {"tls-handshake-failed"}, Status::critical, {not_valid}},
      {Scenario::stalled_handshake, {"timeout"}, Status::unknown, {}},
      {Scenario::injected_after_starttls, {"starttls-injection"}, Status::warning, {}},
      {Scenario::hangup_mid_dialogue, {"protocol-error"}, Status::unknown, {}},
      {Scenario::control_characters, {}, Status::ok, {}},
      {Scenario::slow_multiline_greeting, {}, Status::ok, {}},
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
