#pragma once
// What tls/ concludes from one probe's evidence: the chain's facts and, later, the verdict.

#include <optional>
#include <string>
#include <vector>

#include "probe/evidence.hpp"
#include "tls/certificate.hpp"

namespace stp::tls {

struct Assessment {
  std::vector<CertificateFacts> chain;           // leaf first, as presented
  std::vector<std::string> chain_errors;         // a presented certificate that did not parse
  std::vector<std::string> acceptable_ca_names;  // of a client-certificate request, as text
};

// Turns captured evidence into facts. Pure: no network, no clock.
Assessment assess(const probe::Evidence& evidence);

}  // namespace stp::tls
