#include "report/row.hpp"

#include <algorithm>

namespace stp::report {

Row row_of(const Result& result) {
  Row row;
  const tls::Assessment& a = *result.assessment;
  row.assessment = &a;
  row.status = a.status;
  row.leaf = a.chain.empty() ? nullptr : &a.chain.front();
  row.completed = std::none_of(a.findings.begin(), a.findings.end(),
                               [](const tls::Finding& f) { return f.severity == tls::Severity::unknown; });
  if (const probe::Evidence* ev = result.evidence) {
    row.evidence = ev;
    row.target = ev->target.text;
    row.connector = ev->target.connector;
    row.host = ev->target.host;
    row.address = ev->address;
    row.port = ev->target.port;
    row.mode = ev->target.mode == probe::Mode::implicit ? "implicit" : "starttls";
    row.expected_fqdn = ev->target.expected_fqdn;
    row.advertised_fqdn = ev->advertised_fqdn;
    row.checked_fqdn = ev->checked_fqdn;
    if (!ev->smtp.ehlo.empty()) row.starttls_offered = ev->smtp.starttls_offered;
    if (ev->tls.established) row.tls_version = ev->tls.version;
    if (ev->timings.total >= 0) row.duration_seconds = ev->timings.total / 1000.0;
  } else {
    row.target = result.file;
    row.expected_fqdn = result.fqdn;
    row.checked_fqdn = result.fqdn;
  }
  return row;
}

int status_rank(tls::Status status) {
  switch (status) {
    case tls::Status::critical: return 0;
    case tls::Status::unknown: return 1;
    case tls::Status::warning: return 2;
    case tls::Status::ok: return 3;
  }
  return 3;
}

const tls::Finding* worst_finding(const Row& row) {
  const auto& findings = row.assessment->findings;
  auto worst = std::find_if(findings.begin(), findings.end(),
                            [](const tls::Finding& f) { return f.severity != tls::Severity::info; });
  return worst == findings.end() ? nullptr : &*worst;
}

bool is_mx_host(const Row& row) { return row.evidence && row.evidence->dns.domain && !row.evidence->dns.null_mx; }

std::string days_left_text(std::int64_t not_after, std::int64_t now) {
  std::int64_t left = not_after - now, days = left >= 0 ? left / 86400 : -((-left + 86399) / 86400);
  return days >= 0 ? std::to_string(days) + " days left" : "expired " + std::to_string(-days) + " days ago";
}

std::string event_label(const tls::ExchangeEvent& event) {
  return std::to_string(event.id) + ":" + event.condition;
}

}  // namespace stp::report
