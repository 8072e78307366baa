// Nagios / Icinga plugin output (Monitoring Plugins guidelines): one status line
// "STARTTLS <STATE> - <summary> | <perfdata>", then one line per endpoint (long output).
// The exit code is the scan's (SPEC §3), which matches the plugin states 0-3.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "report/escape.hpp"
#include "report/formats.hpp"
#include "report/row.hpp"

namespace stp::report {
namespace {

std::string state_of(tls::Status s) {
  switch (s) {
    case tls::Status::ok: return "OK";
    case tls::Status::warning: return "WARNING";
    case tls::Status::critical: return "CRITICAL";
    case tls::Status::unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

class NagiosWriter final : public Writer {
 public:
  NagiosWriter(Sink sink, const WriterOptions& options) : sink_(std::move(sink)), options_(options) {}

  void add(const Result& result) override {
    Row row = row_of(result);
    std::string codes;
    for (const auto& f : row.assessment->findings)
      if (f.severity != tls::Severity::info) codes += (codes.empty() ? "" : ", ") + f.code;
    std::string name = plugin_safe(row.target) + (row.connector ? " (" + plugin_safe(*row.connector) + ")" : "");
    std::string first;
    if (!row.assessment->findings.empty() && row.assessment->findings.front().severity != tls::Severity::info)
      first = row.assessment->findings.front().code + ": " + plugin_safe(row.assessment->findings.front().message);
    lines_.push_back({result.position, state_of(row.status) + " " + name + (codes.empty() ? "" : ": " + codes), name,
                      first});
    if (row.leaf) soonest_not_after_ = std::min(soonest_not_after_.value_or(row.leaf->not_after), row.leaf->not_after);
    if (row.duration_seconds) slowest_ = std::max(slowest_.value_or(0.0), *row.duration_seconds);
  }

  void finish(const tls::Tally& t) override {
    std::sort(lines_.begin(), lines_.end(), [](const auto& a, const auto& b) { return a.position < b.position; });
    std::string state = state_of(t.worst());
    std::string summary;
    if (t.total() == 1) {
      summary = lines_.front().name + (lines_.front().first.empty() ? ": STARTTLS and certificate as they should be"
                                                                     : ": " + lines_.front().first);
    } else {
      summary = std::to_string(t.critical) + " critical, " + std::to_string(t.warning) + " warning, " +
                std::to_string(t.unknown) + " unknown, " + std::to_string(t.ok) + " ok of " +
                std::to_string(t.total()) + " endpoints";
    }
    std::string perfdata;
    if (soonest_not_after_) {
      auto days = static_cast<long long>(std::floor(static_cast<double>(*soonest_not_after_ - options_.now) / 86400.0));
      // The guidelines' range syntax: "30:" alerts below 30, so fewer days than the threshold alert.
      perfdata += "days_left=" + std::to_string(days) + ";" + std::to_string(options_.warn_days) + ":;" +
                  std::to_string(options_.crit_days) + ":";
    }
    if (slowest_) {
      char time[32];
      std::snprintf(time, sizeof time, "time=%.3fs;;;0", *slowest_);
      perfdata += (perfdata.empty() ? "" : " ") + std::string(time);
    }
    std::string out = "STARTTLS " + state + " - " + summary + (perfdata.empty() ? "" : " | " + perfdata) + "\n";
    for (const auto& l : lines_) out += l.text + "\n";
    sink_(out);
  }

 private:
  struct Line {
    std::size_t position;
    std::string text, name, first;
  };
  Sink sink_;
  WriterOptions options_;
  std::vector<Line> lines_;
  std::optional<std::int64_t> soonest_not_after_;
  std::optional<double> slowest_;
};

}  // namespace

std::unique_ptr<Writer> make_nagios_writer(Writer::Sink sink, const WriterOptions& options) {
  return std::make_unique<NagiosWriter>(std::move(sink), options);
}

}  // namespace stp::report
