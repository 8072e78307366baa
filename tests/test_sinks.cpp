// One escaping rule per sink, tried by a hostile lab endpoint in every format, and the series a
// Prometheus scrape sees: unique, and the same whether the endpoint is up or down.

#include <ctime>
#include <regex>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "format_parsers.hpp"
#include "probe_helpers.hpp"
#include "report/escape.hpp"
#include "report/formats.hpp"
#include "report_fixtures.hpp"

using namespace stp;
using report::Format;

namespace {

struct Scanned {
  std::vector<probe::Evidence> evidence;
  std::vector<tls::Assessment> assessments;

  std::string render(Format format) const { return test::render(format, evidence, assessments, std::time(nullptr)); }
};

Scanned scan_and_judge(std::vector<probe::Target> targets, const lab::Lab& lab,
                       const probe::ScanSettings& settings = test::quick_settings()) {
  Scanned s;
  s.evidence = test::scan(std::move(targets), settings);
  auto anchors = tls::TrustAnchors::from_pem(lab.ca_pem());
  for (const auto& ev : s.evidence) s.assessments.push_back(tls::assess(ev, {{}, &anchors}, std::time(nullptr)));
  return s;
}

// What a terminal may be handed: no C0 but line feeds, no DEL, no C1, no bidi controls, separators,
// BOM or noncharacters, valid UTF-8, and every backslash the start of \\ or \xNN.
void require_terminal_safe(const std::string& out) {
  REQUIRE(report::valid_utf8(out) == out);
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto c = static_cast<unsigned char>(out[i]);
    INFO("byte " << i << " in: " << out.substr(i > 40 ? i - 40 : 0, 80));
    REQUIRE((c >= 0x20 || c == '\n'));
    REQUIRE(c != 0x7F);
    if (c == 0xC2) REQUIRE(static_cast<unsigned char>(out[i + 1]) >= 0xA0);
    if (c == '\\') {
      bool pair = out[i + 1] == '\\';
      bool hex = out[i + 1] == 'x' && std::isxdigit(static_cast<unsigned char>(out[i + 2])) &&
                 std::isxdigit(static_cast<unsigned char>(out[i + 3]));
      REQUIRE((pair || hex));
      i += pair ? 1 : 3;
    }
  }
  for (const char* hidden : {"\u061C", "\u200E", "\u200F", "\u202E", "\u2028", "\u2029", "\u2066", "\uFEFF", "\uFFFE", "\uFFFF"})
    REQUIRE(out.find(hidden) == std::string::npos);
}

}  // namespace

TEST_CASE("a hostile server's text stays inert in every format", "[report][lab][hostile]") {
  lab::Lab lab;
  const auto& hostile = lab.add(lab::Scenario::hostile_text);
  Scanned s = scan_and_judge({test::target_of(hostile)}, lab);
  REQUIRE(s.evidence.at(0).tls.established);
  const auto& findings = s.assessments.at(0).findings;
  // The hostile text reached the findings (so every sink below is really tried with it).
  REQUIRE_FALSE(findings.empty());
  REQUIRE(findings.front().message.find("\x1b[31m") != std::string::npos);

  for (auto format : {Format::text, Format::nagios}) {
    std::string out = s.render(format);
    INFO("format " << static_cast<int>(format));
    require_terminal_safe(out);
    CHECK(out.find("\\x1B[31mred") != std::string::npos);  // shown, escaped
    CHECK(out.find("\\\\x41") != std::string::npos);       // a server's backslash never reads as an escape
  }
  std::string nagios = s.render(Format::nagios);
  std::string first = nagios.substr(0, nagios.find('\n'));
  CHECK(std::count(first.begin(), first.end(), '|') == 1);  // only the perfdata separator
  CHECK(nagios.find('|', nagios.find('\n')) == std::string::npos);

  std::string xml = s.render(Format::junit);
  xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "junit.xml", nullptr, XML_PARSE_NONET);
  CHECK(doc != nullptr);  // libxml2 refuses U+FFFF, raw controls and broken markup
  xmlFreeDoc(doc);
  CHECK(xml.find("\\xEF\\xBF\\xBF") != std::string::npos);

  for (auto format : {Format::json, Format::jsonl}) {
    std::string out = s.render(format);
    boost::system::error_code ec;
    boost::json::parse(out, ec);
    CHECK_FALSE(ec);
    CHECK(report::valid_utf8(out) == out);
  }

  auto rows = test::parse_csv(s.render(Format::csv));
  REQUIRE(rows.size() == 2);
  for (const auto& field : rows[1]) {
    INFO(field);
    CHECK((field.empty() || std::string_view("=+-@\t\r").find(field.front()) == std::string_view::npos));
  }
  CHECK(rows[1][1].rfind("'=cmd", 0) == 0);  // the connector, defused

  auto samples = test::parse_exposition(s.render(Format::prometheus));
  CHECK_FALSE(samples.empty());
}

TEST_CASE("a spreadsheet formula is defused in every CSV column, the target and host too", "[report][csv]") {
  CHECK(report::csv_field("=1+2") == "'=1+2");
  CHECK(report::csv_field("+1") == "'+1");
  CHECK(report::csv_field("-1") == "'-1");
  CHECK(report::csv_field("@SUM(A1)") == "'@SUM(A1)");
  CHECK(report::csv_field("\tx") == "'\tx");
  CHECK(report::csv_field("=a,b") == "\"'=a,b\"");
  CHECK(report::csv_field("mail.contoso.test") == "mail.contoso.test");
}

TEST_CASE("prometheus: one series per finding code, valued by its count", "[report][prometheus]") {
  test::FixedResults fixed;
  // Two findings of one code on one endpoint (an RSA-1024 leaf with a wrong EKU and key usage).
  auto& assessment = fixed.assessments[0];
  assessment.findings.push_back({"not-valid-for-smtp", tls::Severity::critical, "extended key usage", ""});
  assessment.findings.push_back({"not-valid-for-smtp", tls::Severity::critical, "key usage", ""});
  auto samples = test::parse_exposition(fixed.render(Format::prometheus));  // fails on a repeated series
  int found = 0;
  for (const auto& sample : samples)
    if (sample.name == "starttls_probe_finding" && sample.labels.at("code") == "not-valid-for-smtp") {
      CHECK(sample.value == 2);
      CHECK(sample.labels.at("severity") == "critical");
      ++found;
    }
  CHECK(found == 1);
  // The same endpoint listed twice is one set of series.
  fixed.evidence.push_back(fixed.evidence[0]);
  fixed.assessments.push_back(fixed.assessments[0]);
  CHECK_NOTHROW(test::parse_exposition(fixed.render(Format::prometheus)));
}

TEST_CASE("prometheus: --all-addresses gives each address its series, and a down endpoint keeps its identity",
          "[report][prometheus][lab]") {
  lab::Lab lab;
  const auto& first = lab.add(lab::Scenario::healthy, "127.0.0.1");
  lab.add(lab::Scenario::wrong_eku, "127.0.0.2", first.port);
  auto settings = test::quick_settings();
  settings.probe.all_addresses = true;
  settings.probe.static_hosts["mail.contoso.test"] = {"127.0.0.1", "127.0.0.2"};
  auto target = probe::parse_target("mail.contoso.test:" + std::to_string(first.port));
  Scanned up = scan_and_judge({target}, lab, settings);
  REQUIRE(up.evidence.size() == 2);
  auto samples = test::parse_exposition(up.render(Format::prometheus));
  std::set<std::string> addresses;
  for (const auto& sample : samples)
    if (sample.name == "starttls_probe_status") addresses.insert(sample.labels.at("address"));
  CHECK(addresses == std::set<std::string>{"127.0.0.1", "127.0.0.2"});

  // The endpoint down: the same labels on its status series, and no info series.
  auto down_settings = test::quick_settings();
  down_settings.probe.static_hosts["mail.contoso.test"] = {"127.0.0.1"};
  down_settings.probe.retries = 0;
  auto closed = probe::parse_target("mail.contoso.test:" + std::to_string(first.port));
  Scanned before = scan_and_judge({closed}, lab, down_settings);
  std::map<std::string, std::string> labels_up;
  for (const auto& sample : test::parse_exposition(before.render(Format::prometheus)))
    if (sample.name == "starttls_probe_status") labels_up = sample.labels;
  before.evidence[0].failure = probe::Failure::connect;  // as the same probe reports a refused connection
  before.evidence[0].tls = {};
  before.evidence[0].smtp = {};
  before.assessments[0] = tls::assess(before.evidence[0], {}, std::time(nullptr));
  std::map<std::string, std::string> labels_down;
  bool info = false;
  for (const auto& sample : test::parse_exposition(before.render(Format::prometheus))) {
    if (sample.name == "starttls_probe_status") labels_down = sample.labels;
    info = info || sample.name == "starttls_probe_info";
  }
  CHECK(labels_up == labels_down);
  CHECK(labels_up.at("address") == "127.0.0.1");
  CHECK_FALSE(info);
}

TEST_CASE("prometheus numbers are plain decimals", "[report][prometheus]") {
  test::FixedResults fixed;
  fixed.evidence[0].timings.total = 0.092334;  // milliseconds: 9.2334e-05 s
  std::string out = fixed.render(Format::prometheus);
  CHECK(out.find("e-0") == std::string::npos);
  CHECK(out.find("} 0.000092\n") != std::string::npos);
}
