// Prometheus text exposition format (0.0.4), for node_exporter's textfile collector or a push:
// each metric family once, with # HELP and # TYPE, then its samples for every endpoint.

#include <cstdio>
#include <vector>

#include "report/escape.hpp"
#include "report/formats.hpp"
#include "report/row.hpp"

namespace stp::report {
namespace {

// Label values escape backslash, double quote and line feed; the rest must be valid UTF-8.
std::string label_value(std::string_view value) {
  std::string out;
  for (char c : valid_utf8(value)) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

struct Family {
  const char* name;
  const char* help;
  std::vector<std::string> samples;
};

class PrometheusWriter final : public Writer {
 public:
  explicit PrometheusWriter(Sink sink) : sink_(std::move(sink)) {}

  void add(const Result& result) override {
    Row row = row_of(result);
    std::string labels = "target=\"" + label_value(row.target) + "\",connector=\"" +
                         label_value(row.connector.value_or("")) + "\",checked_fqdn=\"" +
                         label_value(row.checked_fqdn.value_or("")) + "\"";
    auto sample = [&](Family& family, double value, const std::string& extra = "") {
      family.samples.push_back(std::string(family.name) + "{" + labels + extra + "} " + number(value));
    };
    sample(up_, row.completed ? 1 : 0);
    sample(status_, static_cast<double>(tls::exit_code_of(row.status)));
    if (row.starttls_offered) sample(offered_, *row.starttls_offered ? 1 : 0);
    if (row.assessment->verification)
      sample(name_match_, row.assessment->verification->name_match == tls::NameMatch::none ? 0 : 1);
    if (row.leaf) sample(not_after_, static_cast<double>(row.leaf->not_after));
    if (row.duration_seconds) sample(duration_, *row.duration_seconds);
    for (const auto& f : row.assessment->findings)
      sample(finding_, 1, ",code=\"" + f.code + "\",severity=\"" + tls::to_string(f.severity) + "\"");
    for (const auto& e : row.assessment->exchange_events)
      sample(event_, 1, ",id=\"" + std::to_string(e.id) + "\",condition=\"" + e.condition + "\"");
  }

  void finish(const tls::Tally&) override {
    std::string out;
    for (Family* family : {&up_, &status_, &offered_, &name_match_, &not_after_, &duration_, &finding_, &event_}) {
      out += std::string("# HELP ") + family->name + " " + family->help + "\n";
      out += std::string("# TYPE ") + family->name + " gauge\n";
      for (const auto& s : family->samples) out += s + "\n";
    }
    sink_(out);
  }

 private:
  Sink sink_;
  Family up_{"starttls_probe_up", "1 when the probe of the endpoint completed, 0 when it could not (unknown).", {}};
  Family status_{"starttls_probe_status", "Endpoint status: 0 ok, 1 warning, 2 critical, 3 unknown.", {}};
  Family offered_{"starttls_probe_starttls_offered", "1 when EHLO lists STARTTLS.", {}};
  Family name_match_{"starttls_probe_name_match", "1 when the checked FQDN is among the certificate's domains.", {}};
  Family not_after_{"starttls_probe_cert_not_after_seconds", "The leaf certificate's notAfter, Unix time.", {}};
  Family duration_{"starttls_probe_duration_seconds", "How long the probe of the endpoint took.", {}};
  Family finding_{"starttls_probe_finding", "1 for each finding on the endpoint.", {}};
  Family event_{"starttls_probe_exchange_event", "1 for each Exchange transport event the endpoint reproduces.", {}};
};

}  // namespace

std::unique_ptr<Writer> make_prometheus_writer(Writer::Sink sink) {
  return std::make_unique<PrometheusWriter>(std::move(sink));
}

}  // namespace stp::report
