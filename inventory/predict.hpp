#pragma once
// Exchange's STARTTLS certificate selection, predicted offline from an export, and the comparison
// of that prediction with what a live probe saw (SPEC §2 inventory, §4 inventory findings).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/inventory.hpp"
#include "probe/evidence.hpp"
#include "tls/assessment.hpp"
#include "tls/verdict.hpp"

namespace stp::inventory {

struct Candidate {
  const ExportedCertificate* certificate = nullptr;
  bool eligible = false;
  bool chosen = false;
  std::string why_not;  // empty for the chosen one
};

struct Prediction {
  std::string connector;
  std::string server;
  std::string kind;                            // "receive" or "send"
  std::optional<std::string> fqdn;            // the connector's Fqdn; null when empty
  std::string lookup_key;                      // TlsCertificateName, Fqdn or the server's FQDN
  std::optional<bool> starttls_offered;       // null: AuthMechanism was not exported
  std::optional<std::string> predicted_thumbprint;
  std::optional<int> predicted_event;          // 12014, 12016
  std::string rule;                            // the rule that decided, in words
  std::string remedy;                          // empty when nothing is wrong
  std::vector<Candidate> candidates;
  tls::Status status = tls::Status::ok;        // critical with an event; warning when the choice expires soon
  std::string source;                          // file:line of the connector
  std::string tls_certificate_name;            // the connector's, when set
};

// One prediction per receive connector (in the inventory's order, first), then one per send connector
// and source server, at `now`. The predictions point into `inventory`, which must outlive them.
std::vector<Prediction> predict(const Inventory& inventory, std::int64_t now, int warn_days = 30);

// A certificate exported without any connector: the connector FQDNs it could serve for STARTTLS
// (its CertificateDomains, when it has a private key and SMTP), or why it serves none.
struct CertificateUse {
  const ExportedCertificate* certificate = nullptr;
  std::vector<std::string> serves;
  std::string why_not;                   // empty when it serves some
  tls::Status status = tls::Status::ok;  // for one that serves: critical expired, warning within warn_days
};
std::vector<CertificateUse> certificate_uses(const Inventory& inventory, std::int64_t now, int warn_days = 30);

// A distinguished name compared as Exchange shows them: attribute by attribute, case and spaces aside.
bool same_distinguished_name(std::string_view a, std::string_view b);

// The three inventory findings of SPEC §4 for one probe: the presented leaf against the prediction
// for its connector and the certificates of the export.
std::vector<tls::Finding> inventory_findings(const Prediction& prediction, const Inventory& inventory,
                                             const probe::Evidence& evidence, const tls::Assessment& assessment);

}  // namespace stp::inventory
