#include "tls/dane.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "core/openssl_ptr.hpp"
#include "core/text.hpp"

namespace stp::tls {
namespace {

using probe::Dnssec;

// The bytes a selector names: 0 the whole certificate, 1 its SubjectPublicKeyInfo.
std::string selected(const CertificateFacts& certificate, std::uint8_t selector) {
  if (selector == 0) return certificate.der;
  unsigned char* spki = nullptr;
  int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(certificate.x509.get()), &spki);
  if (length <= 0) return {};
  std::string out(reinterpret_cast<const char*>(spki), static_cast<std::size_t>(length));
  OPENSSL_free(spki);
  return out;
}

// RFC 7672 §3.1.3: only DANE-TA(2) and DANE-EE(3) serve SMTP, with the defined selectors and
// matching types (and association data of the digest's length).
bool usable(const probe::TlsaRecord& r) {
  if ((r.usage != 2 && r.usage != 3) || r.selector > 1) return false;
  switch (r.matching_type) {
    case 0: return !r.data.empty();
    case 1: return r.data.size() == 32;
    case 2: return r.data.size() == 64;
    default: return false;
  }
}

bool matches(const probe::TlsaRecord& r, const CertificateFacts& certificate) {
  std::string bytes = selected(certificate, r.selector);
  if (bytes.empty()) return false;
  switch (r.matching_type) {
    case 0: return bytes == r.data;
    case 1: return digest(bytes, Digest::sha256) == r.data;
    case 2: return digest(bytes, Digest::sha512) == r.data;
    default: return false;
  }
}

// DANE-TA: the leaf chains, through what the server presented, to the certificate at `anchor`,
// within its dates at `now`, and holds one of the reference names.
bool chains_to(const std::vector<CertificateFacts>& chain, std::size_t anchor, const std::vector<std::string>& names,
               std::int64_t now) {
  core::UniqueX509Store store(X509_STORE_new());
  core::UniqueX509Stack untrusted(sk_X509_new_null());
  if (!store || !untrusted || X509_STORE_add_cert(store.get(), chain[anchor].x509.get()) != 1) return false;
  for (std::size_t i = 1; i < chain.size(); ++i)
    if (i != anchor && X509_up_ref(chain[i].x509.get()) == 1) sk_X509_push(untrusted.get(), chain[i].x509.get());
  core::UniqueX509StoreCtx ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), chain.front().x509.get(), untrusted.get()) != 1) return false;
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(now));
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  for (std::size_t i = 0; i < names.size(); ++i) {
    int added = i == 0 ? X509_VERIFY_PARAM_set1_host(param, names[i].c_str(), names[i].size())
                       : X509_VERIFY_PARAM_add1_host(param, names[i].c_str(), names[i].size());
    if (added != 1) return false;
  }
  bool ok = X509_verify_cert(ctx.get()) == 1;
  ERR_clear_error();
  return ok;
}

std::string describe_record(const probe::TlsaRecord& r) {
  return std::to_string(r.usage) + " " + std::to_string(r.selector) + " " + std::to_string(r.matching_type) + " " +
         core::hex(r.data).substr(0, 16) + (r.data.size() > 8 ? "..." : "");
}

// DNSSEC failed on the way: validating senders defer mail.
Finding bogus_finding(const std::string& what, const std::string& why) {
  return {"dane-bogus", Severity::critical,
          what + " failed DNSSEC validation (" + why + "): validating senders defer mail to this host",
          "Re-sign the zone (expired or broken signatures), or fix the DS record at the parent"};
}

}  // namespace

DaneResult judge_tlsa(const probe::TlsaEvidence& tlsa, bool addresses_secure, const std::vector<CertificateFacts>& chain,
                      const std::vector<std::string>& reference_names, std::int64_t now) {
  DaneResult out;
  out.tlsa_name = tlsa.name;
  out.dnssec = tlsa.dnssec;
  for (const auto& record : tlsa.records) out.records.push_back({record, usable(record), false});
  if (tlsa.dnssec == Dnssec::bogus) {
    out.result = "bogus";
    return out;
  }
  if (out.records.empty()) {
    out.result = "none";
    return out;
  }
  if (tlsa.dnssec != Dnssec::secure || !addresses_secure) {
    out.result = "insecure";
    return out;
  }
  bool any_usable = false;
  for (const auto& r : out.records) any_usable = any_usable || r.usable;
  if (!any_usable) {
    out.result = "unusable";
    return out;
  }
  for (auto& r : out.records) {
    if (!r.usable || chain.empty()) continue;
    if (r.record.usage == 3) {
      r.matched = matches(r.record, chain.front());
      if (r.matched && out.matched.empty()) out.matched = "DANE-EE " + describe_record(r.record) + " matches the leaf";
    } else {
      for (std::size_t k = 1; k < chain.size() && !r.matched; ++k)
        if (matches(r.record, chain[k]) && chains_to(chain, k, reference_names, now)) {
          r.matched = true;
          if (out.matched.empty())
            out.matched = "DANE-TA " + describe_record(r.record) + " matches certificate " + std::to_string(k) +
                          " of the chain, which the leaf chains to";
        }
    }
  }
  out.result = out.matched.empty() ? "mismatch" : "match";
  return out;
}

MailDomainJudgement judge_dane(const probe::DnsEvidence& dns, const DanePeer& peer, std::int64_t now) {
  MailDomainJudgement out;
  if (dns.address_dnssec == Dnssec::bogus)
    out.findings.push_back(bogus_finding("the address records of " + peer.host, dns.address_why_bogus));
  else if (dns.tlsa && dns.tlsa->dnssec == Dnssec::bogus)
    out.findings.push_back(bogus_finding("the TLSA records at " + dns.tlsa->name, dns.tlsa->why_bogus));
  if (!dns.tlsa) return out;
  const auto& tlsa = *dns.tlsa;
  const std::vector<CertificateFacts>& chain = *peer.chain;
  bool addresses_secure = !dns.host_looked_up || dns.address_dnssec == Dnssec::secure;
  std::vector<std::string> names{probe::host_key(peer.host)};
  if (!dns.canonical_name.empty()) names.push_back(dns.canonical_name);
  if (dns.domain && dns.mx_dnssec == Dnssec::secure) names.push_back(*dns.domain);
  out.dane = judge_tlsa(tlsa, addresses_secure, chain, names, now);
  const auto& dane = *out.dane;
  if (!tlsa.failure.empty() && dns.host_looked_up && dns.address_dnssec == Dnssec::secure)
    out.findings.push_back({"dns-failed", Severity::unknown,
                            "the TLSA lookup of " + tlsa.name + " failed: " + tlsa.failure +
                                "; DANE senders defer mail to this host until it answers",
                            "Check the zone's name servers for " + tlsa.name});
  std::size_t usable_count = 0;
  for (const auto& r : dane.records) usable_count += r.usable;
  if (dane.result == "insecure")
    out.findings.push_back({"dane-insecure", Severity::info,
                            std::to_string(dane.records.size()) + " TLSA record(s) at " + tlsa.name + ", but " +
                                (tlsa.dnssec != Dnssec::secure ? "the zone is not DNSSEC-signed (or not under a trust anchor)"
                                                               : "the host's address records are not DNSSEC-secure") +
                                ": senders ignore them",
                            "Sign the zone and publish its DS record at the parent, or remove the TLSA records"});
  if (dane.result == "unusable")
    out.findings.push_back({"dane-unusable", Severity::warning,
                            "none of the " + std::to_string(dane.records.size()) + " TLSA record(s) at " + tlsa.name +
                                " is usable for SMTP (RFC 7672 §3.1.3: only DANE-TA(2) and DANE-EE(3)): DANE senders insist "
                                "on TLS but cannot authenticate this host",
                            "Publish a DANE-EE record for the certificate in use: " + tlsa.name + ". IN TLSA 3 1 1 <SHA-256 "
                                "of its public key>"});
  if (dane.result == "mismatch" && peer.reached) {
    std::string remedy = "Publish a TLSA record for the certificate in use beside the old ones";
    if (!chain.empty())
      remedy = "Publish " + tlsa.name + ". IN TLSA 3 1 1 " + core::hex(digest(selected(chain.front(), 1), Digest::sha256)) +
               " (the certificate in use) beside the old records, or put back the certificate they describe";
    std::string why = chain.empty()
                          ? (peer.starttls_offered ? "no certificate was presented"
                                                   : "STARTTLS is not offered, and the TLSA records make TLS mandatory")
                          : "none of the " + std::to_string(usable_count) + " usable TLSA record(s) at " + tlsa.name +
                                " matches the " + peer.chain_label;
    out.findings.push_back({"dane-mismatch", Severity::critical, why + ": DANE senders will not deliver", remedy});
  }
  return out;
}

MailDomainJudgement mail_domain_findings(const probe::Evidence& ev, const std::vector<CertificateFacts>& chain,
                                         std::int64_t now) {
  MailDomainJudgement out;
  const auto& dns = ev.dns;
  const std::string domain = dns.domain.value_or(ev.target.host);
  if (dns.null_mx)
    out.findings.push_back({"null-mx", Severity::info,
                            domain + " publishes a null MX (0 .): it accepts no mail (RFC 7505); nothing was probed",
                            "If the domain should receive mail, replace the null MX with MX records naming its mail hosts"});
  if (dns.implicit_mx)
    out.findings.push_back({"implicit-mx", Severity::info,
                            domain + " has no MX records: senders deliver to the domain's own address (RFC 5321 §5.1)",
                            "Publish an MX record naming the mail host, or a null MX (0 .) if the domain takes no mail"});
  if (!dns.mx_not_conforming.empty())
    out.findings.push_back({"mx-not-conforming", dns.canonical_name.empty() ? Severity::warning : Severity::info,
                            dns.mx_not_conforming, "Point the MX record at the host name that has the address records"});

  // A chain with a certificate that did not parse is no chain to match: the leaf could be missing.
  static const std::vector<CertificateFacts> none;
  const auto& whole = chain.size() == ev.tls.chain_der.size() ? chain : none;
  DanePeer peer{ev.target.host, &whole, !ev.smtp.greeting.empty(), ev.smtp.starttls_offered, "presented chain"};
  auto dane = judge_dane(dns, peer, now);
  out.dane = std::move(dane.dane);
  // Bogus MX records come first: the one DNSSEC failure a sender meets before the host's own.
  if (dns.mx_dnssec == Dnssec::bogus) {
    std::erase_if(dane.findings, [](const Finding& f) { return f.code == "dane-bogus"; });
    out.findings.push_back(bogus_finding("the MX records of " + domain, dns.mx_why_bogus));
  }
  out.findings.insert(out.findings.end(), dane.findings.begin(), dane.findings.end());
  return out;
}

}  // namespace stp::tls
