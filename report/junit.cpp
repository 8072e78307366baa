// JUnit XML for CI pipelines (Jenkins, GitLab): one testsuite, one testcase per endpoint;
// critical -> <failure>, unknown -> <error>, warning -> passes with its findings in <system-out>.

#include <algorithm>
#include <cstdio>
#include <vector>

#include "report/escape.hpp"
#include "report/formats.hpp"
#include "report/row.hpp"

namespace stp::report {
namespace {

// XML 1.0 text and attribute values: markup escaped; characters XML cannot carry at all
// (C0 controls but tab/LF/CR, invalid UTF-8) shown as \xNN.
std::string xml(std::string_view text) {
  std::string safe;
  for (char c : valid_utf8(text)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", u);
      safe += hex;
    } else {
      safe += c;
    }
  }
  std::string out;
  for (char c : safe) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#13;"; break;
      default: out += c;
    }
  }
  return out;
}

class JunitWriter final : public Writer {
 public:
  explicit JunitWriter(Sink sink) : sink_(std::move(sink)) {}

  void add(const Result& result) override {
    Row row = row_of(result);
    const auto& findings = row.assessment->findings;
    std::string details;
    for (const auto& f : findings) {
      details += std::string(tls::to_string(f.severity)) + " " + f.code + ": " + f.message + "\n";
      if (!f.remedy.empty()) details += "  fix: " + f.remedy + "\n";
    }
    for (const auto& e : row.assessment->exchange_events) {
      details += "Exchange event " + event_label(e) + ": " + e.summary + "\n";
      for (const auto& step : e.remediation) details += "  - " + step + "\n";
    }
    std::string headline = findings.empty() ? "" : findings.front().code + ": " + findings.front().message;

    char time[32];
    std::snprintf(time, sizeof time, "%.3f", row.duration_seconds.value_or(0.0));
    std::string classname = "starttls-probe." + row.connector.value_or(row.host.value_or("file"));
    std::string testcase = "  <testcase classname=\"" + xml(classname) + "\" name=\"" + xml(row.target) +
                           "\" time=\"" + time + "\">\n";
    if (row.status == tls::Status::critical) {
      ++failures_;
      testcase += "    <failure type=\"critical\" message=\"" + xml(headline) + "\">" + xml(details) + "</failure>\n";
    } else if (row.status == tls::Status::unknown) {
      ++errors_;
      testcase += "    <error type=\"unknown\" message=\"" + xml(headline) + "\">" + xml(details) + "</error>\n";
    } else if (!details.empty()) {
      testcase += "    <system-out>" + xml(details) + "</system-out>\n";
    }
    testcase += "  </testcase>\n";
    total_seconds_ += row.duration_seconds.value_or(0.0);
    cases_.emplace_back(result.position, std::move(testcase));
  }

  void finish(const tls::Tally& tally) override {
    std::sort(cases_.begin(), cases_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    char time[32];
    std::snprintf(time, sizeof time, "%.3f", total_seconds_);
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"starttls-probe\" tests=\"" +
                      std::to_string(tally.total()) + "\" failures=\"" + std::to_string(failures_) +
                      "\" errors=\"" + std::to_string(errors_) + "\" skipped=\"0\" time=\"" + time + "\">\n";
    for (const auto& [position, testcase] : cases_) out += testcase;
    out += "</testsuite>\n";
    sink_(out);
  }

 private:
  Sink sink_;
  std::vector<std::pair<std::size_t, std::string>> cases_;
  std::size_t failures_ = 0, errors_ = 0;
  double total_seconds_ = 0;
};

}  // namespace

std::unique_ptr<Writer> make_junit_writer(Writer::Sink sink) { return std::make_unique<JunitWriter>(std::move(sink)); }

}  // namespace stp::report
