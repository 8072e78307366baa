// One test per finding code and per severity rule, on certificates made here and evidence written
// by hand: no network, the clock passed in.

#include <algorithm>
#include <ctime>

#include <catch2/catch.hpp>

#include "report/escape.hpp"

#include "lab/cert_factory.hpp"
#include "report_fixtures.hpp"
#include "tls/assessment.hpp"
#include "tls/checks.hpp"

using namespace stp;
using tls::Severity;
using tls::Status;
using Strings = std::vector<std::string>;

namespace {

const std::int64_t now = std::time(nullptr);
constexpr auto days = [](int n) { return std::chrono::seconds(std::int64_t{n} * 86400); };

struct Pki {
  Pki() {
    root = lab::issue_certificate(lab::ca_spec("Checks Root"), nullptr);
    intermediate = lab::issue_certificate(lab::ca_spec("Checks Issuing CA"), &root);
    anchors = std::make_unique<tls::TrustAnchors>(tls::TrustAnchors::from_pem(root.certificate_pem()));
  }
  lab::Credential root, intermediate;
  std::unique_ptr<tls::TrustAnchors> anchors;
};

const Pki& pki() {
  static const Pki instance;
  return instance;
}

lab::CertSpec server_spec(const std::string& fqdn = "mail.contoso.com") { return lab::server_spec(fqdn); }

// A leaf issued by the intermediate, sent with it, judged with the root as anchor.
tls::Assessment judge(const lab::CertSpec& spec, const std::string& fqdn = "mail.contoso.com",
                      tls::JudgeSettings settings = {}, bool send_intermediate = true) {
  auto leaf = lab::issue_certificate(spec, &pki().intermediate);
  Strings chain{leaf.certificate_der()};
  if (send_intermediate) chain.push_back(pki().intermediate.certificate_der());
  return tls::assess_chain(chain, fqdn, "test.pem", {settings, pki().anchors.get()}, now);
}

tls::Assessment judge_self_signed(const lab::CertSpec& spec, const std::string& fqdn, tls::JudgeSettings settings = {}) {
  auto leaf = lab::issue_certificate(spec, nullptr);
  return tls::assess_chain({leaf.certificate_der()}, fqdn, "test.pem", {settings, pki().anchors.get()}, now);
}

Strings codes(const tls::Assessment& a) {
  Strings out;
  for (const auto& f : a.findings) out.push_back(f.code);
  return out;
}

const tls::Finding& finding(const tls::Assessment& a, const std::string& code) {
  auto it = std::find_if(a.findings.begin(), a.findings.end(), [&](const auto& f) { return f.code == code; });
  if (it == a.findings.end()) FAIL("no finding " << code << " among " << Catch::Detail::stringify(codes(a)));
  return *it;
}

std::vector<std::pair<int, std::string>> events(const tls::Assessment& a) {
  std::vector<std::pair<int, std::string>> out;
  for (const auto& e : a.exchange_events) out.emplace_back(e.id, e.condition);
  return out;
}

// A completed STARTTLS dialogue, to be spoiled by each test.
probe::Evidence good_dialogue() {
  auto leaf = lab::issue_certificate(server_spec(), &pki().intermediate);
  return test::good_dialogue("mail.contoso.com", {leaf.certificate_der(), pki().intermediate.certificate_der()});
}

tls::Assessment judge(const probe::Evidence& ev, tls::JudgeSettings settings = {}) {
  return tls::assess(ev, {settings, pki().anchors.get()}, now);
}

}  // namespace

TEST_CASE("a good certificate for the FQDN, from a trusted CA, gives no finding and status ok", "[tls][checks]") {
  auto a = judge(server_spec());
  CHECK(codes(a).empty());
  CHECK(a.status == Status::ok);
  REQUIRE(a.verification);
  CHECK(a.verification->trusted);
  CHECK(a.verification->error.empty());
  CHECK(a.verification->name_match == tls::NameMatch::san);
  CHECK(a.verification->rfc6125_name_match);
  CHECK(a.exchange_events.empty());

  auto dialogue = judge(good_dialogue());
  CHECK(codes(dialogue).empty());
  CHECK(dialogue.status == Status::ok);
}

TEST_CASE("name-mismatch is critical and reproduces 12014 no-certificate-for-fqdn", "[tls][checks]") {
  auto a = judge(server_spec("other.contoso.com"), "mail.contoso.com");
  const auto& f = finding(a, "name-mismatch");
  CHECK(f.severity == Severity::critical);
  CHECK_THAT(f.message, Catch::Contains("mail.contoso.com") && Catch::Contains("other.contoso.com"));
  CHECK_FALSE(f.remedy.empty());
  CHECK(a.status == Status::critical);
  CHECK(a.verification->name_match == tls::NameMatch::none);
  REQUIRE(events(a) == std::vector<std::pair<int, std::string>>{{12014, "no-certificate-for-fqdn"}});
  const auto& remediation = a.exchange_events[0].remediation;
  CHECK(std::find(remediation.begin(), remediation.end(), "Get-ExchangeCertificate | FL *") != remediation.end());
  CHECK(std::find(remediation.begin(), remediation.end(), "Get-ReceiveConnector | FL name,fqdn") != remediation.end());
  CHECK(std::any_of(remediation.begin(), remediation.end(), [](const std::string& step) {
    return step.find("New-ExchangeCertificate -DomainName mail.contoso.com") != std::string::npos;
  }));
}

TEST_CASE("not-valid-for-smtp: an EKU without serverAuth is critical, 12014 certificate-not-valid-for-smtp", "[tls][checks]") {
  auto spec = server_spec();
  spec.extended_key_usage = {"clientAuth", "emailProtection"};
  auto a = judge(spec);
  const auto& f = finding(a, "not-valid-for-smtp");
  CHECK(f.severity == Severity::critical);
  CHECK_THAT(f.message, Catch::Contains("clientAuth"));
  CHECK(events(a) == std::vector<std::pair<int, std::string>>{{12014, "certificate-not-valid-for-smtp"}});
  CHECK(a.verification->trusted);  // the chain itself is fine: EKU is judged once, here

  spec.extended_key_usage = {"anyExtendedKeyUsage"};
  CHECK(codes(judge(spec)).empty());
  spec.extended_key_usage.clear();  // no EKU at all: any use
  CHECK(codes(judge(spec)).empty());
}

TEST_CASE("not-valid-for-smtp: a key usage that forbids the handshake for the key type", "[tls][checks]") {
  auto ec = server_spec();
  ec.key_usage = "keyEncipherment";  // meaningless for an EC key: no signature, no key agreement
  CHECK(finding(judge(ec), "not-valid-for-smtp").severity == Severity::critical);
  ec.key_usage = "keyAgreement";
  CHECK(codes(judge(ec)).empty());

  auto rsa = server_spec();
  rsa.key = {lab::KeySpec::Kind::rsa, 2048};
  rsa.key_usage = "keyEncipherment";  // RSA key exchange still works
  CHECK(codes(judge(rsa)).empty());
  rsa.key_usage = "nonRepudiation";
  CHECK_THAT(finding(judge(rsa), "not-valid-for-smtp").message, Catch::Contains("RSA"));
}

TEST_CASE("certificate-expired is critical and reproduces 12016", "[tls][checks]") {
  auto spec = server_spec();
  spec.valid_from = -days(400);
  spec.valid_until = -days(3) - std::chrono::hours(1);  // an hour's margin: `now` was taken before issuing
  auto a = judge(spec);
  const auto& f = finding(a, "certificate-expired");
  CHECK(f.severity == Severity::critical);
  CHECK_THAT(f.message, Catch::Contains("3 days ago"));
  CHECK(events(a) == std::vector<std::pair<int, std::string>>{{12016, "certificate-expired"}});
  CHECK(a.verification->trusted);  // expiry is its own finding, not a chain error
  CHECK_THAT(a.exchange_events[0].summary, Catch::Contains("thumbprint " + a.chain[0].sha1));
}

TEST_CASE("certificate-not-yet-valid is critical", "[tls][checks]") {
  auto spec = server_spec();
  spec.valid_from = days(2);
  spec.valid_until = days(300);
  CHECK(finding(judge(spec), "certificate-not-yet-valid").severity == Severity::critical);
}

TEST_CASE("certificate-expires-soon: warning within --warn-days, critical within --crit-days, 12018", "[tls][checks]") {
  auto spec = server_spec();
  spec.valid_until = days(20) + std::chrono::hours(1);
  auto a = judge(spec);
  const auto& warn = finding(a, "certificate-expires-soon");
  CHECK(warn.severity == Severity::warning);
  CHECK_THAT(warn.message, Catch::Contains("in 20 days"));
  CHECK(a.status == Status::warning);
  CHECK(events(a) == std::vector<std::pair<int, std::string>>{{12018, "certificate-expires-soon"}});

  spec.valid_until = days(3) + std::chrono::hours(1);
  CHECK(finding(judge(spec), "certificate-expires-soon").severity == Severity::critical);

  tls::JudgeSettings settings;
  settings.warn_days = 10;
  settings.crit_days = 2;
  spec.valid_until = days(20) + std::chrono::hours(1);
  CHECK(codes(judge(spec, "mail.contoso.com", settings)).empty());
  spec.valid_until = days(3) + std::chrono::hours(1);
  CHECK(finding(judge(spec, "mail.contoso.com", settings), "certificate-expires-soon").severity == Severity::warning);
}

TEST_CASE("chain-untrusted is a warning that says why, critical with --require-trusted", "[tls][checks]") {
  auto other_root = lab::issue_certificate(lab::ca_spec("Unknown Root"), nullptr);
  auto leaf = lab::issue_certificate(server_spec(), &other_root);
  Strings chain{leaf.certificate_der(), other_root.certificate_der()};
  auto a = tls::assess_chain(chain, "mail.contoso.com", "x", {{}, pki().anchors.get()}, now);
  const auto& f = finding(a, "chain-untrusted");
  CHECK(f.severity == Severity::warning);
  CHECK_THAT(f.message, Catch::Contains("self-signed certificate in certificate chain") && Catch::Contains("Unknown Root"));
  CHECK_FALSE(a.verification->trusted);
  CHECK(a.verification->error == "self-signed certificate in certificate chain");

  tls::JudgeSettings strict;
  strict.require_trusted = true;
  auto b = tls::assess_chain(chain, "mail.contoso.com", "x", {strict, pki().anchors.get()}, now);
  CHECK(finding(b, "chain-untrusted").severity == Severity::critical);
  CHECK(b.status == Status::critical);
}

TEST_CASE("self-signed is a warning (not also chain-untrusted), critical with --require-trusted", "[tls][checks]") {
  auto a = judge_self_signed(server_spec(), "mail.contoso.com");
  CHECK(codes(a) == Strings{"self-signed"});
  CHECK(finding(a, "self-signed").severity == Severity::warning);
  CHECK_FALSE(a.verification->trusted);
  tls::JudgeSettings strict;
  strict.require_trusted = true;
  CHECK(finding(judge_self_signed(server_spec(), "mail.contoso.com", strict), "self-signed").severity == Severity::critical);
}

TEST_CASE("chain-incomplete: the intermediate was not sent", "[tls][checks]") {
  auto a = judge(server_spec(), "mail.contoso.com", {}, /*send_intermediate=*/false);
  CHECK(codes(a) == Strings{"chain-incomplete"});
  const auto& f = finding(a, "chain-incomplete");
  CHECK(f.severity == Severity::warning);
  CHECK_THAT(f.message, Catch::Contains("Checks Issuing CA"));
  tls::JudgeSettings strict;
  strict.require_trusted = true;
  CHECK(finding(judge(server_spec(), "mail.contoso.com", strict, false), "chain-incomplete").severity == Severity::critical);
}

TEST_CASE("exchange-default-certificate: self-issued, single-label CN, SANs name and FQDN", "[tls][checks]") {
  lab::CertSpec spec;
  spec.organization.clear();
  spec.common_name = "EX01";
  spec.dns_names = {"EX01", "EX01.corp.contoso.com"};
  spec.digest = "SHA1";
  auto a = judge_self_signed(spec, "mail.contoso.com");
  CHECK(finding(a, "exchange-default-certificate").severity == Severity::warning);
  CHECK_THAT(finding(a, "exchange-default-certificate").message, Catch::Contains("EX01"));
  CHECK(finding(a, "name-mismatch").severity == Severity::critical);
  CHECK(a.findings.front().code == "name-mismatch");  // most severe first

  // Not the default: a dotted CN, other SANs, or issued by a CA.
  spec.common_name = "ex01.corp.contoso.com";
  CHECK_FALSE(tls::looks_like_exchange_default(tls::describe_certificate(lab::issue_certificate(spec, nullptr).certificate_der())));
  spec.common_name = "EX01";
  spec.dns_names = {"EX01", "mail.contoso.com"};
  CHECK_FALSE(tls::looks_like_exchange_default(tls::describe_certificate(lab::issue_certificate(spec, nullptr).certificate_der())));
  spec.dns_names = {"EX01", "EX01.corp.contoso.com"};
  CHECK_FALSE(tls::looks_like_exchange_default(
      tls::describe_certificate(lab::issue_certificate(spec, &pki().intermediate).certificate_der())));
}

TEST_CASE("cn-only-match is a warning", "[tls][checks]") {
  auto spec = server_spec();
  spec.dns_names.clear();
  auto a = judge(spec);
  CHECK(codes(a) == Strings{"cn-only-match"});
  CHECK(finding(a, "cn-only-match").severity == Severity::warning);
  CHECK(a.verification->name_match == tls::NameMatch::cn);
  CHECK_FALSE(a.verification->rfc6125_name_match);
}

TEST_CASE("leaf-is-ca is a warning for a CA-issued leaf with CA:TRUE", "[tls][checks]") {
  auto spec = server_spec();
  spec.is_ca = true;
  spec.key_usage = "digitalSignature,keyCertSign";
  CHECK(finding(judge(spec), "leaf-is-ca").severity == Severity::warning);
}

TEST_CASE("weak-key: RSA below 2048 bits is a warning", "[tls][checks]") {
  auto spec = server_spec();
  spec.key = {lab::KeySpec::Kind::rsa, 1024};
  auto a = judge(spec);
  CHECK(finding(a, "weak-key").severity == Severity::warning);
  CHECK_THAT(finding(a, "weak-key").message, Catch::Contains("1024-bit RSA"));
  spec.key = {lab::KeySpec::Kind::rsa, 2048};
  CHECK(codes(judge(spec)).empty());
}

TEST_CASE("weak-signature: SHA-1 on a non-root certificate, never on a self-signed one", "[tls][checks]") {
  auto spec = server_spec();
  spec.digest = "SHA1";
  auto a = judge(spec);
  CHECK(finding(a, "weak-signature").severity == Severity::warning);
  CHECK_THAT(finding(a, "weak-signature").message, Catch::Contains("SHA1"));
  auto self = judge_self_signed(spec, "mail.contoso.com");
  auto self_codes = codes(self);
  CHECK(std::count(self_codes.begin(), self_codes.end(), "weak-signature") == 0);
}

TEST_CASE("starttls-not-offered is critical with 12014, but not for implicit TLS", "[tls][checks]") {
  auto ev = good_dialogue();
  ev.smtp.ehlo = {"250-mail.contoso.com Hello", "250 SIZE"};
  ev.smtp.starttls_offered = false;
  ev.smtp.starttls_reply.clear();
  ev.tls = {};
  auto a = judge(ev);
  CHECK(codes(a) == Strings{"starttls-not-offered"});
  CHECK(a.status == Status::critical);
  CHECK(events(a) == std::vector<std::pair<int, std::string>>{{12014, "no-certificate-for-fqdn"}});
  CHECK_THAT(a.exchange_events[0].summary, Catch::Contains("Default Frontend EX01") && Catch::Contains("mail.contoso.com"));
  CHECK_FALSE(a.verification.has_value());

  ev.target.mode = probe::Mode::implicit;
  CHECK(codes(judge(ev)).empty());
}

TEST_CASE("starttls-rejected is critical with 12014", "[tls][checks]") {
  auto ev = good_dialogue();
  ev.tls = {};
  ev.smtp.starttls_reply = {"454 4.7.0 TLS not available due to local problem"};
  ev.failure = probe::Failure::starttls_rejected;
  ev.failure_phase = probe::Phase::starttls;
  auto a = judge(ev);
  CHECK(codes(a) == Strings{"starttls-rejected"});
  CHECK_THAT(a.findings[0].message, Catch::Contains("454 4.7.0"));
  CHECK(events(a) == std::vector<std::pair<int, std::string>>{{12014, "no-certificate-for-fqdn"}});
}

TEST_CASE("tls-handshake-failed is critical with 12014 certificate-not-valid-for-smtp and Enable-ExchangeCertificate", "[tls][checks]") {
  auto ev = good_dialogue();
  ev.tls.established = false;
  ev.tls.chain_der.clear();
  ev.tls.version.reset();
  ev.tls.error = "sslv3 alert handshake failure";
  ev.smtp.ehlo_after_tls.clear();
  ev.failure = probe::Failure::handshake_failed;
  ev.failure_phase = probe::Phase::handshake;
  auto a = judge(ev);
  CHECK(codes(a) == Strings{"tls-handshake-failed"});
  CHECK_THAT(a.findings[0].message, Catch::Contains("handshake failure"));
  REQUIRE(events(a) == std::vector<std::pair<int, std::string>>{{12014, "certificate-not-valid-for-smtp"}});
  const auto& steps = a.exchange_events[0].remediation;
  CHECK(std::any_of(steps.begin(), steps.end(), [](const std::string& s) {
    return s.rfind("Enable-ExchangeCertificate -Thumbprint", 0) == 0 && s.find("-Services SMTP") != std::string::npos;
  }));
}

TEST_CASE("a certificate that names the FQDN but is not enabled: Enable-ExchangeCertificate with the leaf's SHA-1", "[tls][checks]") {
  auto ev = good_dialogue();
  ev.failure = probe::Failure::handshake_failed;  // handshake failed after the certificate arrived
  ev.tls.established = false;
  auto a = judge(ev);
  REQUIRE_FALSE(a.exchange_events.empty());
  const auto& steps = a.exchange_events[0].remediation;
  std::string enable = "Enable-ExchangeCertificate -Thumbprint " + a.chain.at(0).sha1 + " -Services SMTP";
  CHECK(std::find(steps.begin(), steps.end(), enable) != steps.end());
}

TEST_CASE("fqdn-differs: the server announces another FQDN than expected", "[tls][checks]") {
  auto ev = good_dialogue();
  ev.advertised_fqdn = "ex01.corp.contoso.com";
  auto a = judge(ev);
  CHECK(codes(a) == Strings{"fqdn-differs"});
  CHECK(a.findings[0].severity == Severity::warning);
  CHECK_THAT(a.findings[0].message, Catch::Contains("ex01.corp.contoso.com") && Catch::Contains("mail.contoso.com"));
  ev.advertised_fqdn = "MAIL.contoso.com.";  // case and trailing dot do not count
  CHECK(codes(judge(ev)).empty());
  ev.target.expected_fqdn.reset();  // nothing expected: nothing differs
  ev.advertised_fqdn = "ex01.corp.contoso.com";
  CHECK(codes(judge(ev)).empty());
}

TEST_CASE("legacy-tls for TLS 1.0 and 1.1", "[tls][checks]") {
  auto ev = good_dialogue();
  ev.tls.version = "TLSv1";
  CHECK(codes(judge(ev)) == Strings{"legacy-tls"});
  ev.tls.version = "TLSv1.1";
  CHECK(codes(judge(ev)) == Strings{"legacy-tls"});
  ev.tls.version = "TLSv1.2";
  CHECK(codes(judge(ev)).empty());
}

TEST_CASE("starttls-injection quotes the discarded bytes as they were, bounded, and each format escapes them", "[tls][checks]") {
  auto ev = good_dialogue();
  ev.smtp.injected = "250-injected\r\n\x1b[31m" + std::string(500, 'x');
  ev.smtp.injected_bytes = ev.smtp.injected.size();
  auto a = judge(ev);
  CHECK(codes(a) == Strings{"starttls-injection"});
  const std::string& message = a.findings[0].message;
  CHECK_THAT(message, Catch::Contains("sent 519 bytes"));
  CHECK_THAT(message, Catch::Contains("250-injected\r\n\x1b[31mxxx"));
  CHECK(message.size() < 300);  // the quote is cut: 60 bytes of it
  CHECK_THAT(report::terminal_safe(message), Catch::Contains("250-injected\\x0D\\x0A\\x1B[31m"));
}

TEST_CASE("smtp-inspection-suspected: a masked greeting or XXXXXXXA", "[tls][checks]") {
  auto ev = good_dialogue();
  ev.smtp.greeting = {"220 ****************************************************2*0*0**0*"};
  ev.advertised_fqdn.reset();
  ev.smtp.ehlo = {"250-mail.contoso.com Hello", "250-XXXXXXXA", "250 SIZE"};
  ev.smtp.starttls_offered = false;
  ev.tls = {};
  auto a = judge(ev);
  CHECK(finding(a, "smtp-inspection-suspected").severity == Severity::warning);
  CHECK_THAT(finding(a, "starttls-not-offered").message, Catch::Contains("firewall"));

  auto plain = good_dialogue();
  plain.smtp.ehlo = {"250-mail.contoso.com Hello", "250-XXXXXXXA", "250 STARTTLS"};
  CHECK(codes(judge(plain)) == Strings{"smtp-inspection-suspected"});
}

TEST_CASE("ehlo-after-tls-failed is a warning", "[tls][checks]") {
  auto ev = good_dialogue();
  ev.smtp.ehlo_after_tls.clear();
  ev.smtp.ehlo_after_tls_failed = true;
  ev.failure_detail = "the server closed the connection during ehlo-after-tls";
  auto a = judge(ev);
  CHECK(codes(a) == Strings{"ehlo-after-tls-failed"});
  CHECK(a.status == Status::warning);
}

TEST_CASE("client-certificate-requested is info and leaves the status ok", "[tls][checks]") {
  auto ev = good_dialogue();
  ev.tls.client_certificate_requested = true;
  auto a = judge(ev);
  CHECK(codes(a) == Strings{"client-certificate-requested"});
  CHECK(a.findings[0].severity == Severity::info);
  CHECK(a.status == Status::ok);
}

TEST_CASE("probe failures map to their unknown-severity codes, naming the phase", "[tls][checks]") {
  auto failed = [](probe::Failure failure, probe::Phase phase, std::string detail) {
    probe::Evidence ev;
    ev.target = probe::parse_target("mail.contoso.com");
    ev.failure = failure;
    ev.failure_phase = phase;
    ev.failure_detail = std::move(detail);
    return ev;
  };
  struct Case {
    probe::Failure failure;
    probe::Phase phase;
    const char* code;
  };
  for (auto c : {Case{probe::Failure::dns, probe::Phase::resolve, "dns-failed"},
                 Case{probe::Failure::timeout, probe::Phase::resolve, "dns-failed"},
                 Case{probe::Failure::connect, probe::Phase::connect, "connect-failed"},
                 Case{probe::Failure::timeout, probe::Phase::greeting, "timeout"},
                 Case{probe::Failure::greeting_rejected, probe::Phase::greeting, "greeting-rejected"},
                 Case{probe::Failure::ehlo_rejected, probe::Phase::ehlo, "ehlo-rejected"},
                 Case{probe::Failure::protocol_error, probe::Phase::ehlo, "protocol-error"}}) {
    auto a = judge(failed(c.failure, c.phase, "detail"));
    INFO(c.code);
    CHECK(codes(a) == Strings{c.code});
    CHECK(a.findings[0].severity == Severity::unknown);
    CHECK(a.status == Status::unknown);
    CHECK(a.exchange_events.empty());
  }
  for (auto phase : {probe::Phase::connect, probe::Phase::greeting, probe::Phase::ehlo, probe::Phase::starttls,
                     probe::Phase::handshake}) {
    auto a = judge(failed(probe::Failure::timeout, phase, "x"));
    CHECK_THAT(a.findings[0].message, Catch::EndsWith(std::string("phase ") + probe::to_string(phase)));
  }
  auto deadline = failed(probe::Failure::timeout, probe::Phase::handshake, "x");
  deadline.deadline_hit = true;
  CHECK_THAT(judge(deadline).findings[0].message, Catch::Contains("phase deadline"));
}

TEST_CASE("status is the worst finding and the exit code follows critical > unknown > warning > ok", "[tls][checks]") {
  using F = tls::Finding;
  CHECK(tls::status_of({}) == Status::ok);
  CHECK(tls::status_of({F{"a", Severity::info, "", ""}}) == Status::ok);
  CHECK(tls::status_of({F{"a", Severity::warning, "", ""}, F{"b", Severity::info, "", ""}}) == Status::warning);
  CHECK(tls::status_of({F{"a", Severity::warning, "", ""}, F{"b", Severity::unknown, "", ""}}) == Status::unknown);
  CHECK(tls::status_of({F{"a", Severity::unknown, "", ""}, F{"b", Severity::critical, "", ""}}) == Status::critical);

  tls::Tally tally;
  CHECK(tally.exit_code() == 0);
  tally.add(Status::ok);
  CHECK(tally.exit_code() == 0);
  tally.add(Status::warning);
  CHECK(tally.exit_code() == 1);
  tally.add(Status::unknown);
  CHECK(tally.exit_code() == 3);
  tally.add(Status::critical);
  CHECK(tally.exit_code() == 2);
  CHECK(tally.total() == 4);
}
