#pragma once
// The vocabulary of a verdict: findings, severities, verification, Exchange events (SPEC §4).

#include <optional>
#include <string>
#include <vector>

namespace stp::tls {

// Ordered by precedence for a status: critical > unknown > warning > info.
enum class Severity { info = 0, warning = 1, unknown = 2, critical = 3 };
enum class Status { ok, warning, critical, unknown };
// How the checked FQDN matched the leaf by Exchange's rules (CertificateDomains = CN + DNS SANs).
enum class NameMatch { san, wildcard, cn, none };

struct Finding {
  std::string code;      // SPEC §4, e.g. "name-mismatch"
  Severity severity;
  std::string message;   // one line with the concrete values
  std::string remedy;    // empty when there is none
};

struct Verification {
  bool trusted = false;
  std::string error;                // empty when trusted
  NameMatch name_match = NameMatch::none;
  bool rfc6125_name_match = false;  // a DNS SAN matches (RFC 9525 / MTA-STS: CN never counts)
};

struct ExchangeEvent {
  int id;                           // 12014, 12016, 12018
  std::string condition;            // no-certificate-for-fqdn, certificate-not-valid-for-smtp, ...
  std::string summary;
  std::vector<std::string> remediation;
};

struct JudgeSettings {
  int warn_days = 30;
  int crit_days = 7;
  bool require_trusted = false;
};

const char* to_string(Severity severity);
const char* to_string(Status status);
const char* to_string(NameMatch match);

// Worst finding decides; ok when none is warning or worse.
Status status_of(const std::vector<Finding>& findings);

// SPEC §3: ok 0, warning 1, critical 2, unknown 3 (also the Nagios plugin states).
int exit_code_of(Status status);

// Results counted by status, and the exit code of SPEC §3 over all of them:
// critical (2) > unknown (3) > warning (1) > ok (0).
struct Tally {
  std::size_t ok = 0, warning = 0, critical = 0, unknown = 0;
  void add(Status status);
  std::size_t total() const { return ok + warning + critical + unknown; }
  Status worst() const;
  int exit_code() const { return exit_code_of(worst()); }
};

}  // namespace stp::tls
