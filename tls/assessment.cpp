#include "tls/assessment.hpp"

namespace stp::tls {

Assessment assess(const probe::Evidence& evidence) {
  Assessment result;
  for (std::size_t i = 0; i < evidence.tls.chain_der.size(); ++i) {
    try {
      result.chain.push_back(describe_certificate(evidence.tls.chain_der[i]));
    } catch (const CertificateError& e) {
      result.chain_errors.push_back("certificate " + std::to_string(i) + ": " + e.what());
    }
  }
  for (const auto& der : evidence.tls.acceptable_ca_names_der) result.acceptable_ca_names.push_back(describe_name(der));
  return result;
}

}  // namespace stp::tls
