#pragma once
// Fixed results for the report tests: hand-written evidence, the testdata certificate and a fixed
// clock, so every format renders the same bytes on every run.

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "report/writer.hpp"
#include "tls/assessment.hpp"
#include "tls/certificate_file.hpp"

namespace stp::test {

constexpr std::int64_t fixed_now = 1800000000;  // 2027-01-15T08:00:00Z

inline std::string testdata_path(const std::string& name) { return std::string(STARTTLS_PROBE_TESTDATA) + "/" + name; }

inline std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// Renders results in one format, as the app does: each added in turn, then the tally.
inline std::string render(report::Format format, const std::vector<probe::Evidence>& evidence,
                          const std::vector<tls::Assessment>& assessments, std::int64_t now) {
  std::string out;
  report::WriterOptions options;
  options.now = now;
  options.tool_version = "0.0.0-test";
  options.started_at_ms = now * 1000;
  options.finished_at_ms = now * 1000 + 1500;
  auto writer = report::Writer::make(format, [&](std::string_view text) { out += text; }, options);
  tls::Tally tally;
  for (std::size_t i = 0; i < evidence.size(); ++i) {
    tally.add(assessments[i].status);
    writer->add({&evidence[i], {}, {}, &assessments[i], evidence[i].target.position});
  }
  writer->finish(tally);
  return out;
}

// A completed STARTTLS dialogue with an Exchange front end for `fqdn` at 192.0.2.10 that presented
// `chain` (TLS 1.3): the starting point the report and checks tests spoil or render.
inline probe::Evidence good_dialogue(const std::string& fqdn, std::vector<std::string> chain) {
  probe::Evidence good;
  good.target = probe::parse_target("192.0.2.10:25");
  good.target.expected_fqdn = fqdn;
  good.target.connector = "Default Frontend EX01";
  good.address = "192.0.2.10";
  good.advertised_fqdn = good.ehlo_fqdn = good.checked_fqdn = fqdn;
  good.ehlo_name = "probe.example";
  good.smtp.greeting = {"220 " + fqdn + " Microsoft ESMTP MAIL Service ready"};
  good.smtp.ehlo = {"250-" + fqdn + " Hello [198.51.100.7]", "250-STARTTLS", "250 SIZE 37748736"};
  good.smtp.starttls_offered = true;
  good.smtp.starttls_reply = {"220 2.0.0 SMTP server ready"};
  good.smtp.ehlo_after_tls = {"250-" + fqdn + " Hello [198.51.100.7]", "250 SIZE 37748736"};
  good.tls.attempted = good.tls.established = true;
  good.tls.version = "TLSv1.3";
  good.tls.cipher = "TLS_AES_256_GCM_SHA384";
  good.tls.sni = fqdn;
  good.tls.chain_der = std::move(chain);
  return good;
}

struct FixedResults {
  FixedResults() {
    chain = tls::read_certificate_file(testdata_path("certs/mail.contoso.test.pem"), std::nullopt);
    anchors = std::make_unique<tls::TrustAnchors>(
        tls::TrustAnchors::from_pem(read_file(testdata_path("certs/mail.contoso.test.pem"))));

    probe::Evidence good = good_dialogue("mail.contoso.test", chain);
    good.timings = {1.5, 2.25, 0.75, 0.5, 3.125, 8.0};

    probe::Evidence no_tls;
    no_tls.target = probe::parse_target("smtp://relay.contoso.test:2525");
    no_tls.target.connector = "Relay, \"internal\"";
    no_tls.target.position = 1;
    no_tls.address = "198.51.100.20";
    no_tls.advertised_fqdn = no_tls.ehlo_fqdn = "relay.contoso.test";
    no_tls.checked_fqdn = "relay.contoso.test";
    no_tls.smtp.greeting = {"220 relay.contoso.test ESMTP"};
    no_tls.smtp.ehlo = {"250-relay.contoso.test", "250 PIPELINING"};
    no_tls.timings = {1.0, 1.0, 1.0, -1, -1, 3.5};

    probe::Evidence refused;
    refused.target = probe::parse_target("[2001:db8::25]:587");
    refused.target.position = 2;
    refused.failure = probe::Failure::connect;
    refused.failure_phase = probe::Phase::connect;
    refused.failure_detail = "TCP connect failed (2001:db8::25: Connection refused)";
    refused.timings = {-1, -1, -1, -1, -1, 0.25};

    probe::Evidence hostile;
    hostile.target = probe::parse_target("203.0.113.5");
    hostile.target.position = 3;
    hostile.address = "203.0.113.5";
    // ANSI clear screen, a window-title OSC, a raw C1 CSI, a pipe, a formula, CR, C1 NEL in UTF-8,
    // a right-to-left override, a NUL.
    hostile.smtp.greeting = {std::string("220 evil.example \x1b[2J\x1b]0;pwned\a\x9b") + "31m|=cmd\r\xc2\x85\xe2\x80\xae gnp.exe" +
                             std::string(1, '\0') + "end"};
    hostile.smtp.ehlo = {"250-evil.example", "250 starttls"};
    hostile.smtp.starttls_offered = true;
    hostile.smtp.starttls_reply = {"454 4.7.0 \x1b[31mno\x1b[0m"};
    hostile.failure = probe::Failure::starttls_rejected;
    hostile.failure_phase = probe::Phase::starttls;
    hostile.timings = {0.5, 0.5, 0.5, 0.5, -1, 2.0};

    evidence = {good, no_tls, refused, hostile};
    for (std::size_t i = 0; i < evidence.size(); ++i) evidence[i].started_at_ms = fixed_now * 1000 + static_cast<std::int64_t>(i) * 250;
    for (const auto& ev : evidence) assessments.push_back(tls::assess(ev, {{}, anchors.get()}, fixed_now));
  }

  std::string render(report::Format format) const { return test::render(format, evidence, assessments, fixed_now); }

  std::vector<std::string> chain;
  std::unique_ptr<tls::TrustAnchors> anchors;
  std::vector<probe::Evidence> evidence;
  std::vector<tls::Assessment> assessments;
};

}  // namespace stp::test
