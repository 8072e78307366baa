#pragma once
// scan --inventory: exported receive connectors as targets (SPEC §2).

#include <optional>
#include <string>
#include <vector>

#include "inventory/predict.hpp"
#include "probe/target.hpp"

namespace stp::inventory {

// One target per distinct host:port of each receive connector's Bindings: a wildcard binding
// (0.0.0.0, [::]) goes to `server` when given, else to the connector's server (its FQDN when the
// export tells it); a specific address is used as is. The expected FQDN is the connector's Fqdn
// (the server's FQDN when empty, as Exchange does), the label its name, and `inventory` the index
// of its prediction in `predictions` (from predict() on the same inventory).
// Throws InventoryError for a binding that is not ADDRESS:PORT.
std::vector<probe::Target> connector_targets(const Inventory& inventory, const std::vector<Prediction>& predictions,
                                             const std::optional<std::string>& server);

}  // namespace stp::inventory
