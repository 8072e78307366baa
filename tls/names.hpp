#pragma once
// Does a certificate name the FQDN? Exchange's way and RFC 6125's way, both recorded.

#include <string_view>

#include "tls/certificate.hpp"

#include "tls/verdict.hpp"

namespace stp::tls {

struct NameCheck {
  NameMatch exchange = NameMatch::none;  // CN and DNS SANs, '*' = one whole left-most label
  bool rfc6125 = false;                  // DNS SANs only (IP SANs for an IP literal)
};

// `der` is the leaf. Case-insensitive, a trailing dot ignored. No partial wildcards (m*.contoso.com),
// no wildcard over a public suffix-like single label (*.com), '*' alone never matches.
NameCheck match_name(std::string_view der, std::string_view fqdn);
NameCheck match_name(x509_st* certificate, std::string_view fqdn);

}  // namespace stp::tls
