#pragma once
// What tls/ concludes from one probe's evidence, or from a certificate file: the chain's facts,
// the verification, the findings, the status and the Exchange events.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probe/evidence.hpp"
#include "tls/certificate.hpp"
#include "tls/dane.hpp"
#include "tls/mta_sts.hpp"
#include "tls/trust.hpp"
#include "tls/verdict.hpp"

namespace stp::tls {

struct Assessment {
  std::vector<CertificateFacts> chain;           // leaf first, as presented
  std::vector<std::string> acceptable_ca_names;  // of a client-certificate request, as text
  std::optional<Verification> verification;      // null when no certificate was presented
  std::vector<Finding> findings;                 // most severe first
  std::vector<ExchangeEvent> exchange_events;
  std::optional<DaneResult> dane;                // null when no TLSA lookup was made
  std::optional<MtaStsResult> mta_sts;           // null when not looked up or no policy announced
  std::optional<TlsRptResult> tls_rpt;           // null when not looked up or none published
  Status status = Status::ok;
};

struct Judge {
  JudgeSettings settings;
  const TrustAnchors* anchors = nullptr;  // null: trust is not judged
};

// The facts of each presented certificate, from the handshake's parsed objects when given (else
// parsed from DER); one that does not parse is left out and named in `errors`.
std::vector<CertificateFacts> describe_chain(const std::vector<std::string>& chain_der,
                                             const std::vector<probe::SharedX509>& parsed = {},
                                             std::vector<std::string>* errors = nullptr);

// The whole verdict on one probe. Pure: the clock is `now` (Unix seconds), no network.
Assessment assess(const probe::Evidence& evidence, const Judge& judge, std::int64_t now);

// Findings from outside tls/ (the inventory comparison) join a probe's verdict: order, status and
// Exchange events are worked out again.
void add_findings(Assessment& assessment, std::vector<Finding> extra, const probe::Evidence& evidence);

// The certificate checks alone, for `inspect` (no SMTP dialogue); `label` names the source (a file).
// With `dane` (inspect --dane), the chain is also judged against the TLSA records there.
Assessment assess_chain(const std::vector<std::string>& chain_der, const std::optional<std::string>& fqdn,
                        const std::string& label, const Judge& judge, std::int64_t now,
                        const probe::DnsEvidence* dane = nullptr);

}  // namespace stp::tls
