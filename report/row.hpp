#pragma once
// The facts every report format shows, taken once from a result (scan or inspect).

#include <optional>
#include <string>
#include <vector>

#include "report/writer.hpp"

namespace stp::report {

struct Row {
  std::string target;
  std::optional<std::string> connector;
  std::optional<std::string> host;
  std::optional<std::string> address;
  std::optional<unsigned> port;
  std::optional<std::string> mode;  // "starttls" / "implicit"
  tls::Status status = tls::Status::ok;
  std::optional<std::string> expected_fqdn, advertised_fqdn, checked_fqdn;
  std::optional<bool> starttls_offered;   // null: no EHLO reply (or inspect)
  std::optional<std::string> tls_version;
  const tls::CertificateFacts* leaf = nullptr;
  const tls::Assessment* assessment = nullptr;
  const probe::Evidence* evidence = nullptr;  // null for inspect
  std::optional<double> duration_seconds;    // null for inspect
  bool completed = true;                      // no finding of unknown severity
};

Row row_of(const Result& result);

// Worst first: critical 0, unknown 1, warning 2, ok 3 (the exit code's order).
int status_rank(tls::Status status);

// The first finding worse than info (findings are most severe first), or null.
const tls::Finding* worst_finding(const Row& row);

// One MX host of an mx: target: its host, not its target, tells it from the domain's other hosts.
bool is_mx_host(const Row& row);

// "30 days left" or "expired 3 days ago": whole days, rounded down, from `now` to `not_after`.
std::string days_left_text(std::int64_t not_after, std::int64_t now);

// "12014:no-certificate-for-fqdn"
std::string event_label(const tls::ExchangeEvent& event);

}  // namespace stp::report
