// The resolver and the mail-domain checks against a real authoritative DNS server (nsd) serving
// zones signed at test time: DNSSEC states, MX targets, DANE. No mock resolver anywhere.

#include <ctime>
#include <map>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/json/parse.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/openssl_ptr.hpp"
#include "core/text.hpp"
#include "dns_server.hpp"
#include "net/asio.hpp"
#include "probe/dns.hpp"
#include "probe_helpers.hpp"
#include "report/writer.hpp"
#include "report_fixtures.hpp"
#include "tls/assessment.hpp"

using namespace stp;

namespace {

net::awaitable<void> ask(probe::Resolver& resolver, std::string name, std::uint16_t type, std::chrono::milliseconds timeout,
                         probe::DnsAnswer& out) {
  out = co_await resolver.query(std::move(name), type, timeout);
}

// Asks every question at once on one event loop and returns the answers in order.
std::vector<probe::DnsAnswer> ask_all(const probe::DnsSettings& settings, const std::vector<std::string>& names,
                                      std::uint16_t type, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  net::io_context io(1);
  probe::Resolver resolver(io.get_executor(), settings);
  std::vector<probe::DnsAnswer> answers(names.size());
  for (std::size_t i = 0; i < names.size(); ++i)
    net::co_spawn(io, ask(resolver, names[i], type, timeout, answers[i]), net::detached);
  io.run();
  return answers;
}

std::string sha256(const std::string& bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &length, EVP_sha256(), nullptr);
  return core::hex(std::string_view(reinterpret_cast<const char*>(out), length));
}

std::string spki_sha256(const std::string& der) {
  const auto* input = reinterpret_cast<const unsigned char*>(der.data());
  core::UniqueX509 certificate(d2i_X509(nullptr, &input, static_cast<long>(der.size())));
  unsigned char* spki = nullptr;
  int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(certificate.get()), &spki);
  std::string bytes(reinterpret_cast<const char*>(spki), static_cast<std::size_t>(length));
  OPENSSL_free(spki);
  return sha256(bytes);
}

std::set<std::string> codes_of(const tls::Assessment& a) {
  std::set<std::string> codes;
  for (const auto& f : a.findings) codes.insert(f.code);
  return codes;
}

const tls::Finding* finding(const tls::Assessment& a, const std::string& code) {
  for (const auto& f : a.findings)
    if (f.code == code) return &f;
  return nullptr;
}

}  // namespace

TEST_CASE("the resolver: secure, insecure and bogus answers, NXDOMAIN, SERVFAIL and silence", "[dns]") {
  test::TestDnsServer dns({{"signed.test", "signed", "mx1 A 127.0.0.1\nmx1 AAAA ::1\n"},
                           {"plain.test", "unsigned", "mx1 A 127.0.0.2\n"},
                           {"stale.test", "expired", "mx1 A 127.0.0.3\n"},
                           {"forged.test", "tampered", "mx1 A 127.0.0.4\n"}});
  probe::DnsSettings settings{{dns.address()}, dns.anchors()};
  auto answers = ask_all(settings, {"mx1.signed.test", "mx1.plain.test", "mx1.stale.test", "mx1.forged.test",
                                    "nothing.signed.test", "mx1.elsewhere.test"},
                         probe::rrtype::a);
  using Status = probe::DnsAnswer::Status;
  CHECK(answers[0].status == Status::answered);
  CHECK(answers[0].dnssec == probe::Dnssec::secure);
  CHECK(answers[0].records == std::vector<std::string>{std::string("\x7f\x00\x00\x01", 4)});
  CHECK(answers[1].dnssec == probe::Dnssec::insecure);  // under no anchor
  CHECK(answers[1].status == Status::answered);
  CHECK(answers[2].dnssec == probe::Dnssec::bogus);
  CHECK_THAT(answers[2].why_bogus, Catch::Contains("expired"));
  CHECK(answers[3].dnssec == probe::Dnssec::bogus);
  CHECK(answers[4].status == Status::nxdomain);
  CHECK(answers[4].dnssec == probe::Dnssec::secure);  // the denial is signed too
  CHECK(answers[5].status == Status::servfail);       // a zone the server does not serve
  CHECK_THAT(probe::describe_failure(answers[2]), Catch::StartsWith("DNSSEC validation failed: "));

  SECTION("without an anchor nothing is validated") {
    auto plain = ask_all({{dns.address()}, std::nullopt}, {"mx1.signed.test", "mx1.stale.test"}, probe::rrtype::a);
    CHECK(plain[0].dnssec == probe::Dnssec::insecure);
    CHECK(plain[1].dnssec == probe::Dnssec::insecure);
    CHECK(plain[1].status == Status::answered);
  }
  SECTION("a server that never answers costs the question its time, and says so") {
    net::io_context io;
    net::ip::udp::socket silent(io, net::ip::udp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    std::string address = "127.0.0.1:" + std::to_string(silent.local_endpoint().port());
    auto late = ask_all({{address}, std::nullopt}, {"a.signed.test", "b.signed.test"}, probe::rrtype::a,
                        std::chrono::milliseconds(500));
    CHECK(late[0].status == Status::timeout);
    CHECK(late[1].status == Status::timeout);
    CHECK(probe::describe_failure(late[0]) == "no answer within --timeout");
    // Given up, the questions leave the event loop nothing to wait for, although libunbound would
    // go on retrying them: the loop ends by itself (bounded here so that a regression fails, not hangs).
    net::io_context loop(1);
    probe::Resolver resolver(loop.get_executor(), {{address}, std::nullopt});
    probe::DnsAnswer answer;
    net::co_spawn(loop, ask(resolver, "c.signed.test", probe::rrtype::a, std::chrono::milliseconds(300), answer), net::detached);
    loop.run_for(std::chrono::seconds(5));
    CHECK(loop.stopped());
    CHECK(answer.status == Status::timeout);
  }
  SECTION("bad settings are input errors") {
    CHECK_THROWS_AS(probe::forwarder_address("not an address"), probe::DnsSetupError);
    CHECK(probe::forwarder_address("[::1]:5353") == "::1@5353");
    CHECK(probe::forwarder_address("127.0.0.1") == "127.0.0.1@53");
    net::io_context io;
    CHECK_THROWS_WITH(probe::Resolver(io.get_executor(), {{dns.address()}, std::string("/nonexistent/anchors")}),
                      Catch::StartsWith("--dnssec-anchor /nonexistent/anchors: cannot read it"));
    CHECK_THROWS_WITH(probe::Resolver(io.get_executor(), {{dns.address()}, dns.anchors() + ".missing"}),
                      Catch::Contains("cannot read it"));
  }
}

TEST_CASE("ten thousand names resolve at once on one event loop", "[dns]") {
  std::string records;
  std::vector<std::string> names;
  for (int i = 0; i < 10000; ++i) {
    records += "h" + std::to_string(i) + " A 127.1." + std::to_string(i / 256) + "." + std::to_string(i % 256) + "\n";
    names.push_back("h" + std::to_string(i) + ".many.test");
  }
  test::TestDnsServer dns({{"many.test", "unsigned", records}});
  auto answers = ask_all({{dns.address()}, std::nullopt}, names, probe::rrtype::a, std::chrono::seconds(60));
  std::size_t right = 0;
  for (int i = 0; i < 10000; ++i) {
    const auto& a = answers[static_cast<std::size_t>(i)];
    std::string expected{'\x7f', '\x01', static_cast<char>(i / 256), static_cast<char>(i % 256)};
    right += a.status == probe::DnsAnswer::Status::answered && a.records.size() == 1 && a.records[0] == expected;
  }
  CHECK(right == 10000);
}

TEST_CASE("mx: targets and DANE end to end against signed zones", "[dns][lab]") {
  lab::Lab lab;
  const auto& endpoint = lab.add(lab::Scenario::wildcard);  // *.contoso.test, leaf + intermediate
  REQUIRE(endpoint.chain_der.size() >= 2);
  const std::string ee = spki_sha256(endpoint.chain_der[0]);
  const std::string ta = sha256(endpoint.chain_der[1]);
  test::TestDnsServer dns({
      {"contoso.test", "signed",
       "@ MX 10 ee\n@ MX 20 ta\n@ MX 20 mail\n"
       "ee A 127.0.0.1\n_25._tcp.ee TLSA 3 1 1 " + ee + "\n"
       "ta A 127.0.0.1\n_25._tcp.ta TLSA 2 0 1 " + ta + "\n"
       "mail A 127.0.0.1\n"
       "wrong A 127.0.0.1\n_25._tcp.wrong TLSA 3 1 1 " + std::string(64, '0') + "\n"
       "pkix A 127.0.0.1\n_25._tcp.pkix TLSA 1 1 1 " + ee + "\n"
       "alias CNAME ee\n"
       "mismatch MX 10 wrong\nunusable MX 10 pkix\nnullmx MX 0 .\nnomx A 127.0.0.1\n"
       "cname MX 10 alias\ncname MX 20 127.0.0.9.\n"},
      {"insecure.test", "unsigned", "@ MX 10 mx\nmx A 127.0.0.1\n_25._tcp.mx TLSA 3 1 1 " + ee + "\n"},
      {"bogus.test", "tampered", "@ MX 10 mx\nmx A 127.0.0.1\n_25._tcp.mx TLSA 3 1 1 " + ee + "\n"},
      {"expired.test", "expired", "@ MX 10 mx\nmx A 127.0.0.1\n"},
  });
  auto settings = test::quick_settings();
  settings.probe.dns = {{dns.address()}, dns.anchors()};
  probe::ConnectTo to_lab;  // every host's port 25 is the lab endpoint
  to_lab.port = 25;
  to_lab.to_host = "127.0.0.1";
  to_lab.to_port = endpoint.port;
  settings.probe.connect_to.push_back(to_lab);
  auto anchors = tls::TrustAnchors::from_pem(lab.ca_pem());
  auto judged = [&](const std::string& target, const probe::ScanSettings& s) {
    std::map<std::string, std::pair<probe::Evidence, tls::Assessment>> by_host;
    for (auto& ev : test::scan({probe::parse_target(target)}, s)) {
      auto a = tls::assess(ev, {{}, &anchors}, std::time(nullptr));
      std::string host = ev.target.host;
      by_host.emplace(host, std::make_pair(std::move(ev), std::move(a)));
    }
    return by_host;
  };

  SECTION("a domain's MX hosts in preference order; DANE-EE and DANE-TA match, a host without TLSA has none") {
    auto results = judged("mx:contoso.test", settings);
    REQUIRE(results.size() == 3);
    // One target's MX hosts are probed one after another, lowest preference first, equal ones by name.
    probe::TargetSource source({probe::parse_target("mx:contoso.test")}, std::nullopt, std::nullopt);
    std::vector<std::string> order;
    probe::run_scan(source, settings, [&](probe::Evidence&& e) { order.push_back(e.target.host); });
    CHECK(order == std::vector<std::string>{"ee.contoso.test", "mail.contoso.test", "ta.contoso.test"});
    const auto& [ee_ev, ee_a] = results.at("ee.contoso.test");
    CHECK(ee_ev.dns.domain == "contoso.test");
    CHECK(ee_ev.dns.mx_preference == 10);
    CHECK(ee_ev.dns.mx_dnssec == probe::Dnssec::secure);
    CHECK(ee_ev.dns.address_dnssec == probe::Dnssec::secure);
    CHECK(ee_ev.checked_fqdn == "ee.contoso.test");
    REQUIRE(ee_a.dane);
    CHECK(ee_a.dane->result == "match");
    CHECK_THAT(ee_a.dane->matched, Catch::StartsWith("DANE-EE 3 1 1"));
    CHECK(ee_a.status == tls::Status::ok);
    const auto& ta_a = results.at("ta.contoso.test").second;
    REQUIRE(ta_a.dane);
    CHECK(ta_a.dane->result == "match");
    CHECK_THAT(ta_a.dane->matched, Catch::StartsWith("DANE-TA 2 0 1"));
    const auto& [mail_ev, mail_a] = results.at("mail.contoso.test");
    CHECK(mail_ev.dns.mx_preference == 20);
    CHECK(mail_ev.dns.mx_hosts_same_preference == std::vector<std::string>{"ta.contoso.test"});
    REQUIRE(mail_a.dane);
    CHECK(mail_a.dane->result == "none");
    CHECK(codes_of(mail_a).count("dane-mismatch") == 0);
  }
  SECTION("a TLSA record that matches nothing: dane-mismatch with the record to publish") {
    auto results = judged("mx:mismatch.contoso.test", settings);
    const auto& a = results.at("wrong.contoso.test").second;
    CHECK(a.dane->result == "mismatch");
    CHECK(a.status == tls::Status::critical);
    const auto* f = finding(a, "dane-mismatch");
    REQUIRE(f);
    CHECK_THAT(f->remedy, Catch::Contains("_25._tcp.wrong.contoso.test. IN TLSA 3 1 1 " + ee));
  }
  SECTION("only PKIX usages: dane-unusable") {
    auto results = judged("mx:unusable.contoso.test", settings);
    const auto& a = results.at("pkix.contoso.test").second;
    CHECK(a.dane->result == "unusable");
    CHECK(codes_of(a).count("dane-unusable") == 1);
    CHECK_FALSE(a.dane->records.at(0).usable);
  }
  SECTION("a null MX is not probed; no MX is the domain itself") {
    auto null_mx = judged("mx:nullmx.contoso.test", settings);
    REQUIRE(null_mx.size() == 1);
    const auto& [ev, a] = null_mx.begin()->second;
    CHECK(ev.dns.null_mx);
    CHECK_FALSE(ev.dns.mx_preference);
    CHECK(codes_of(a) == std::set<std::string>{"null-mx"});
    CHECK(a.status == tls::Status::ok);
    CHECK(ev.smtp.greeting.empty());
    auto implicit = judged("mx:nomx.contoso.test", settings);
    const auto& [iev, ia] = implicit.at("nomx.contoso.test");
    CHECK(iev.dns.implicit_mx);
    CHECK(iev.dns.mx_preference == 0);
    CHECK(codes_of(ia).count("implicit-mx") == 1);
    CHECK_FALSE(iev.smtp.greeting.empty());  // probed
  }
  SECTION("a CNAME'd MX host is followed, its TLSA sought at the target; an address as MX is not probed") {
    auto results = judged("mx:cname.contoso.test", settings);
    REQUIRE(results.size() == 2);
    const auto& [ev, a] = results.at("alias.contoso.test");
    CHECK(ev.dns.canonical_name == "ee.contoso.test");
    CHECK(a.dane->tlsa_name == "_25._tcp.ee.contoso.test");
    CHECK(a.dane->result == "match");
    CHECK(finding(a, "mx-not-conforming")->severity == tls::Severity::info);
    const auto& [lev, la] = results.at("127.0.0.9");
    CHECK(finding(la, "mx-not-conforming")->severity == tls::Severity::warning);
    CHECK(lev.smtp.greeting.empty());
  }
  SECTION("TLSA in an unsigned zone is ignored by senders: dane-insecure") {
    auto results = judged("mx:insecure.test", settings);
    const auto& a = results.at("mx.insecure.test").second;
    CHECK(a.dane->result == "insecure");
    CHECK(codes_of(a).count("dane-insecure") == 1);
  }
  SECTION("broken and expired signatures: dane-bogus, critical, with the validator's reason") {
    auto forged = judged("mx:bogus.test", settings);
    const auto& a = forged.at("mx.bogus.test").second;
    const auto* f = finding(a, "dane-bogus");
    REQUIRE(f);
    CHECK(f->severity == tls::Severity::critical);
    CHECK_THAT(f->message, Catch::Contains("address records of mx.bogus.test failed DNSSEC validation"));
    auto stale = judged("mx:expired.test", settings);
    const auto* g = finding(stale.begin()->second.second, "dane-bogus");
    REQUIRE(g);
    CHECK_THAT(g->message, Catch::Contains("the MX records of expired.test failed DNSSEC validation"));
  }
  SECTION("a domain that does not exist, a zone the server does not serve: dns-failed, unknown") {
    auto missing = judged("mx:missing.contoso.test", settings);
    const auto& a = missing.begin()->second.second;
    CHECK_THAT(finding(a, "dns-failed")->message, Catch::Contains("NXDOMAIN (the mail domain does not exist)"));
    auto elsewhere = judged("mx:elsewhere.test", settings);
    CHECK_THAT(finding(elsewhere.begin()->second.second, "dns-failed")->message, Catch::Contains("SERVFAIL"));
    CHECK(elsewhere.begin()->second.second.status == tls::Status::unknown);
  }
  SECTION("a host target is checked against its TLSA records too; --no-dane skips them") {
    auto host = judged("wrong.contoso.test", settings);
    CHECK(host.at("wrong.contoso.test").second.dane->result == "mismatch");
    auto off = settings;
    off.probe.dane = false;
    auto skipped = judged("wrong.contoso.test", off);
    CHECK_FALSE(skipped.at("wrong.contoso.test").second.dane);
  }
}

namespace {

// A response in wire form: the header's rcode and counts, the question, then `answers` as given.
std::string message(int rcode, std::string_view question_wire, std::uint16_t type, int answer_count, const std::string& answers) {
  std::string m{'\x12', '\x34', '\x81', static_cast<char>(0x80 | rcode), 0, 1, 0, static_cast<char>(answer_count), 0, 0, 0, 0};
  m += question_wire;
  m += {static_cast<char>(type >> 8), static_cast<char>(type & 0xFF), 0, 1};
  return m + answers;
}

std::string record(std::string_view owner_wire, std::uint16_t type, const std::string& data) {
  std::string r(owner_wire);
  r += {static_cast<char>(type >> 8), static_cast<char>(type & 0xFF), 0, 1, 0, 0, 0x0E, 0x10,
        static_cast<char>(data.size() >> 8), static_cast<char>(data.size() & 0xFF)};
  return r + data;
}

const std::string contoso = std::string("\x07" "contoso\x04" "test\x00", 14);
const std::string at_question = "\xC0\x0C";  // a pointer to the question's name

}  // namespace

TEST_CASE("DNS responses as libunbound's event interface hands them", "[dns]") {
  using probe::parse_dns_message;
  SECTION("an MX whose host is compressed against the question is written out whole") {
    std::string mx_data = std::string("\x00\x0A\x04mail", 7) + at_question;
    auto m = parse_dns_message(message(0, contoso, probe::rrtype::mx, 1, record(at_question, probe::rrtype::mx, mx_data)));
    REQUIRE(m);
    REQUIRE(m->records.size() == 1);
    auto mx = probe::parse_mx(m->records[0]);
    REQUIRE(mx);
    CHECK(mx->preference == 10);
    CHECK(mx->host == "mail.contoso.test");
    CHECK(m->canonical_name.empty());
  }
  SECTION("a CNAME chain is followed to the records of the asked type") {
    // contoso.test CNAME host.contoso.test; the A record's owner points at the CNAME's data.
    std::string target = std::string("\x04host", 5) + at_question;
    std::string packet = message(0, contoso, probe::rrtype::a, 2, record(at_question, 5, target));
    auto target_at = static_cast<char>(packet.size() - target.size());
    packet += record(std::string{static_cast<char>(0xC0), target_at}, probe::rrtype::a, std::string("\x7F\x00\x00\x05", 4));
    auto m = parse_dns_message(packet);
    REQUIRE(m);
    CHECK(m->canonical_name == "host.contoso.test");
    CHECK(m->records == std::vector<std::string>{std::string("\x7F\x00\x00\x05", 4)});
  }
  SECTION("rcodes: NXDOMAIN, NODATA") {
    auto nx = parse_dns_message(message(3, contoso, probe::rrtype::a, 0, ""));
    REQUIRE(nx);
    CHECK(nx->rcode == 3);
    auto nodata = parse_dns_message(message(0, contoso, probe::rrtype::tlsa, 0, ""));
    REQUIRE(nodata);
    CHECK(nodata->rcode == 0);
    CHECK(nodata->records.empty());
  }
  SECTION("nsd's own answers, names compressed (testdata/fuzz/dns_records/response-*, a signed zone)") {
    auto mx = parse_dns_message(test::read_file(test::testdata_path("fuzz/dns_records/response-mx-signed")));
    REQUIRE(mx);
    std::set<std::string> hosts;
    for (const auto& data : mx->records) hosts.insert(probe::parse_mx(data).value_or(probe::MxRecord{}).host);
    CHECK(hosts == std::set<std::string>{"mail.contoso.test", "backup.contoso.test"});
    auto cname = parse_dns_message(test::read_file(test::testdata_path("fuzz/dns_records/response-cname-a")));
    REQUIRE(cname);
    CHECK(cname->canonical_name == "mail.contoso.test");
    CHECK(cname->records == std::vector<std::string>{std::string("\x7F\x00\x00\x05", 4)});
    auto nx = parse_dns_message(test::read_file(test::testdata_path("fuzz/dns_records/response-nxdomain-nsec")));
    REQUIRE(nx);
    CHECK(nx->rcode == 3);
  }
  SECTION("hostile packets are refused, never followed far") {
    CHECK_FALSE(parse_dns_message("short"));
    // A pointer to itself, a pointer forwards, a record longer than the packet, a CNAME loop.
    CHECK_FALSE(parse_dns_message(message(0, at_question, probe::rrtype::a, 0, "")));
    CHECK_FALSE(parse_dns_message(message(0, std::string("\xC0\x20", 2), probe::rrtype::a, 0, "")));
    std::string cut = message(0, contoso, probe::rrtype::a, 1, record(at_question, probe::rrtype::a, std::string("\x7F\x00\x00\x01", 4)));
    CHECK_FALSE(parse_dns_message(cut.substr(0, cut.size() - 2)));
    std::string loop = message(0, contoso, probe::rrtype::a, 1, record(at_question, 5, at_question));
    auto m = parse_dns_message(loop);
    REQUIRE(m);
    CHECK(m->records.empty());
  }
}

TEST_CASE("mx: targets under MTA-STS and TLS-RPT, each policy served by a real HTTPS site", "[dns][lab]") {
  lab::Lab lab;
  const auto& wildcard = lab.add(lab::Scenario::wildcard);  // *.contoso.test in a DNS subjectAltName
  const auto& cn_only = lab.add(lab::Scenario::cn_only);    // cn.contoso.test in the CN alone
  const std::string enforce = "version: STSv1\r\nmode: enforce\r\nmx: *.contoso.test\r\nmax_age: 604800\r\n";
  const std::string testing = "version: STSv1\nmode: testing\nmx: other.contoso.test\nmax_age: 86400\n";
  const std::string unlisted = "version: STSv1\nmode: enforce\nmx: other.contoso.test\nmax_age: 86400\n";
  using Answer = lab::PolicySite::Answer;
  struct Case {
    std::string domain;
    lab::PolicySite site;
  };
  std::vector<Case> cases = {
      {"good", {"mta-sts.good.sts.test", "", Answer::policy, enforce}},
      {"testing", {"mta-sts.testing.sts.test", "", Answer::policy, testing}},
      {"unlisted", {"mta-sts.unlisted.sts.test", "", Answer::policy, unlisted}},
      {"cnonly", {"mta-sts.cnonly.sts.test", "", Answer::policy, "version: STSv1\nmode: enforce\nmx: cn.contoso.test\nmax_age: 600\n"}},
      {"notfound", {"mta-sts.notfound.sts.test", "", Answer::not_found, ""}},
      {"redirect", {"mta-sts.redirect.sts.test", "", Answer::redirect, ""}},
      {"html", {"mta-sts.html.sts.test", "", Answer::wrong_type, ""}},
      {"big", {"mta-sts.big.sts.test", "", Answer::oversized, ""}},
      {"endless", {"mta-sts.endless.sts.test", "", Answer::endless, ""}},
      {"malformed", {"mta-sts.malformed.sts.test", "", Answer::policy, "version: STSv1\nmode enforce\nmx: *.contoso.test\nmax_age: 600\n"}},
      {"othername", {"mta-sts.othername.sts.test", "www.elsewhere.test", Answer::policy, enforce}},
      {"silent", {"mta-sts.silent.sts.test", "", Answer::silent, ""}},
  };
  std::string records;
  auto settings = test::quick_settings();
  settings.probe.reply_timeout = std::chrono::seconds(3);
  for (const auto& c : cases) {
    std::uint16_t port = lab.add_policy_site(c.site);
    probe::ConnectTo to_site;
    to_site.host = c.site.host;
    to_site.port = 443;
    to_site.to_host = "127.0.0.1";
    to_site.to_port = port;
    settings.probe.connect_to.push_back(to_site);
    std::string mx = c.domain == "cnonly" ? "cn.contoso.test." : "mx1.contoso.test.";
    records += c.domain + " MX 10 " + mx + "\n_mta-sts." + c.domain + " TXT \"v=STSv1; id=20261129" + c.domain + "\"\n";
  }
  records += "_smtp._tls.good TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@good.sts.test,https://reports.good.sts.test/tlsrpt\"\n";
  records += "twice MX 10 mx1.contoso.test.\n_mta-sts.twice TXT \"v=STSv1; id=1\"\n_mta-sts.twice TXT \"v=STSv1; id=2\"\n";
  records += "none MX 10 mx1.contoso.test.\n";
  test::TestDnsServer dns({{"contoso.test", "signed", "mx1 A 127.0.0.1\ncn A 127.0.0.1\n"}, {"sts.test", "unsigned", records}});
  settings.probe.dns = {{dns.address()}, dns.anchors()};
  for (auto [host, port] : {std::pair{std::string("cn.contoso.test"), cn_only.port}, std::pair{std::string(), wildcard.port}}) {
    probe::ConnectTo to_lab;  // port 25 of cn.contoso.test to the CN-only endpoint, every other to the wildcard one
    to_lab.host = host;
    to_lab.port = 25;
    to_lab.to_host = "127.0.0.1";
    to_lab.to_port = port;
    settings.probe.connect_to.push_back(to_lab);
  }
  auto anchors = tls::TrustAnchors::from_pem(lab.ca_pem());
  auto judged = [&](const std::string& domain, const probe::ScanSettings& s) {
    auto results = test::scan({probe::parse_target("mx:" + domain + ".sts.test")}, s);
    REQUIRE(results.size() == 1);
    auto a = tls::assess(results[0], {{}, &anchors}, std::time(nullptr));
    return std::make_pair(std::move(results[0]), std::move(a));
  };
  auto error_of = [&](const std::string& domain) {
    auto [ev, a] = judged(domain, settings);
    REQUIRE(a.mta_sts);
    CHECK(codes_of(a).count("mta-sts-policy-error") == 1);
    CHECK(a.status == tls::Status::warning);
    return a.mta_sts->error;
  };

  SECTION("a good policy in enforce mode: listed, the certificate passes, TLS-RPT's addresses shown") {
    auto [ev, a] = judged("good", settings);
    REQUIRE(a.mta_sts);
    CHECK(a.mta_sts->error.empty());
    CHECK(a.mta_sts->policy_id == "20261129good");
    CHECK(a.mta_sts->mode == tls::StsMode::enforce);
    CHECK(a.mta_sts->mx_patterns == std::vector<std::string>{"*.contoso.test"});
    CHECK(a.mta_sts->max_age == 604800);
    CHECK(a.mta_sts->mx_listed == true);
    CHECK(a.mta_sts->certificate_ok == true);
    REQUIRE(a.tls_rpt);
    CHECK(a.tls_rpt->rua == std::vector<std::string>{"mailto:tlsrpt@good.sts.test", "https://reports.good.sts.test/tlsrpt"});
    CHECK(a.status == tls::Status::ok);
    REQUIRE(ev.dns.mta_sts);
    REQUIRE(ev.dns.mta_sts->fetch);
    CHECK(ev.dns.mta_sts->fetch->address == "127.0.0.1");  // through --connect-to, under its own name
  }
  SECTION("testing mode, MX not listed: a warning, and no TLS-RPT record to hear of it") {
    auto [ev, a] = judged("testing", settings);
    const auto* f = finding(a, "mta-sts-mx-not-listed");
    REQUIRE(f);
    CHECK(f->severity == tls::Severity::warning);
    CHECK_THAT(f->remedy, Catch::Contains("mx: mx1.contoso.test"));
    CHECK(a.mta_sts->mx_listed == false);
    CHECK(codes_of(a).count("tls-rpt-missing") == 1);
    CHECK_FALSE(a.tls_rpt);
  }
  SECTION("enforce mode, MX not listed: critical") {
    auto [ev, a] = judged("unlisted", settings);
    CHECK(finding(a, "mta-sts-mx-not-listed")->severity == tls::Severity::critical);
    CHECK(a.status == tls::Status::critical);
  }
  SECTION("a certificate that names the MX host in its CN only fails MTA-STS, critical in enforce") {
    auto [ev, a] = judged("cnonly", settings);
    CHECK(a.mta_sts->mx_listed == true);
    CHECK(a.mta_sts->certificate_ok == false);
    const auto* f = finding(a, "mta-sts-certificate-invalid");
    REQUIRE(f);
    CHECK(f->severity == tls::Severity::critical);
    CHECK_THAT(f->message, Catch::Contains("subjectAltName"));
  }
  SECTION("policies that cannot be had: each says why, as a warning") {
    CHECK_THAT(error_of("notfound"), Catch::Contains("HTTP 404"));
    CHECK_THAT(error_of("redirect"), Catch::Contains("redirect") && Catch::Contains("policies.elsewhere.test"));
    CHECK_THAT(error_of("html"), Catch::Contains("not text/plain"));
    CHECK_THAT(error_of("big"), Catch::Contains("64 KiB"));
    CHECK_THAT(error_of("endless"), Catch::Contains("64 KiB"));
    CHECK_THAT(error_of("malformed"), Catch::Contains("line 2"));
    CHECK_THAT(error_of("othername"), Catch::Contains("does not name mta-sts.othername.sts.test"));
    CHECK_THAT(error_of("silent"), Catch::Contains("--timeout"));
    CHECK_THAT(error_of("twice"), Catch::Contains("2 TXT records"));
  }
  SECTION("every format shows the policy and this MX host's verdict under it") {
    auto [good_ev, good_a] = judged("good", settings);
    auto [cn_ev, cn_a] = judged("cnonly", settings);
    std::vector<probe::Evidence> evidence{good_ev, cn_ev};
    std::vector<tls::Assessment> assessments{good_a, cn_a};
    auto now = std::time(nullptr);
    auto render = [&](report::Format format) { return test::render(format, evidence, assessments, now); };
    std::string jsonl = render(report::Format::jsonl);
    auto first = boost::json::parse(jsonl.substr(0, jsonl.find('\n'))).as_object();
    const auto& sts = first.at("mta_sts").as_object();
    CHECK(sts.at("mode") == "enforce");
    CHECK(sts.at("policy_id") == "20261129good");
    CHECK(sts.at("mx_listed") == true);
    CHECK(sts.at("certificate_ok") == true);
    CHECK(sts.at("error").is_null());
    CHECK(first.at("tls_rpt").as_object().at("rua").as_array().size() == 2);
    std::string text = render(report::Format::text);
    CHECK_THAT(text, Catch::Contains("MTA-STS") && Catch::Contains("mode enforce, id 20261129good, mx *.contoso.test") &&
                         Catch::Contains("its certificate FAILS") && Catch::Contains("TLS-RPT"));
    std::string prometheus = render(report::Format::prometheus);
    CHECK_THAT(prometheus, Catch::Contains("starttls_probe_mta_sts_ok{target=\"mx:good.sts.test\"") &&
                               Catch::Contains("} 0\n"));
    CHECK_THAT(render(report::Format::nagios), Catch::Contains("mta-sts-certificate-invalid"));
    CHECK_THAT(render(report::Format::junit), Catch::Contains("mta-sts-certificate-invalid"));
    CHECK_THAT(render(report::Format::csv), Catch::Contains("mta-sts-certificate-invalid"));
  }
  SECTION("no announcement, or --no-mta-sts: no mta_sts at all") {
    auto [ev, a] = judged("none", settings);
    CHECK_FALSE(a.mta_sts);
    auto off = settings;
    off.probe.mta_sts = false;
    auto [ev2, a2] = judged("good", off);
    CHECK_FALSE(a2.mta_sts);
    CHECK_FALSE(ev2.dns.mta_sts);
  }
}
