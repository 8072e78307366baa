#pragma once
// The Exchange transport events a result reproduces (SPEC §4), with remediation in real values.

#include <optional>
#include <string>
#include <vector>

#include "tls/certificate.hpp"
#include "tls/verdict.hpp"

namespace stp::tls {

struct EventContext {
  std::string who;                       // "Connector 'X' (target)", "The connector at target", ...
  std::optional<std::string> fqdn;       // the checked FQDN
  const CertificateFacts* leaf = nullptr;
  NameMatch name_match = NameMatch::none;
};

std::vector<ExchangeEvent> exchange_events(const std::vector<Finding>& findings, const EventContext& context);

}  // namespace stp::tls
