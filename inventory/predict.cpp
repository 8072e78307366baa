#include "inventory/predict.hpp"

#include <algorithm>
#include <cctype>

#include "inventory/text.hpp"
#include "tls/certificate.hpp"

namespace stp::inventory {
namespace {

using text::iequals;
using text::lower;
using text::upper;

// "CN=a, O=\"B, Inc.\"" → {"CN=a", "O=b,inc."}: keys upper-cased with their aliases, values
// unquoted, spaces dropped (wrapped exports lose or add them), case folded.
std::vector<std::string> dn_parts(std::string_view dn) {
  std::vector<std::string> parts;
  std::string part;
  bool quoted = false;
  auto flush = [&] {
    auto eq = part.find('=');
    if (eq != std::string::npos) {
      std::string key = upper(part.substr(0, eq));
      key.erase(std::remove(key.begin(), key.end(), ' '), key.end());
      if (key == "ST") key = "S";
      if (key == "EMAILADDRESS" || key == "EMAIL") key = "E";
      if (key == "GN" || key == "GIVENNAME") key = "G";
      parts.push_back(key + "=" + lower(part.substr(eq + 1)));
    } else if (!part.empty()) {
      parts.push_back(lower(part));
    }
    part.clear();
  };
  for (std::size_t i = 0; i < dn.size(); ++i) {
    char c = dn[i];
    if (quoted) {
      if (c == '"' && i + 1 < dn.size() && dn[i + 1] == '"') {
        part += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else if (c != ' ') {
        part += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '\\' && i + 1 < dn.size()) {
      part += dn[++i];
    } else if (c == ',' || c == ';' || c == '+') {
      flush();
    } else if (c != ' ' && c != '\t') {
      part += c;
    }
  }
  flush();
  return parts;
}

struct CertificateName {
  std::string issuer, subject;
};

// "<I>issuer<S>subject" → its two names.
std::optional<CertificateName> parse_tls_certificate_name(std::string_view value) {
  std::string l = lower(value);
  auto i = l.find("<i>"), s = l.find("<s>");
  if (i == std::string::npos || s == std::string::npos || s < i) return std::nullopt;
  return CertificateName{std::string(value.substr(i + 3, s - i - 3)), std::string(value.substr(s + 3))};
}

bool domain_matches(const std::string& name, const std::string& domain) {
  if (iequals(name, domain)) return true;
  if (domain.size() > 2 && domain.compare(0, 2, "*.") == 0) {
    auto dot = name.find('.');
    return dot != std::string::npos && dot > 0 && iequals(name.substr(dot + 1), domain.substr(2));
  }
  return false;
}

std::string date_text(const std::optional<std::int64_t>& t) { return t ? tls::format_time(*t) : "unknown"; }

bool currently_valid(const ExportedCertificate& c, std::int64_t now) {
  return (!c.not_before || *c.not_before <= now) && (!c.not_after || *c.not_after > now);
}

bool expired(const ExportedCertificate& c, std::int64_t now) { return c.not_after && *c.not_after <= now; }

std::string services_text(const ExportedCertificate& c) {
  std::string out;
  for (const auto& s : c.services) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "None" : out;
}

// " -Server EX01" for the PowerShell remedies, nothing when the server is unknown.
std::string server_option(const std::string& server) { return server.empty() ? "" : " -Server " + server; }

struct Connector {
  std::string name, server, kind, fqdn, tls_certificate_name, source;
  std::optional<bool> tls_enabled = true;  // null: AuthMechanism was not exported
  std::string tls_rule;                    // why STARTTLS is off, when it is
};

// Rule 2: the name Exchange looks certificates up by, and where it came from.
struct LookupKey {
  std::string key;
  std::string from;                        // in words, for the rule text
  std::optional<CertificateName> by_name;  // TlsCertificateName, parsed
};

LookupKey lookup_key_of(const Inventory& inventory, const Connector& connector) {
  if (!connector.tls_certificate_name.empty())
    return {connector.tls_certificate_name, "TlsCertificateName", parse_tls_certificate_name(connector.tls_certificate_name)};
  if (!connector.fqdn.empty()) return {connector.fqdn, "the connector's Fqdn", std::nullopt};
  bool server_known = true;
  std::string server_fqdn = inventory.server_fqdn(connector.server, &server_known);
  return {server_fqdn,
          server_known ? "the server's FQDN (the connector has no Fqdn)"
                       : "the server's name (the connector has no Fqdn, and the export does not give the "
                         "server's FQDN: add Get-ExchangeServer | Format-List Name,Fqdn)",
          std::nullopt};
}

// Rule 3's conditions that do not depend on the connector: a private key, SMTP, X.509 version 3.
std::vector<std::string> unusable_for_smtp(const ExportedCertificate& c) {
  std::vector<std::string> reasons;
  if (!c.has_private_key.value_or(true)) reasons.emplace_back("no private key");
  if (c.services_exported && !c.has_service("SMTP")) reasons.push_back("SMTP not in Services (" + services_text(c) + ")");
  if (c.version && *c.version < 3) reasons.push_back("X.509 version " + std::to_string(*c.version) + ", not 3");
  return reasons;
}

// Rule 3: each certificate of the server, eligible or not and why.
struct Candidates {
  std::vector<Candidate> eligible, ineligible;
  const ExportedCertificate* smtp_only = nullptr;  // matches the name and has a key, lacks SMTP
  const ExportedCertificate* keyless = nullptr;    // matches the name, no private key
};

Candidates candidates_for(const Inventory& inventory, const Connector& connector, const LookupKey& lookup) {
  Candidates out;
  for (const ExportedCertificate* c : inventory.certificates_of(connector.server)) {
    std::vector<std::string> reasons;
    bool name_ok = true;
    if (!connector.tls_certificate_name.empty()) {
      name_ok = lookup.by_name && same_distinguished_name(c->issuer, lookup.by_name->issuer) &&
                same_distinguished_name(c->subject, lookup.by_name->subject);
      if (!name_ok) reasons.push_back("Issuer and Subject are not those of TlsCertificateName");
    } else {
      name_ok = std::any_of(c->domains.begin(), c->domains.end(),
                            [&](const std::string& d) { return domain_matches(lookup.key, d); });
      if (!name_ok)
        reasons.push_back(lookup.key + " is not in CertificateDomains" +
                          (c->domains_truncated ? " (as far as the export shows: it cut the list short; export again "
                                                  "after $FormatEnumerationLimit = -1)"
                                                : ""));
    }
    bool key_ok = c->has_private_key.value_or(true);
    bool smtp_ok = !c->services_exported || c->has_service("SMTP");
    auto unusable = unusable_for_smtp(*c);
    reasons.insert(reasons.end(), unusable.begin(), unusable.end());
    if (name_ok && key_ok && !smtp_ok && reasons.size() == 1 && !out.smtp_only) out.smtp_only = c;
    if (name_ok && !key_ok && !out.keyless) out.keyless = c;
    Candidate candidate{c, reasons.empty(), false, core::join(reasons, "; ")};
    (candidate.eligible ? out.eligible : out.ineligible).push_back(std::move(candidate));
  }
  return out;
}

// Rule 5: most recent NotBefore first; the first valid CA-issued one, else the first valid
// self-signed one, else (12016) the most recent expired one. Null when none: rule 4.
Candidate* choose(Prediction& p, std::vector<Candidate>& eligible, const LookupKey& lookup, std::int64_t now,
                  const std::string& on_server) {
  std::stable_sort(eligible.begin(), eligible.end(), [](const Candidate& a, const Candidate& b) {
    return a.certificate->not_before.value_or(INT64_MIN) > b.certificate->not_before.value_or(INT64_MIN);
  });
  auto pick = [&](auto&& test) -> Candidate* {
    for (auto& c : eligible)
      if (test(*c.certificate)) return &c;
    return nullptr;
  };
  std::string of_eligible = std::to_string(eligible.size()) + " eligible (private key, " +
                            (lookup.by_name ? std::string("Issuer and Subject") : lookup.key + " in CertificateDomains") +
                            ", SMTP in Services); lookup key from " + lookup.from;
  if (Candidate* ca_issued = pick([&](const ExportedCertificate& c) { return currently_valid(c, now) && c.self_signed != true; })) {
    p.rule = "rule 5: the CA-issued certificate with the most recent NotBefore that is valid now, of " + of_eligible;
    return ca_issued;
  }
  if (Candidate* self_signed = pick([&](const ExportedCertificate& c) { return currently_valid(c, now); })) {
    p.rule = "rule 5: no valid CA-issued certificate is eligible, so the self-signed one with the most recent "
             "NotBefore that is valid now, of " + of_eligible;
    return self_signed;
  }
  Candidate* expired_one = pick([&](const ExportedCertificate& c) { return expired(c, now); });
  if (expired_one) {
    p.predicted_event = 12016;
    p.rule = "every eligible certificate has expired: Exchange still offers STARTTLS with the most recent one and "
             "logs 12016; " + of_eligible;
    p.remedy = "Renew " + expired_one->certificate->thumbprint + ": Get-ExchangeCertificate -Thumbprint " +
               expired_one->certificate->thumbprint + on_server +
               " | New-ExchangeCertificate (self-signed), or request a renewal from the CA; then "
               "Enable-ExchangeCertificate -Thumbprint <new thumbprint> -Services SMTP" + on_server;
  }
  return expired_one;
}

// Rule 4: no certificate to offer STARTTLS with (12014), and the fix that fits what the export shows.
void no_certificate(Prediction& p, const Connector& connector, const Candidates& candidates, const LookupKey& lookup,
                    const std::string& on_server) {
  p.predicted_event = 12014;
  p.rule = !candidates.eligible.empty()
               ? "no eligible certificate is valid yet (its NotBefore is in the future): Exchange has none to offer "
                 "STARTTLS with and logs 12014; lookup key from " + lookup.from
               : "rule 4: no certificate is eligible for " + lookup.key +
                     ": Exchange does not offer STARTTLS on this connector and logs 12014; lookup key from " + lookup.from;
  if (const ExportedCertificate* c = candidates.smtp_only) {
    p.rule += ". " + c->thumbprint +
              " matches but is not enabled for SMTP: modelled as Exchange 2013 and later document the selection "
              "(not eligible); the Exchange 2016/2019 page says such a certificate may still be loaded, and the "
              "handshake then fails — a scan shows which (not-enabled-for-smtp)";
    p.remedy = "Enable-ExchangeCertificate -Thumbprint " + c->thumbprint + " -Services SMTP" + on_server;
  } else if (const ExportedCertificate* k = candidates.keyless) {
    p.remedy = "Import " + k->thumbprint +
               " again with its private key (Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes("
               "'<file>.pfx')) -Password (Read-Host -AsSecureString)" + on_server +
               "), then Enable-ExchangeCertificate -Thumbprint " + k->thumbprint + " -Services SMTP" + on_server;
  } else if (lookup.by_name) {
    p.remedy = "Install a certificate with Issuer " + lookup.by_name->issuer + " and Subject " + lookup.by_name->subject +
               " enabled for SMTP, or point the connector at one that is: Set-" +
               std::string(connector.kind == "send" ? "SendConnector" : "ReceiveConnector") + " '" + connector.name +
               "' -TlsCertificateName '<I>issuer<S>subject'";
  } else {
    p.remedy = "New-ExchangeCertificate -DomainName " + lookup.key + " -Services SMTP" + on_server +
               " (self-signed; for a CA-issued one add -GenerateRequest -RequestFile <path>, then "
               "Import-ExchangeCertificate and Enable-ExchangeCertificate -Services SMTP)";
  }
}

// Why each eligible certificate that was not chosen was passed over.
void explain_passed_over(std::vector<Candidate>& eligible, const Candidate* chosen, std::int64_t now) {
  for (auto& c : eligible) {
    if (c.chosen) continue;
    const auto& cert = *c.certificate;
    if (expired(cert, now)) c.why_not = "eligible, not chosen: expired " + date_text(cert.not_after);
    else if (!currently_valid(cert, now)) c.why_not = "eligible, not chosen: not valid until " + date_text(cert.not_before);
    else if (chosen && chosen->certificate->self_signed != true && cert.self_signed == true)
      c.why_not = "eligible, not chosen: self-signed, and a valid CA-issued certificate comes first";
    else c.why_not = "eligible, not chosen: " + (chosen ? chosen->certificate->thumbprint : std::string("another")) +
                     " has a more recent NotBefore";
  }
}

// Exchange's selection for one connector, rule by rule (EXCHANGE.md).
Prediction predict_one(const Inventory& inventory, const Connector& connector, std::int64_t now, int warn_days) {
  Prediction p;
  p.connector = connector.name;
  p.server = connector.server;
  p.kind = connector.kind;
  if (!connector.fqdn.empty()) p.fqdn = connector.fqdn;
  p.source = connector.source;
  p.tls_certificate_name = connector.tls_certificate_name;
  LookupKey lookup = lookup_key_of(inventory, connector);
  p.lookup_key = lookup.key;
  if (connector.tls_enabled == false) {  // rule 1
    p.starttls_offered = false;
    p.rule = connector.tls_rule;
    return p;
  }
  if (inventory.certificates.empty()) {  // nothing to select from: unknown, never a 12014
    p.starttls_offered = connector.tls_enabled;
    p.rule = "no certificates were read (add an export of Get-ExchangeCertificate | Format-List *): which "
             "certificate Exchange selects for " + lookup.key + " cannot be predicted";
    p.status = tls::Status::unknown;
    return p;
  }
  const std::string on_server = server_option(connector.server);
  Candidates candidates = candidates_for(inventory, connector, lookup);
  Candidate* chosen = choose(p, candidates.eligible, lookup, now, on_server);
  if (!chosen) no_certificate(p, connector, candidates, lookup, on_server);
  p.starttls_offered = chosen != nullptr;
  if (chosen) {
    chosen->chosen = true;
    p.predicted_thumbprint = chosen->certificate->thumbprint;
  }
  explain_passed_over(candidates.eligible, chosen, now);
  const ExportedCertificate* selected = chosen ? chosen->certificate : nullptr;
  p.candidates = std::move(candidates.eligible);
  p.candidates.insert(p.candidates.end(), candidates.ineligible.begin(), candidates.ineligible.end());

  if (!connector.tls_enabled) {  // AuthMechanism not exported: the selection above holds only if Tls is on
    p.starttls_offered = std::nullopt;
    p.predicted_event = std::nullopt;
    p.remedy.clear();
    p.status = tls::Status::unknown;
    p.rule = "AuthMechanism was not exported, so whether Exchange offers STARTTLS here is unknown (export it: "
             "Get-ReceiveConnector | Format-List *); if Tls is in it: " + p.rule;
    return p;
  }
  if (p.predicted_event) {
    p.status = tls::Status::critical;
  } else if (selected && selected->not_after && *selected->not_after - now < static_cast<std::int64_t>(warn_days) * 86400) {
    p.status = tls::Status::warning;
    p.rule += "; it expires " + date_text(selected->not_after) + ", within " + std::to_string(warn_days) + " days (12018)";
    p.remedy = "Renew " + selected->thumbprint + " before " + date_text(selected->not_after) +
               ", then Enable-ExchangeCertificate -Thumbprint <new thumbprint> -Services SMTP" + on_server;
  }
  return p;
}

}  // namespace

bool same_distinguished_name(std::string_view a, std::string_view b) {
  auto pa = dn_parts(a), pb = dn_parts(b);
  return !pa.empty() && pa == pb;
}

std::vector<Prediction> predict(const Inventory& inventory, std::int64_t now, int warn_days) {
  std::vector<Prediction> out;
  for (const auto& r : inventory.receive_connectors) {
    Connector c{r.name, r.server, "receive", r.fqdn, r.tls_certificate_name, r.source, true, {}};
    if (r.auth_mechanism_exported)
      c.tls_enabled = std::any_of(r.auth_mechanisms.begin(), r.auth_mechanisms.end(),
                                  [](const std::string& m) { return iequals(m, "Tls"); });
    else
      c.tls_enabled = std::nullopt;
    c.tls_rule = "rule 1: AuthMechanism (" + (r.auth_mechanisms.empty() ? std::string("None") : core::join(r.auth_mechanisms)) +
                 ") does not include Tls: Exchange does not offer STARTTLS on this connector and loads no certificate";
    out.push_back(predict_one(inventory, c, now, warn_days));
  }
  for (const auto& s : inventory.send_connectors) {
    std::vector<std::string> servers = s.source_servers;
    if (servers.empty()) servers.emplace_back();
    for (const auto& server : servers) {
      Connector c{s.name, server, "send", s.fqdn, s.tls_certificate_name, s.source, true, {}};
      c.tls_enabled = !s.ignore_starttls;
      c.tls_rule = "IgnoreSTARTTLS is True: Exchange never uses STARTTLS on this send connector";
      out.push_back(predict_one(inventory, c, now, warn_days));
    }
  }
  return out;
}

std::vector<CertificateUse> certificate_uses(const Inventory& inventory, std::int64_t now, int warn_days) {
  std::vector<CertificateUse> out;
  for (const auto& c : inventory.certificates) {
    CertificateUse use{&c, {}, core::join(unusable_for_smtp(c), "; "), tls::Status::ok};
    if (use.why_not.empty()) use.serves = c.domains;
    if (use.why_not.empty() && use.serves.empty()) use.why_not = "no CertificateDomains";
    if (!use.serves.empty() && c.not_after) {
      if (*c.not_after <= now) use.status = tls::Status::critical;
      else if (*c.not_after - now < std::int64_t{warn_days} * 86400) use.status = tls::Status::warning;
    }
    out.push_back(std::move(use));
  }
  return out;
}

std::vector<tls::Finding> inventory_findings(const Prediction& prediction, const Inventory& inventory,
                                             const probe::Evidence& evidence, const tls::Assessment& assessment) {
  std::vector<tls::Finding> findings;
  const std::string on_server = server_option(prediction.server);
  // Without a certificate there is no STARTTLS: by rule 1, or by rule 4 with 12014.
  const std::string predicted = prediction.predicted_thumbprint ? *prediction.predicted_thumbprint
                                : prediction.predicted_event   ? "no certificate (no STARTTLS, 12014)"
                                                               : "no certificate (no STARTTLS)";
  if (assessment.chain.empty()) {
    // Nothing presented: only a dialogue that completed without STARTTLS contradicts the prediction.
    if (prediction.starttls_offered == true && !evidence.smtp.ehlo.empty() && !evidence.smtp.starttls_offered)
      findings.push_back({"prediction-differs", tls::Severity::warning,
                          "The export predicts STARTTLS with " + predicted + " (" + prediction.rule +
                              "), but the server did not offer STARTTLS",
                          "Check that this address reaches connector '" + prediction.connector + "' on " +
                              prediction.server + " and that nothing in between strips STARTTLS"});
    return findings;
  }
  if (inventory.certificates.empty()) return findings;  // no certificates exported: nothing to compare the leaf with
  const tls::CertificateFacts& leaf = assessment.chain.front();
  const ExportedCertificate* exported = inventory.certificate(leaf.sha1);
  if (!exported) {
    findings.push_back({"unknown-certificate", tls::Severity::warning,
                        "The presented leaf " + leaf.sha1 + " (" + leaf.subject +
                            ") is not in the exported inventory: another server or a middlebox answers here",
                        "Compare with Get-ExchangeCertificate" + on_server +
                            " | Format-List Thumbprint,Subject,Services; look for a load balancer or TLS-inspecting "
                            "firewall in front of " + evidence.target.text});
    return findings;
  }
  bool lacks_smtp = exported->services_exported && !exported->has_service("SMTP");
  if (lacks_smtp)
    findings.push_back({"not-enabled-for-smtp", tls::Severity::critical,
                        "The presented leaf " + leaf.sha1 + " is in the inventory (" + exported->source +
                            ") without SMTP in its Services (" + services_text(*exported) + ")",
                        "Enable-ExchangeCertificate -Thumbprint " + leaf.sha1 + " -Services SMTP" + on_server});
  // A leaf without SMTP where the rules find none says it all in not-enabled-for-smtp.
  bool explained = lacks_smtp && !prediction.predicted_thumbprint;
  if (!explained && (!prediction.predicted_thumbprint || *prediction.predicted_thumbprint != leaf.sha1)) {
    std::string message = "The presented leaf is " + leaf.sha1 + ", but Exchange's rules select " + predicted +
                          " from the inventory: " + prediction.rule;
    auto wanted = parse_tls_certificate_name(prediction.tls_certificate_name);
    if (wanted && !(same_distinguished_name(wanted->issuer, leaf.issuer_windows) &&
                    same_distinguished_name(wanted->subject, leaf.subject_windows)))
      message += "; the connector's TlsCertificateName is " + prediction.tls_certificate_name +
                 ", the presented leaf's is " + leaf.tls_certificate_name();
    findings.push_back({"prediction-differs", tls::Severity::warning, message,
                        "Re-export the certificates and connectors of " + prediction.server +
                            " (the export may be stale), or restart MSExchangeFrontEndTransport after certificate changes"});
  }
  return findings;
}

}  // namespace stp::inventory
