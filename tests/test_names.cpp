#include <catch2/catch.hpp>

#include "lab/cert_factory.hpp"
#include "tls/names.hpp"

using namespace stp;
using tls::NameMatch;

namespace {

std::string cert(std::optional<std::string> cn, std::vector<std::string> dns, std::vector<std::string> ips = {}) {
  lab::CertSpec spec;
  spec.common_name = std::move(cn);
  spec.dns_names = std::move(dns);
  spec.ip_addresses = std::move(ips);
  return lab::issue_certificate(spec, nullptr).certificate_der();
}

NameMatch exchange_match(const std::string& der, const char* fqdn) { return tls::match_name(der, fqdn).exchange; }
bool rfc6125(const std::string& der, const char* fqdn) { return tls::match_name(der, fqdn).rfc6125; }

}  // namespace

TEST_CASE("an exact SAN matches, case-insensitively, trailing dot ignored", "[tls][names]") {
  auto der = cert("mail.contoso.com", {"mail.contoso.com", "autodiscover.contoso.com"});
  CHECK(exchange_match(der, "mail.contoso.com") == NameMatch::san);
  CHECK(exchange_match(der, "AutoDiscover.Contoso.COM") == NameMatch::san);
  CHECK(exchange_match(der, "mail.contoso.com.") == NameMatch::san);
  CHECK(rfc6125(der, "mail.contoso.com"));
  CHECK(exchange_match(der, "smtp.contoso.com") == NameMatch::none);
  CHECK_FALSE(rfc6125(der, "smtp.contoso.com"));
}

TEST_CASE("a wildcard covers exactly one whole left-most label", "[tls][names]") {
  auto der = cert("*.contoso.com", {"*.contoso.com"});
  CHECK(exchange_match(der, "mail.contoso.com") == NameMatch::wildcard);
  CHECK(rfc6125(der, "mail.contoso.com"));
  CHECK(exchange_match(der, "a.b.contoso.com") == NameMatch::none);  // not two labels
  CHECK(exchange_match(der, "contoso.com") == NameMatch::none);      // not zero labels
}

TEST_CASE("partial wildcards, wildcards over a single label and '*' alone never match", "[tls][names]") {
  CHECK(exchange_match(cert(std::nullopt, {"m*.contoso.com"}), "mail.contoso.com") == NameMatch::none);
  CHECK(exchange_match(cert(std::nullopt, {"*.com"}), "contoso.com") == NameMatch::none);
  CHECK(exchange_match(cert(std::nullopt, {"*"}), "mail") == NameMatch::none);
  CHECK(exchange_match(cert(std::nullopt, {"mail.*.com"}), "mail.contoso.com") == NameMatch::none);
}

TEST_CASE("a name only in the CN is Exchange's match but not RFC 6125's", "[tls][names]") {
  auto cn_only = cert("mail.contoso.com", {});
  CHECK(exchange_match(cn_only, "mail.contoso.com") == NameMatch::cn);
  CHECK_FALSE(rfc6125(cn_only, "mail.contoso.com"));
  // Exchange's CertificateDomains has the CN even when SANs exist without it.
  auto cn_beside_sans = cert("legacy.contoso.com", {"mail.contoso.com"});
  CHECK(exchange_match(cn_beside_sans, "legacy.contoso.com") == NameMatch::cn);
  CHECK_FALSE(rfc6125(cn_beside_sans, "legacy.contoso.com"));
  // A wildcard CN is a CN match too.
  CHECK(exchange_match(cert("*.contoso.com", {}), "mail.contoso.com") == NameMatch::cn);
}

TEST_CASE("IP literals match IP SANs only", "[tls][names]") {
  auto der = cert("192.0.2.10", {"mail.contoso.com"}, {"192.0.2.10", "2001:db8::10"});
  CHECK(exchange_match(der, "192.0.2.10") == NameMatch::san);
  CHECK(exchange_match(der, "2001:db8::10") == NameMatch::san);
  CHECK(exchange_match(der, "192.0.2.11") == NameMatch::none);
  CHECK(exchange_match(cert("192.0.2.10", {}), "192.0.2.10") == NameMatch::none);  // an IP in the CN does not count
}

TEST_CASE("A-label (punycode) names match as ASCII", "[tls][names]") {
  auto der = cert(std::nullopt, {"xn--bcher-kva.contoso.com", "*.xn--mnchen-3ya.contoso.com"});
  CHECK(exchange_match(der, "XN--BCHER-KVA.contoso.com") == NameMatch::san);
  CHECK(exchange_match(der, "mail.xn--mnchen-3ya.contoso.com") == NameMatch::wildcard);
  CHECK(exchange_match(der, "xn--bcher-kvb.contoso.com") == NameMatch::none);
}

TEST_CASE("bytes that are not a certificate match nothing", "[tls][names]") {
  CHECK(exchange_match("garbage", "mail.contoso.com") == NameMatch::none);
  CHECK(exchange_match(cert("x.contoso.com", {"x.contoso.com"}), "") == NameMatch::none);
}
