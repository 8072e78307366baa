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
    std::string testcase = "  <testcase classname=\"" + xml_safe(classname) + "\" name=\"" + xml_safe(row.target) +
                           "\" time=\"" + time + "\">\n";
    if (row.status == tls::Status::critical) {
      ++failures_;
      testcase += "    <failure type=\"critical\" message=\"" + xml_safe(headline) + "\">" + xml_safe(details) + "</failure>\n";
    } else if (row.status == tls::Status::unknown) {
      ++errors_;
      testcase += "    <error type=\"unknown\" message=\"" + xml_safe(headline) + "\">" + xml_safe(details) + "</error>\n";
    } else if (!details.empty()) {
      testcase += "    <system-out>" + xml_safe(details) + "</system-out>\n";
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
