// `diff OLD NEW` on pairs of results files: what changed per endpoint, and the exit code.

#include <catch2/catch.hpp>

#include <fstream>

#include <unistd.h>

#include <boost/json.hpp>

#include "report/diff.hpp"

using namespace stp;

namespace {

// One jsonl result with the fields diff reads (a real one has more; they are ignored).
std::string result(const std::string& target, const std::string& status, const std::vector<std::string>& codes = {},
                   const std::string& sha1 = "AA", bool starttls = true, const std::string& version = "TLSv1.3",
                   const std::string& address = "192.0.2.10") {
  boost::json::array findings;
  for (const auto& c : codes) findings.push_back(boost::json::object{{"code", c}, {"severity", "warning"}});
  boost::json::object o{{"target", target},
                        {"address", address},
                        {"connector", nullptr},
                        {"status", status},
                        {"smtp", boost::json::object{{"starttls_offered", starttls}}},
                        {"tls", starttls ? boost::json::value(boost::json::object{{"version", version}}) : nullptr},
                        {"chain", starttls ? boost::json::value(boost::json::array{boost::json::object{{"sha1", sha1}}})
                                           : boost::json::value(boost::json::array{})},
                        {"findings", std::move(findings)}};
  return boost::json::serialize(o) + "\n";
}

struct Files {
  std::string old_path = "/tmp/starttls-probe-diff-old-" + std::to_string(::getpid()) + ".jsonl";
  std::string new_path = "/tmp/starttls-probe-diff-new-" + std::to_string(::getpid()) + ".jsonl";
  Files(const std::string& before, const std::string& after) {
    std::ofstream(old_path) << before;
    std::ofstream(new_path) << after;
  }
  ~Files() {
    std::remove(old_path.c_str());
    std::remove(new_path.c_str());
  }
  Files(const Files&) = delete;
  Files& operator=(const Files&) = delete;
  history::ScanDiff diff() const {
    return history::diff_scans(history::read_scan_results(old_path), history::read_scan_results(new_path));
  }
};

std::pair<int, std::string> written(const history::ScanDiff& diff, report::Format format = report::Format::text) {
  std::string out;
  report::write_diff(diff, format, [&](std::string_view s) { out += s; }, false);
  int code = history::exit_code_of(diff);
  return {code, out};
}

}  // namespace

TEST_CASE("identical scans: nothing changed, exit 0 even when endpoints are critical", "[diff]") {
  std::string scan = result("a:25", "critical", {"name-mismatch"}) + result("b:25", "ok");
  Files files(scan, scan);
  auto diff = files.diff();
  CHECK(diff.compared == 2);
  CHECK(diff.unchanged == 2);
  CHECK(diff.changes.empty());
  auto [code, text] = written(diff);
  CHECK(code == 0);
  CHECK_THAT(text, Catch::Contains("2 endpoints in both: 0 changed, 2 unchanged"));
}

TEST_CASE("per endpoint: status, findings added and removed, leaf, STARTTLS, TLS version", "[diff]") {
  Files files(result("a:25", "warning", {"chain-incomplete"}, "AA") + result("b:25", "ok") + result("c:25", "ok"),
              result("a:25", "critical", {"certificate-expired", "chain-incomplete"}, "BB", true, "TLSv1.2") +
                  result("b:25", "critical", {"starttls-not-offered"}, "", false) + result("c:25", "ok"));
  auto diff = files.diff();
  REQUIRE(diff.changes.size() == 2);
  const auto& a = diff.changes[0];
  CHECK(a.kind == history::EndpointChange::Kind::changed);
  CHECK(a.findings_added == std::vector<std::string>{"certificate-expired"});
  CHECK(a.findings_removed.empty());
  auto [code, text] = written(diff);
  CHECK(code == 2);
  CHECK_THAT(text, Catch::Contains("CHANGED   a:25 (192.0.2.10)"));
  CHECK_THAT(text, Catch::Contains("status     warning -> critical"));
  CHECK_THAT(text, Catch::Contains("findings   +certificate-expired"));
  CHECK_THAT(text, Catch::Contains("leaf SHA-1 AA -> BB"));
  CHECK_THAT(text, Catch::Contains("TLS        TLSv1.3 -> TLSv1.2"));
  CHECK_THAT(text, Catch::Contains("STARTTLS   offered -> not offered"));
  CHECK_THAT(text, Catch::Contains("leaf SHA-1 AA -> none"));
  CHECK_THAT(text, Catch::Contains("1 unchanged"));

  auto [json_code, jsonl] = written(diff, report::Format::jsonl);
  CHECK(json_code == 2);
  auto first = boost::json::parse(jsonl.substr(0, jsonl.find('\n'))).as_object();
  CHECK(first.at("change") == "changed");
  CHECK(first.at("status").at("old") == "warning");
  CHECK(first.at("status").at("new") == "critical");
  CHECK(first.at("findings_added").as_array().size() == 1);
  CHECK(first.at("leaf_sha1").at("new") == "BB");
  CHECK(first.at("tls_version").at("old") == "TLSv1.3");
}

TEST_CASE("the exit code follows NEW's worst status among changed endpoints only", "[diff]") {
  Files better(result("a:25", "critical", {"certificate-expired"}) + result("b:25", "critical", {"name-mismatch"}),
               result("a:25", "ok") + result("b:25", "critical", {"name-mismatch"}));
  CHECK(written(better.diff()).first == 0);  // a got better; b is critical but unchanged
  Files warned(result("a:25", "ok"), result("a:25", "warning", {"chain-incomplete"}));
  CHECK(written(warned.diff()).first == 1);
  Files unknown(result("a:25", "ok"), result("a:25", "unknown", {"timeout"}, "", false));
  CHECK(written(unknown.diff()).first == 3);
}

TEST_CASE("endpoints in one file only, and several addresses of one target pair by address", "[diff]") {
  Files files(result("gone:25", "ok") + result("multi:25", "ok", {}, "AA", true, "TLSv1.3", "192.0.2.1") +
                  result("multi:25", "ok", {}, "AA", true, "TLSv1.3", "192.0.2.2"),
              result("multi:25", "ok", {}, "AA", true, "TLSv1.3", "192.0.2.2") +
                  result("multi:25", "warning", {"chain-incomplete"}, "AA", true, "TLSv1.3", "192.0.2.1") +
                  result("new:25", "critical", {"name-mismatch"}));
  auto diff = files.diff();
  REQUIRE(diff.changes.size() == 3);
  CHECK(diff.changes[0].kind == history::EndpointChange::Kind::changed);
  CHECK(diff.changes[0].after->address == "192.0.2.1");
  CHECK(diff.changes[0].before->address == "192.0.2.1");
  CHECK(diff.changes[1].kind == history::EndpointChange::Kind::only_new);
  CHECK(diff.changes[2].kind == history::EndpointChange::Kind::only_old);
  CHECK(diff.compared == 2);
  auto [code, text] = written(diff);
  CHECK(code == 2);  // the new endpoint is critical
  CHECK_THAT(text, Catch::Contains("ONLY NEW  new:25") && Catch::Contains("ONLY OLD  gone:25"));
  CHECK_THAT(text, Catch::Contains("1 only in OLD, 1 only in NEW"));
}

TEST_CASE("one result per target: paired even when the address moved (a migration)", "[diff]") {
  Files files(result("mail:25", "ok", {}, "AA", true, "TLSv1.2", "192.0.2.1"),
              result("mail:25", "ok", {}, "BB", true, "TLSv1.3", "198.51.100.7"));
  auto [code, text] = written(files.diff());
  CHECK(code == 0);
  CHECK_THAT(text, Catch::Contains("address    192.0.2.1 -> 198.51.100.7"));
}

TEST_CASE("results as the json document, also laid out over lines, and bad input named by file and line", "[diff]") {
  std::string lines = result("a:25", "ok") + result("b:25", "ok");
  std::string document = "{\n  \"results\": [\n" + lines.substr(0, lines.find('\n')) + ",\n" +
                         lines.substr(lines.find('\n') + 1) + "  ],\n  \"summary\": {}\n}\n";
  Files files(lines, document);
  auto diff = files.diff();
  CHECK(diff.compared == 2);
  CHECK(diff.unchanged == 2);

  Files broken(result("a:25", "ok") + "{not json\n", lines);
  CHECK_THROWS_WITH(broken.diff(), Catch::Contains(broken.old_path + ":2: not JSON"));
  Files foreign("{\"name\": \"x\"}\n", lines);
  CHECK_THROWS_WITH(foreign.diff(), Catch::Contains(":1: not a starttls-probe result"));
  CHECK_THROWS_WITH(history::read_scan_results("/nonexistent/x.jsonl"), Catch::Contains("cannot read"));
}
