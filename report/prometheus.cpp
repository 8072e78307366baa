// Prometheus text exposition format (0.0.4), for node_exporter's textfile collector or a push:
// each metric family once, with # HELP and # TYPE, then its samples for every endpoint.
//
// Series identity (SPEC §5): an endpoint is labelled target, address and connector only (and
// mx_host for the MX hosts of an mx: target), labels that stay the same when it goes down; what
// describes the endpoint when it is up (checked FQDN, TLS version, leaf) is on starttls_probe_info.
// Every series is written once: a finding code is one series valued by how often it was found, and
// an endpoint listed twice is written once.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <vector>

#include "report/escape.hpp"
#include "report/formats.hpp"
#include "report/row.hpp"

namespace stp::report {
namespace {

// Plain decimals, as people read them and every parser takes them: 0.000092, 1700000000, never
// 9.2334000000000001e-05. Six decimals are a microsecond, finer than any duration measured here.
std::string number(double value) {
  if (std::floor(value) == value && std::fabs(value) < 1e15) return std::to_string(static_cast<long long>(value));
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6f", value);
  std::string text = buffer;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

struct Family {
  const char* name;
  const char* help;
  std::vector<std::string> samples;
};

std::string label(const char* name, std::string_view value) { return std::string(name) + "=\"" + prometheus_label(value) + "\""; }

class PrometheusWriter final : public Writer {
 public:
  explicit PrometheusWriter(Sink sink) : sink_(std::move(sink)) {}

  void add(const Result& result) override {
    Row row = row_of(result);
    std::string labels = label("target", row.target) + "," + label("address", row.address.value_or("")) + "," +
                         label("connector", row.connector.value_or(""));
    // An mx: target's MX hosts share its target label, and often an address: each host is its own series.
    if (row.evidence && row.evidence->dns.domain) labels += "," + label("mx_host", row.host.value_or(""));
    if (!endpoints_.insert(labels).second) return;  // the same endpoint listed again: its series exist
    auto sample = [&](Family& family, double value, const std::string& extra = "") {
      family.samples.push_back(std::string(family.name) + "{" + labels + extra + "} " + number(value));
    };
    if (row.completed)
      sample(info_, 1, "," + label("checked_fqdn", row.checked_fqdn.value_or("")) + "," +
                           label("advertised_fqdn", row.advertised_fqdn.value_or("")) + "," +
                           label("tls_version", row.tls_version.value_or("")) + "," +
                           label("leaf_sha256", row.leaf ? row.leaf->sha256 : ""));
    sample(up_, row.completed ? 1 : 0);
    sample(status_, static_cast<double>(tls::exit_code_of(row.status)));
    if (row.starttls_offered) sample(offered_, *row.starttls_offered ? 1 : 0);
    if (row.assessment->verification)
      sample(name_match_, row.assessment->verification->name_match == tls::NameMatch::none ? 0 : 1);
    if (row.leaf) sample(not_after_, static_cast<double>(row.leaf->not_after));
    if (row.duration_seconds) sample(duration_, *row.duration_seconds);
    if (const auto& dane = row.assessment->dane; dane && (dane->result == "match" || dane->result == "mismatch"))
      sample(dane_match_, dane->result == "match" ? 1 : 0);
    if (const auto& sts = row.assessment->mta_sts; sts && sts->mx_listed)
      sample(mta_sts_ok_, *sts->mx_listed && sts->certificate_ok.value_or(true) ? 1 : 0);

    // One series per code, valued by its count, with the worst severity it was found at.
    std::map<std::string, std::pair<int, tls::Severity>> codes;
    for (const auto& f : row.assessment->findings) {
      auto [entry, fresh] = codes.try_emplace(f.code, 0, f.severity);
      ++entry->second.first;
      entry->second.second = std::max(entry->second.second, f.severity);
    }
    for (const auto& [code, count_severity] : codes)
      sample(finding_, count_severity.first,
             "," + label("code", code) + "," + label("severity", tls::to_string(count_severity.second)));
    std::set<std::pair<int, std::string>> events;
    for (const auto& e : row.assessment->exchange_events)
      if (events.emplace(e.id, e.condition).second)
        sample(event_, 1, "," + label("id", std::to_string(e.id)) + "," + label("condition", e.condition));
  }

  void finish(const tls::Tally&) override {
    std::string out;
    for (Family* family : {&info_, &up_, &status_, &offered_, &name_match_, &not_after_, &duration_, &dane_match_, &mta_sts_ok_, &finding_, &event_}) {
      out += std::string("# HELP ") + family->name + " " + family->help + "\n";
      out += std::string("# TYPE ") + family->name + " gauge\n";
      for (const auto& s : family->samples) out += s + "\n";
    }
    sink_(out);
  }

 private:
  Sink sink_;
  std::set<std::string> endpoints_;  // label sets written so far
  Family info_{"starttls_probe_info", "What the probed endpoint presented; always 1.", {}};
  Family up_{"starttls_probe_up", "1 when the probe of the endpoint completed, 0 when it could not (unknown).", {}};
  Family status_{"starttls_probe_status", "Endpoint status: 0 ok, 1 warning, 2 critical, 3 unknown.", {}};
  Family offered_{"starttls_probe_starttls_offered", "1 when EHLO lists STARTTLS.", {}};
  Family name_match_{"starttls_probe_name_match", "1 when the checked FQDN is among the certificate's domains.", {}};
  Family not_after_{"starttls_probe_cert_not_after_seconds", "The leaf certificate's notAfter, Unix time.", {}};
  Family duration_{"starttls_probe_duration_seconds", "How long the probe of the endpoint took, retries included.", {}};
  Family dane_match_{"starttls_probe_dane_match",
                     "1 when a usable DNSSEC-validated TLSA record matches the presented chain, 0 when none does.", {}};
  Family mta_sts_ok_{"starttls_probe_mta_sts_ok",
                     "1 when the domain's MTA-STS policy (enforce or testing) lists this MX host and its certificate "
                     "passes, 0 when not.", {}};
  Family finding_{"starttls_probe_finding", "How many findings of this code the endpoint has.", {}};
  Family event_{"starttls_probe_exchange_event", "1 for each Exchange transport event the endpoint reproduces.", {}};
};

}  // namespace

std::unique_ptr<Writer> make_prometheus_writer(Writer::Sink sink) {
  return std::make_unique<PrometheusWriter>(std::move(sink));
}

}  // namespace stp::report
