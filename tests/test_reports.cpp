// Every report format: byte-exact golden files on fixed results, and each parsed back by a real
// (or a strict) parser.

#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "report/escape.hpp"
#include "format_parsers.hpp"
#include "report_fixtures.hpp"

using namespace stp;
using report::Format;
using test::parse_csv;
using test::parse_exposition;

namespace {

const test::FixedResults& fixed() {
  static const test::FixedResults results;
  return results;
}

// Compares with testdata/golden/NAME; STARTTLS_PROBE_UPDATE_GOLDEN=1 rewrites the file and fails.
void check_golden(const std::string& name, const std::string& rendered) {
  std::string path = test::testdata_path("golden/" + name);
  // Rewriting is never a pass: the run that rewrites fails, so a rewritten file is always looked at.
  if (const char* update = std::getenv("STARTTLS_PROBE_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << rendered;
    FAIL_CHECK("rewrote " << path << ": review it with git diff, then run the tests without STARTTLS_PROBE_UPDATE_GOLDEN");
    return;
  }
  std::string expected = test::read_file(path);
  REQUIRE_FALSE(expected.empty());
  CHECK(rendered == expected);
}

bool valid_utf8(const std::string& s) { return report::valid_utf8(s) == s; }

}  // namespace

TEST_CASE("each format renders the fixed results byte for byte as its golden file", "[report][golden]") {
  check_golden("report.txt", fixed().render(Format::text));
  check_golden("report.json", fixed().render(Format::json));
  check_golden("report.jsonl", fixed().render(Format::jsonl));
  check_golden("report.csv", fixed().render(Format::csv));
  check_golden("report.nagios", fixed().render(Format::nagios));
  check_golden("report.prom", fixed().render(Format::prometheus));
  check_golden("report.xml", fixed().render(Format::junit));
}

TEST_CASE("json and jsonl parse back with every SPEC 5 field on every result", "[report][json]") {
  const std::vector<std::string> fields{"target", "connector", "host", "address", "port", "mode", "expected_fqdn",
                                        "advertised_fqdn", "ehlo_fqdn", "checked_fqdn", "status", "smtp", "tls",
                                        "chain", "verification", "findings", "exchange_events", "timings_ms"};
  auto document = boost::json::parse(fixed().render(Format::json)).as_object();
  const auto& results = document.at("results").as_array();
  REQUIRE(results.size() == 4);
  for (const auto& result : results)
    for (const auto& field : fields) CHECK(result.as_object().contains(field));
  const auto& summary = document.at("summary").as_object();
  CHECK(summary.at("total").as_int64() == 4);
  CHECK(summary.at("exit_code").as_int64() == 2);
  CHECK(results.at(0).at("chain").at(0).at("sha1").as_string() == "F73E6AD8A62A96B52F7B996AA03B6C2BDF956902");
  CHECK(results.at(2).at("smtp").is_null());
  CHECK(results.at(2).at("chain").as_array().empty());

  std::istringstream lines(fixed().render(Format::jsonl));
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    auto object = boost::json::parse(line).as_object();
    for (const auto& field : fields) CHECK(object.contains(field));
    ++count;
  }
  CHECK(count == 4);
}

TEST_CASE("junit is well-formed XML that a CI server reads: failures, errors and passes", "[report][junit]") {
  std::string xml = fixed().render(Format::junit);
  xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "report.xml", nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  REQUIRE(doc != nullptr);
  xmlNodePtr suite = xmlDocGetRootElement(doc);
  auto attribute = [](xmlNodePtr node, const char* name) {
    xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
    std::string out = value ? reinterpret_cast<const char*>(value) : "";
    xmlFree(value);
    return out;
  };
  CHECK(std::string(reinterpret_cast<const char*>(suite->name)) == "testsuite");
  CHECK(attribute(suite, "tests") == "4");
  int testcases = 0, failures = 0, errors = 0, outputs = 0;
  for (xmlNodePtr tc = suite->children; tc; tc = tc->next) {
    if (tc->type != XML_ELEMENT_NODE) continue;
    ++testcases;
    for (xmlNodePtr child = tc->children; child; child = child->next) {
      if (child->type != XML_ELEMENT_NODE) continue;
      std::string name = reinterpret_cast<const char*>(child->name);
      failures += name == "failure";
      errors += name == "error";
      outputs += name == "system-out";
    }
  }
  CHECK(attribute(suite, "failures") == "2");
  CHECK(attribute(suite, "errors") == "1");
  xmlFreeDoc(doc);
  CHECK(testcases == 4);
  CHECK(failures == 2);  // no STARTTLS, STARTTLS rejected
  CHECK(errors == 1);    // connection refused
  CHECK(outputs == 1);   // the self-signed warning passes, with its findings
}

TEST_CASE("csv is RFC 4180 with SPEC's columns, and quoting round-trips", "[report][csv]") {
  auto rows = parse_csv(fixed().render(Format::csv));
  REQUIRE(rows.size() == 5);
  CHECK(rows[0] == std::vector<std::string>{"target", "connector", "host", "address", "port", "status",
                                             "expected_fqdn", "advertised_fqdn", "checked_fqdn", "starttls_offered",
                                             "tls_version", "leaf_subject", "leaf_sha1", "leaf_not_after",
                                             "findings", "exchange_events"});
  for (const auto& row : rows) CHECK(row.size() == 16);
  CHECK(rows[1][12] == "F73E6AD8A62A96B52F7B996AA03B6C2BDF956902");
  CHECK(rows[2][1] == "Relay, \"internal\"");  // comma and quotes survive
  CHECK(rows[2][14] == "starttls-not-offered");
  CHECK(rows[2][15] == "12014:no-certificate-for-fqdn");
  CHECK(rows[3][5] == "unknown");
}

TEST_CASE("prometheus output is valid exposition format with SPEC's metrics and labels", "[report][prometheus]") {
  auto samples = parse_exposition(fixed().render(Format::prometheus));
  std::set<std::string> names;
  for (const auto& s : samples) {
    names.insert(s.name);
    std::set<std::string> keys;
    for (const auto& [key, value] : s.labels) keys.insert(key);
    const std::set<std::string> identity{"target", "address", "connector"};
    if (s.name == "starttls_probe_info")
      CHECK(keys == std::set<std::string>{"target", "address", "connector", "checked_fqdn", "advertised_fqdn",
                                          "tls_version", "leaf_sha256"});
    else if (s.name == "starttls_probe_finding")
      CHECK(keys == std::set<std::string>{"target", "address", "connector", "code", "severity"});
    else if (s.name == "starttls_probe_exchange_event")
      CHECK(keys == std::set<std::string>{"target", "address", "connector", "id", "condition"});
    else
      CHECK(keys == identity);
  }
  CHECK(names == std::set<std::string>{"starttls_probe_info", "starttls_probe_up", "starttls_probe_status", "starttls_probe_starttls_offered",
                                       "starttls_probe_name_match", "starttls_probe_cert_not_after_seconds",
                                       "starttls_probe_duration_seconds", "starttls_probe_finding",
                                       "starttls_probe_exchange_event"});
  auto find = [&](const std::string& name, const std::string& target) {
    for (const auto& s : samples)
      if (s.name == name && s.labels.at("target") == target) return s.value;
    FAIL("no " << name << " for " << target);
    return 0.0;
  };
  CHECK(find("starttls_probe_status", "192.0.2.10:25") == 1);
  CHECK(find("starttls_probe_up", "[2001:db8::25]:587") == 0);
  CHECK(find("starttls_probe_status", "smtp://relay.contoso.test:2525") == 2);
  CHECK(find("starttls_probe_cert_not_after_seconds", "192.0.2.10:25") > 4000000000.0);
}

TEST_CASE("prometheus: two MX hosts of one mx: target on one address are two series", "[report][prometheus]") {
  auto chain = tls::read_certificate_file(test::testdata_path("certs/mail.contoso.test.pem"), std::nullopt);
  std::vector<probe::Evidence> evidence;
  std::vector<tls::Assessment> assessments;
  for (const char* host : {"mx1.contoso.test", "mx2.contoso.test"}) {
    probe::Evidence mx = test::good_dialogue(host, chain);
    mx.target = probe::parse_target("mx:contoso.test");
    mx.target.mail_domain = false;
    mx.target.host = host;
    mx.dns.domain = "contoso.test";
    mx.dns.mx_preference = 10;
    mx.target.position = evidence.size();
    evidence.push_back(mx);
    assessments.push_back(tls::assess(mx, {}, 1700000000));
  }
  auto samples = parse_exposition(test::render(Format::prometheus, evidence, assessments, 1700000000));
  std::set<std::string> hosts;
  for (const auto& s : samples)
    if (s.name == "starttls_probe_up") {
      CHECK(s.labels.at("target") == "mx:contoso.test");
      CHECK(s.labels.at("address") == "192.0.2.10");
      hosts.insert(s.labels.at("mx_host"));
    }
  CHECK(hosts == std::set<std::string>{"mx1.contoso.test", "mx2.contoso.test"});
}

TEST_CASE("nagios: a status line with perfdata, then one line per endpoint", "[report][nagios]") {
  std::string out = fixed().render(Format::nagios);
  std::istringstream lines(out);
  std::string first;
  std::getline(lines, first);
  CHECK(std::regex_match(first, std::regex(R"(STARTTLS CRITICAL - [^|]+ \| days_left=-?\d+;30:;7: time=\d+\.\d{3}s;;;0)")));
  int more = 0;
  for (std::string line; std::getline(lines, line);) {
    CHECK(std::regex_match(line, std::regex(R"((OK|WARNING|CRITICAL|UNKNOWN) [^|]+)")));
    ++more;
  }
  CHECK(more == 4);
}

TEST_CASE("the text report of a hostile greeting contains no control byte", "[report][text]") {
  for (auto format : {Format::text, Format::nagios, Format::csv, Format::junit, Format::prometheus, Format::json}) {
    std::string out = fixed().render(format);
    CHECK(valid_utf8(out));
    for (std::size_t i = 0; i < out.size(); ++i) {
      auto c = static_cast<unsigned char>(out[i]);
      bool allowed = c == '\n' || (c == '\r' && format == Format::csv) || c >= 0x20;
      INFO("format " << static_cast<int>(format) << " byte " << i);
      CHECK(allowed);
      CHECK(c != 0x7f);
      CHECK(c != 0x1b);
    }
  }
  std::string text = fixed().render(Format::text);
  CHECK_THAT(text, Catch::Contains("\\x1B[2J"));       // shown, not obeyed
  CHECK_THAT(text, Catch::Contains("\\xC2\\x85"));      // C1 NEL
  CHECK_THAT(text, Catch::Contains("\\xE2\\x80\\xAE")); // right-to-left override
  CHECK_THAT(text, Catch::Contains("\\x00end"));
}

TEST_CASE("terminal_safe escapes controls and keeps printable text", "[report][escape]") {
  CHECK(report::terminal_safe("plain café") == "plain café");
  CHECK(report::terminal_safe("a\x1b[31mb") == "a\\x1B[31mb");
  CHECK(report::terminal_safe("tab\there") == "tab\\x09here");
  CHECK(report::terminal_safe("back\\slash") == "back\\\\slash");  // doubled: \\x41 from a server never reads as an escape
  CHECK(report::terminal_safe("\xff") == "\\xFF");
  CHECK(report::terminal_safe("\x7f") == "\\x7F");
}
