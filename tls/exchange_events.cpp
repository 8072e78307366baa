#include "tls/exchange_events.hpp"

#include <algorithm>

namespace stp::tls {
namespace {

constexpr const char* list_certificates = "Get-ExchangeCertificate | FL *";
constexpr const char* list_connectors = "Get-ReceiveConnector | FL name,fqdn";

bool has(const std::vector<Finding>& findings, std::string_view code) {
  return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) { return f.code == code; });
}

std::string first_of(const std::vector<Finding>& findings, std::initializer_list<std::string_view> codes) {
  for (auto code : codes)
    if (has(findings, code)) return std::string(code);
  return {};
}

}  // namespace

std::vector<ExchangeEvent> exchange_events(const std::vector<Finding>& findings, const EventContext& c) {
  std::vector<ExchangeEvent> events;
  const std::string fqdn = c.fqdn ? *c.fqdn : "<connector FQDN>";
  const std::string leaf_thumbprint = c.leaf ? c.leaf->sha1 : "<thumbprint>";
  const std::string new_certificate = "New-ExchangeCertificate -DomainName " + fqdn +
                                      " -Services SMTP (self-signed; for a CA-issued one add -GenerateRequest "
                                      "-RequestFile <path>, then Import-ExchangeCertificate)";

  if (auto why = first_of(findings, {"starttls-not-offered", "starttls-rejected", "no-certificate", "name-mismatch"}); !why.empty()) {
    ExchangeEvent e{12014, "no-certificate-for-fqdn", "", {list_certificates, list_connectors}};
    e.summary = c.who + " cannot offer STARTTLS for " + fqdn +
                ": no certificate enabled for SMTP contains that name (seen here as " + why + ")";
    e.remediation.push_back("If a certificate listed has " + fqdn +
                            " in CertificateDomains but not SMTP in Services: Enable-ExchangeCertificate -Thumbprint "
                            "<its thumbprint> -Services SMTP");
    e.remediation.push_back("Otherwise: " + new_certificate);
    events.push_back(std::move(e));
  }

  if (auto why = first_of(findings, {"not-valid-for-smtp", "not-enabled-for-smtp", "tls-handshake-failed"}); !why.empty()) {
    ExchangeEvent e{12014, "certificate-not-valid-for-smtp", "", {list_certificates, list_connectors}};
    e.summary = c.who + " has a certificate for " + fqdn + " that cannot serve SMTP over TLS (seen here as " + why + ")";
    if (has(findings, "not-valid-for-smtp")) {
      // Enabling it would not help: it can never serve TLS server authentication.
      e.remediation.push_back("The certificate " + leaf_thumbprint +
                              " cannot serve TLS server authentication (key usage): replace it: " + new_certificate);
      e.remediation.push_back("Enable-ExchangeCertificate -Thumbprint <new thumbprint> -Services SMTP");
    } else {
      // A certificate for the name exists but is not in use for SMTP: the handshake then fails.
      e.remediation.push_back("Enable-ExchangeCertificate -Thumbprint " +
                              (c.leaf ? leaf_thumbprint : "<thumbprint of the certificate for " + fqdn + ">") +
                              " -Services SMTP");
    }
    events.push_back(std::move(e));
  }

  auto renew = [&](ExchangeEvent& e) {
    e.remediation.push_back(list_certificates);
    e.remediation.push_back("Renew: Get-ExchangeCertificate -Thumbprint " + leaf_thumbprint +
                            " | New-ExchangeCertificate (self-signed), or request a renewal from the CA");
    e.remediation.push_back("Enable-ExchangeCertificate -Thumbprint <new thumbprint> -Services SMTP");
    e.remediation.push_back("Then Remove-ExchangeCertificate -Thumbprint " + leaf_thumbprint);
  };
  if (has(findings, "certificate-expired")) {
    ExchangeEvent e{12016, "certificate-expired", "", {}};
    e.summary = c.who + " presents an expired certificate for " + fqdn +
                (c.leaf ? " (thumbprint " + leaf_thumbprint + ", expired " + format_time(c.leaf->not_after) + ")" : "");
    renew(e);
    events.push_back(std::move(e));
  }
  if (has(findings, "certificate-expires-soon")) {
    ExchangeEvent e{12018, "certificate-expires-soon", "", {}};
    e.summary = c.who + " presents a certificate for " + fqdn + " that expires soon" +
                (c.leaf ? " (thumbprint " + leaf_thumbprint + ", on " + format_time(c.leaf->not_after) + ")" : "");
    renew(e);
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace stp::tls
