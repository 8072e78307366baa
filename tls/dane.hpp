#pragma once
// DANE for SMTP (RFC 7672 with RFC 7671): the presented chain against the DNSSEC-validated TLSA
// records, as a DANE sender judges it, and the mail-domain findings of SPEC §4 (null-mx,
// implicit-mx, dane-*). Pure: evidence in, findings out.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probe/evidence.hpp"
#include "tls/certificate.hpp"
#include "tls/verdict.hpp"

namespace stp::tls {

struct DaneRecord {
  probe::TlsaRecord record;
  bool usable = false;   // DANE-TA(2) or DANE-EE(3), selector 0/1, matching type 0/1/2 of the right length
  bool matched = false;
};

// SPEC §5's `dane` object.
struct DaneResult {
  std::string tlsa_name;
  probe::Dnssec dnssec = probe::Dnssec::insecure;
  std::vector<DaneRecord> records;
  std::string result;  // match | mismatch | unusable | insecure | bogus | none
  std::string matched; // which record matched what, in words (empty when none did)
};

// The chain (leaf first, as described from the DER) against the TLSA records of `tlsa`, at `now`. `reference_names`: the
// names a DANE-TA chain's leaf must hold (the host, where its CNAME led, the MX domain when the MX
// records are secure).
DaneResult judge_tlsa(const probe::TlsaEvidence& tlsa, bool addresses_secure, const std::vector<CertificateFacts>& chain,
                      const std::vector<std::string>& reference_names, std::int64_t now);

struct MailDomainJudgement {
  std::optional<DaneResult> dane;  // null when no TLSA lookup was made
  std::vector<Finding> findings;
};

// Whose certificate DANE judges: a probed endpoint, or a file about to be installed on `host`.
struct DanePeer {
  std::string host;
  const std::vector<CertificateFacts>* chain = nullptr;  // leaf first
  bool reached = true;            // an endpoint that was not reached is judged by no DANE finding
  bool starttls_offered = true;
  std::string chain_label = "presented chain";
};

// DANE's findings alone (dane-mismatch, -unusable, -insecure; a failed TLSA lookup), from the TLSA
// records in `dns`.
MailDomainJudgement judge_dane(const probe::DnsEvidence& dns, const DanePeer& peer, std::int64_t now);

// What the DNS evidence of one result says: the MX findings and, with TLSA records, DANE's.
// `chain`: the presented chain as described (assess() has it already).
MailDomainJudgement mail_domain_findings(const probe::Evidence& evidence, const std::vector<CertificateFacts>& chain,
                                         std::int64_t now);

}  // namespace stp::tls
