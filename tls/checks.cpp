#include "tls/checks.hpp"

#include <algorithm>
#include <cctype>
#include <strings.h>

#include "core/text.hpp"
#include "tls/names.hpp"
#include "tls/excerpt.hpp"

namespace stp::tls {
namespace {

using probe::Failure;
using probe::Phase;

constexpr std::int64_t day = 86400;

bool same_name(std::string a, std::string b) {
  if (!a.empty() && a.back() == '.') a.pop_back();
  if (!b.empty() && b.back() == '.') b.pop_back();
  return strcasecmp(a.c_str(), b.c_str()) == 0;
}

bool contains(const std::vector<std::string>& items, std::string_view value) {
  return std::find(items.begin(), items.end(), value) != items.end();
}

std::string fqdn_or(const std::optional<std::string>& fqdn, const char* fallback) {
  return fqdn ? *fqdn : std::string(fallback);
}

// Signs of an SMTP-inspecting middlebox: a greeting masked with '*' (Cisco ESMTP inspection),
// or STARTTLS rewritten to XXXXXXXA in the EHLO reply.
std::optional<std::string> inspection_sign(const probe::SmtpEvidence& smtp) {
  if (!smtp.greeting.empty()) {
    std::string_view first = smtp.greeting.front();
    std::string_view text = first.size() > 4 ? first.substr(4) : std::string_view{};
    if (text.find("*****") != std::string_view::npos)
      return "the greeting is masked with '*' ('" + excerpt(first, 40) + "')";
  }
  for (const auto& line : smtp.ehlo) {
    if (core::upper(line).find("XXXXXXXA") != std::string::npos)
      return "the EHLO reply carries 'XXXXXXXA' where STARTTLS would be";
  }
  return std::nullopt;
}

Finding failure_finding(const probe::Evidence& ev) {
  const std::string& detail = ev.failure_detail;
  std::string target = excerpt(ev.target.text, 200);
  switch (ev.failure) {
    case Failure::dns:
      return {"dns-failed", Severity::unknown, detail, "Check the host name, or probe the address directly"};
    case Failure::connect:
      return {"connect-failed", Severity::unknown, detail,
              "Check that the server listens on port " + std::to_string(ev.target.port) +
                  " and that firewalls let this machine in"};
    case Failure::timeout: {
      if (ev.failure_phase == Phase::resolve)
        return {"dns-failed", Severity::unknown, "the DNS lookup of " + ev.target.host + " timed out", ""};
      std::string phase = ev.deadline_hit ? "deadline" : probe::to_string(ev.failure_phase);
      std::string limit = ev.deadline_name.empty() ? std::string("--deadline") : ev.deadline_name;
      std::string message = ev.deadline_hit ? "the whole probe took longer than " + limit + " (phase deadline, in " +
                                                  std::string(probe::to_string(ev.failure_phase)) + ")"
                                            : "no answer in time in phase " + phase;
      return {"timeout", Severity::unknown, message,
              "A tarpit, a firewall dropping packets, or an overloaded server; raise --timeout if it is only slow"};
    }
    case Failure::greeting_rejected:
      return {"greeting-rejected", Severity::unknown, "the server greeted with '" + excerpt(ev.smtp.greeting.empty() ? "" : ev.smtp.greeting.front(), 200) + "'",
              "The server refuses this client (421 busy, 554 blocked): probe from an allowed address or later"};
    case Failure::ehlo_rejected:
      return {"ehlo-rejected", Severity::unknown, "EHLO and HELO were refused: '" + excerpt(ev.smtp.ehlo.empty() ? detail : ev.smtp.ehlo.front(), 200) + "'",
              "The server may reject the EHLO name '" + ev.ehlo_name + "': set --ehlo to a name it accepts"};
    default:  // protocol_error
      return {"protocol-error", Severity::unknown, excerpt(detail, 300), ""};
  }
}

}  // namespace

bool looks_like_exchange_default(const CertificateFacts& leaf) {
  if (!leaf.self_signed || !leaf.subject_cn) return false;
  const std::string& server = *leaf.subject_cn;
  if (server.empty() || server.find('.') != std::string::npos || server.find('*') != std::string::npos) return false;
  if (leaf.dns_names.size() != 2) return false;
  bool has_name = false, has_fqdn = false;
  for (const auto& name : leaf.dns_names) {
    if (same_name(name, server)) has_name = true;
    else if (name.size() > server.size() + 1 && name[server.size()] == '.' &&
             strncasecmp(name.c_str(), server.c_str(), server.size()) == 0)
      has_fqdn = true;
  }
  return has_name && has_fqdn;
}

Finding save_failed(const std::string& path, const std::string& why) {
  return {"save-failed", Severity::warning, "the presented chain could not be saved to " + path + ": " + why,
          "Check that the --save-chains directory is writable and has room; the rest of this result is complete"};
}

namespace {

// What became of STARTTLS: not offered, refused, a failed handshake, or a session without a certificate.
void starttls_findings(const probe::Evidence& ev, const std::string& fqdn, bool inspected, std::vector<Finding>& out) {
  const auto& smtp = ev.smtp;
  bool starttls_mode = ev.target.mode == probe::Mode::starttls;
  bool ehlo_done = !smtp.ehlo.empty() && (ev.failure == Failure::none || ev.failure == Failure::starttls_rejected ||
                                          ev.failure == Failure::handshake_failed);
  if (starttls_mode && ehlo_done && !smtp.starttls_offered) {
    out.push_back({"starttls-not-offered", Severity::critical,
                   std::string(smtp.used_helo ? "the server refused EHLO and answered HELO, so it offers no extensions"
                                              : "the EHLO reply does not list STARTTLS") +
                       (inspected ? " (an SMTP-inspecting firewall may have removed it)" : ""),
                   "Exchange stops advertising STARTTLS when no certificate enabled for SMTP contains the connector "
                   "FQDN " + fqdn + " (event 12014): install or enable one for " + fqdn});
  }
  if (ev.failure == Failure::starttls_rejected) {
    out.push_back({"starttls-rejected", Severity::critical,
                   "STARTTLS was answered '" + excerpt(smtp.starttls_reply.empty() ? ev.failure_detail : smtp.starttls_reply.front(), 200) + "'",
                   "The server cannot start TLS: check that a certificate for " + fqdn +
                       " with its private key is enabled for SMTP"});
  }
  if (ev.failure == Failure::handshake_failed) {
    out.push_back({"tls-handshake-failed", Severity::critical,
                   std::string(starttls_mode ? "the TLS handshake failed after STARTTLS was accepted: "
                                             : "the TLS handshake failed: ") + excerpt(ev.tls.error, 200),
                   "Check that the certificate for " + fqdn +
                       " is enabled for SMTP and has its private key, and that the server offers TLS 1.2 or later"});
  }

  // A session without a server certificate (an anonymous suite such as AECDH-AES256-SHA): the
  // client offers those suites for old servers' sake, but nothing then authenticates the server.
  if (ev.tls.established && ev.tls.chain_der.empty())
    out.push_back({"no-certificate", Severity::critical,
                   "the TLS session was established without a server certificate (cipher " +
                       ev.tls.cipher.value_or("unknown") + "): nothing authenticates the server",
                   "Give the server a certificate for " + fqdn +
                       " and disable anonymous cipher suites (aNULL); on Exchange enable a certificate for " + fqdn +
                       " for SMTP"});

}

// What the rest of the session shows: the announced name, injected plaintext, an old TLS version,
// EHLO over TLS, a client-certificate request.
void session_findings(const probe::Evidence& ev, std::vector<Finding>& out) {
  const auto& smtp = ev.smtp;
  if (ev.advertised_fqdn || ev.ehlo_fqdn) {
    const std::string& advertised = ev.advertised_fqdn ? *ev.advertised_fqdn : *ev.ehlo_fqdn;
    if (ev.target.expected_fqdn && !same_name(advertised, *ev.target.expected_fqdn))
      out.push_back({"fqdn-differs", Severity::warning,
                     "the server announces " + advertised + " but " + *ev.target.expected_fqdn + " is expected",
                     "Set the connector's FQDN to " + *ev.target.expected_fqdn +
                         " (Set-ReceiveConnector -Fqdn), or correct the expected FQDN"});
  }

  if (smtp.injected_bytes > 0)
    out.push_back({"starttls-injection", Severity::warning,
                   "the server sent " + std::to_string(smtp.injected_bytes) +
                       " bytes after its STARTTLS 220 and before the handshake ('" + excerpt(smtp.injected, 60) +
                       "'); they were discarded",
                   "A middlebox or a buggy server injects plaintext (CVE-2011-0411 family): find what sits in front of the server"});

  if (ev.tls.established && ev.tls.version && (*ev.tls.version == "TLSv1" || *ev.tls.version == "TLSv1.1"))
    out.push_back({"legacy-tls", Severity::warning, "negotiated " + *ev.tls.version + " (1.2 or later expected)",
                   "Enable TLS 1.2 (and 1.3) on the server; MTA-STS senders refuse anything older"});

  if (smtp.ehlo_after_tls_failed)
    out.push_back({"ehlo-after-tls-failed", Severity::warning,
                   "EHLO over TLS failed after a good handshake: " + excerpt(ev.failure_detail, 200),
                   "Senders will fail after the handshake too: check the server's logs for TLS sessions"});

  if (ev.tls.client_certificate_requested)
    out.push_back({"client-certificate-requested", Severity::info,
                   "the server asked for a client certificate (acceptable CA names in the result)", ""});
}

}  // namespace

std::vector<Finding> dialogue_findings(const probe::Evidence& ev) {
  std::vector<Finding> out;
  auto inspection = inspection_sign(ev.smtp);
  if (inspection)
    out.push_back({"smtp-inspection-suspected", Severity::warning,
                   *inspection + ": a firewall inspecting SMTP may hide STARTTLS, so a missing STARTTLS may not be the server's doing",
                   "Turn off ESMTP inspection for this server on the firewall in front of it (Cisco ASA: 'no inspect esmtp' "
                   "in the policy map), then probe again"});
  if (ev.failure != Failure::none && ev.failure != Failure::starttls_rejected && ev.failure != Failure::handshake_failed)
    out.push_back(failure_finding(ev));
  starttls_findings(ev, fqdn_or(ev.checked_fqdn, "the connector FQDN"), inspection.has_value(), out);
  session_findings(ev, out);
  return out;
}

namespace {

using Findings = std::vector<Finding>;

// --require-trusted raises what trust findings say to critical.
Severity trust_severity(const JudgeSettings& settings) {
  return settings.require_trusted ? Severity::critical : Severity::warning;
}

// Name: Exchange's CertificateDomains view decides; RFC 6125's view is recorded beside it.
void name_findings(const CertificateFacts& leaf, const std::string& fqdn, Verification& verification,
                   Findings& findings) {
  NameCheck names = match_name(leaf.x509.get(), fqdn);
  verification.name_match = names.exchange;
  verification.rfc6125_name_match = names.rfc6125;
  if (names.exchange == NameMatch::none) {
    findings.push_back({"name-mismatch", Severity::critical,
                        fqdn + " is in none of the certificate's domains (" + excerpt(core::join(leaf.certificate_domains), 300) + ")",
                        "Install a certificate whose subject or subjectAltName contains " + fqdn +
                            " and enable it for SMTP, or set the connector FQDN to a name the certificate has"});
  } else if (names.exchange == NameMatch::cn) {
    findings.push_back({"cn-only-match", Severity::warning,
                        fqdn + " matches only the subject CN" +
                            (leaf.dns_names.empty() ? " (the certificate has no DNS subjectAltName)"
                                                    : " (subjectAltName: " + excerpt(core::join(leaf.dns_names), 300) + ")") +
                            "; RFC 6125 and MTA-STS verifiers ignore the CN",
                        "Reissue the certificate with " + fqdn + " in its subjectAltName"});
  }
}

// Use for TLS server authentication: the extended key usage and the key usage.
void usage_findings(const CertificateFacts& leaf, Findings& findings) {
  bool eku_ok = !leaf.has_extended_key_usage || contains(leaf.extended_key_usage, "serverAuth") ||
                contains(leaf.extended_key_usage, "anyExtendedKeyUsage");
  if (!eku_ok)
    findings.push_back({"not-valid-for-smtp", Severity::critical,
                        "the certificate's extended key usage (" + excerpt(core::join(leaf.extended_key_usage), 300) +
                            ") does not include serverAuth",
                        "Issue a certificate with Server Authentication (1.3.6.1.5.5.7.3.1) in its extended key usage "
                        "and enable it for SMTP"});
  if (!leaf.has_key_usage) return;
  bool signs = contains(leaf.key_usage, "digitalSignature");
  bool usable = leaf.key_type == "RSA" ? signs || contains(leaf.key_usage, "keyEncipherment")
                : leaf.key_type == "EC" ? signs || contains(leaf.key_usage, "keyAgreement")
                                        : signs;
  if (!usable)
    findings.push_back({"not-valid-for-smtp", Severity::critical,
                        "the certificate's key usage (" + (leaf.key_usage.empty() ? std::string("none") : core::join(leaf.key_usage)) +
                            ") allows no TLS handshake with its " + leaf.key_type + " key",
                        "Issue a certificate whose key usage includes digitalSignature and enable it for SMTP"});
}

// Validity of the leaf at `now`.
void validity_findings(const CertificateFacts& leaf, const JudgeSettings& settings, std::int64_t now, Findings& findings) {
  if (leaf.not_after < now) {
    findings.push_back({"certificate-expired", Severity::critical,
                        "the certificate expired on " + format_time(leaf.not_after) + " (" +
                            std::to_string((now - leaf.not_after) / day) + " days ago)",
                        "Renew it and enable the new certificate for SMTP"});
  } else if (leaf.not_before > now) {
    findings.push_back({"certificate-not-yet-valid", Severity::critical,
                        "the certificate is valid only from " + format_time(leaf.not_before),
                        "Check this machine's and the server's clocks, or install a certificate valid today"});
  } else {
    std::int64_t days_left = (leaf.not_after - now) / day;
    if (days_left < std::max(settings.warn_days, settings.crit_days))
      findings.push_back({"certificate-expires-soon",
                          days_left < settings.crit_days ? Severity::critical : Severity::warning,
                          "the certificate expires on " + format_time(leaf.not_after) + ", in " +
                              std::to_string(days_left) + (days_left == 1 ? " day" : " days"),
                          "Renew it now and enable the new certificate for SMTP"});
  }

}

// Trust, judged after the handshake against the anchors (none: not judged).
void trust_findings(const std::vector<CertificateFacts>& chain, const TrustAnchors* anchors, const JudgeSettings& settings,
                    std::int64_t now, Verification& verification, Findings& findings) {
  Severity severity = trust_severity(settings);
  if (anchors) {
    std::vector<x509_st*> parsed;
    parsed.reserve(chain.size());
    for (const auto& c : chain) parsed.push_back(c.x509.get());
    ChainTrust trust = verify_chain(parsed, *anchors, now);
    verification.trusted = trust.trusted;
    verification.error = trust.error;
    if (trust.problem == ChainTrust::Problem::incomplete)
      findings.push_back({"chain-incomplete", severity, excerpt(trust.detail, 600),
                          "Configure the server to send the intermediate CA certificate with its own (on Exchange, "
                          "import it into the Intermediate Certification Authorities store of the server)"});
    else if (trust.problem == ChainTrust::Problem::untrusted)
      findings.push_back({"chain-untrusted", severity, trust.error + ": " + excerpt(trust.detail, 600),
                          "Use a certificate from a CA the senders trust; for a private CA, give its root to --ca-file"});
  } else {
    verification.error = "not verified: no trust anchors";
  }
}

// What kind of certificate the leaf is: self-signed, Exchange's default, a CA certificate.
void leaf_kind_findings(const CertificateFacts& leaf, const std::string& fqdn, const JudgeSettings& settings,
                        Findings& findings) {
  if (leaf.self_signed)
    findings.push_back({"self-signed", trust_severity(settings), "the certificate is self-signed (" + excerpt(leaf.subject, 300) + ")",
                        "Senders that verify certificates will not trust it: use one from a CA they trust"});
  if (looks_like_exchange_default(leaf))
    findings.push_back({"exchange-default-certificate", Severity::warning,
                        "the certificate looks like Exchange's self-signed default for server " + excerpt(*leaf.subject_cn) +
                            " (" + excerpt(core::join(leaf.dns_names), 300) + ")",
                        "Enable a CA-issued certificate for " + fqdn + " for SMTP; the default one is for internal use"});
  if (leaf.is_ca && !leaf.self_signed)
    findings.push_back({"leaf-is-ca", Severity::warning,
                        "the server certificate is a CA certificate (basicConstraints CA:TRUE)",
                        "Issue a server certificate with CA:FALSE; strict verifiers reject a CA certificate as a server's"});
}

// Strength: every presented certificate but a self-signed root.
void strength_findings(const std::vector<CertificateFacts>& chain, Findings& findings) {
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const auto& c = chain[i];
    std::string which = i == 0 ? "the certificate" : "chain certificate " + std::to_string(i) + " (" + excerpt(c.subject, 300) + ")";
    bool weak_rsa_dsa = (c.key_type == "RSA" || c.key_type == "RSA-PSS" || c.key_type == "DSA") && c.key_bits < 2048;
    bool weak_ec = c.key_type == "EC" && c.key_bits < 256;
    if (weak_rsa_dsa || weak_ec)
      findings.push_back({"weak-key", Severity::warning,
                          which + " has a " + std::to_string(c.key_bits) + "-bit " + c.key_type + " key",
                          "Reissue with RSA 2048 or more, or ECDSA P-256 or more"});
    std::string algorithm = core::lower(c.signature_algorithm);
    bool weak_digest = algorithm.find("md5") != std::string::npos || algorithm.find("sha1") != std::string::npos;
    if (weak_digest && !c.self_signed)
      findings.push_back({"weak-signature", Severity::warning, which + " is signed with " + c.signature_algorithm,
                          "Reissue it signed with SHA-256 or better"});
  }

}

}  // namespace

CertificateJudgement certificate_findings(const std::vector<CertificateFacts>& chain,
                                          const std::optional<std::string>& checked_fqdn, const TrustAnchors* anchors,
                                          const JudgeSettings& settings, std::int64_t now) {
  CertificateJudgement out;
  if (chain.empty()) return out;
  const CertificateFacts& leaf = chain.front();
  Verification verification;
  if (checked_fqdn) name_findings(leaf, *checked_fqdn, verification, out.findings);
  usage_findings(leaf, out.findings);
  validity_findings(leaf, settings, now, out.findings);
  trust_findings(chain, anchors, settings, now, verification, out.findings);
  leaf_kind_findings(leaf, fqdn_or(checked_fqdn, "(unknown FQDN)"), settings, out.findings);
  strength_findings(chain, out.findings);
  out.verification = verification;
  return out;
}

}  // namespace stp::tls
