#include "tls/names.hpp"

#include <string>

#include "core/openssl_ptr.hpp"

namespace stp::tls {
namespace {

constexpr unsigned int base_flags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;

// The name that matched (as written in the certificate), or nothing.
std::optional<std::string> matched_name(X509* cert, const std::string& fqdn, unsigned int flags) {
  char* peer = nullptr;
  int result = X509_check_host(cert, fqdn.data(), fqdn.size(), base_flags | flags, &peer);
  core::UniqueOpenSslString owner(peer);
  ERR_clear_error();
  if (result != 1) return std::nullopt;
  return std::string(peer ? peer : fqdn.c_str());
}

}  // namespace

NameCheck match_name(std::string_view der, std::string_view fqdn) {
  const auto* input = reinterpret_cast<const unsigned char*>(der.data());
  core::UniqueX509 cert(d2i_X509(nullptr, &input, static_cast<long>(der.size())));
  ERR_clear_error();
  return cert ? match_name(cert.get(), fqdn) : NameCheck{};
}

NameCheck match_name(X509* certificate, std::string_view fqdn_view) {
  NameCheck check;
  std::string fqdn(fqdn_view);
  if (!fqdn.empty() && fqdn.back() == '.') fqdn.pop_back();
  if (certificate == nullptr || fqdn.empty()) return check;
  X509* cert = certificate;

  // An IP literal is matched against IP SANs only.
  if (core::UniqueAsn1OctetString ip{a2i_IPADDRESS(fqdn.c_str())}) {
    bool match = X509_check_ip_asc(cert, fqdn.c_str(), 0) == 1;
    ERR_clear_error();
    check.exchange = match ? NameMatch::san : NameMatch::none;
    check.rfc6125 = match;
    return check;
  }
  ERR_clear_error();

  if (auto san = matched_name(cert, fqdn, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT)) {
    check.exchange = san->rfind("*.", 0) == 0 ? NameMatch::wildcard : NameMatch::san;
    check.rfc6125 = true;
  } else if (matched_name(cert, fqdn, X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT)) {
    check.exchange = NameMatch::cn;  // Exchange counts the CN among CertificateDomains even beside SANs
  }
  return check;
}

}  // namespace stp::tls
