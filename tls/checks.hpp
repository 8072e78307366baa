#pragma once
// The checks of SPEC §4: pure functions from evidence (and a clock passed in) to findings.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probe/evidence.hpp"
#include "tls/certificate.hpp"
#include "tls/trust.hpp"
#include "tls/verdict.hpp"

namespace stp::tls {

// What the SMTP dialogue shows, certificate aside: STARTTLS offered and accepted, the handshake,
// the FQDN announced, injection, inspection, legacy TLS, a client-certificate request, and the
// probe's own failures (dns-failed, connect-failed, timeout, ...).
std::vector<Finding> dialogue_findings(const probe::Evidence& evidence);

struct CertificateJudgement {
  std::optional<Verification> verification;  // null when there is no leaf
  std::vector<Finding> findings;
};

// What the presented chain (leaf first) shows against the checked FQDN at `now` (Unix seconds).
// `anchors` null: trust is not judged.
CertificateJudgement certificate_findings(const std::vector<CertificateFacts>& chain,
                                          const std::optional<std::string>& checked_fqdn,
                                          const TrustAnchors* anchors, const JudgeSettings& settings,
                                          std::int64_t now);

// The leaf looks like Exchange's self-signed default: self-issued, CN a single-label server name,
// DNS SANs that name and an FQDN starting with it.
bool looks_like_exchange_default(const CertificateFacts& leaf);

// --save-chains could not write this endpoint's chain to `path` (`why`: the system's reason).
Finding save_failed(const std::string& path, const std::string& why);

}  // namespace stp::tls
