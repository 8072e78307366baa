#include "inventory/targets.hpp"

#include <algorithm>
#include <charconv>


namespace stp::inventory {
namespace {

struct Binding {
  std::string address;
  std::uint16_t port = 0;
  bool wildcard = false;
};

std::optional<Binding> parse_binding(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  std::string address = text.substr(0, colon);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
  else if (address.find(':') != std::string::npos) return std::nullopt;  // IPv6 without brackets
  unsigned port = 0;
  const char* end = text.data() + text.size();
  auto [rest, ec] = std::from_chars(text.data() + colon + 1, end, port);
  if (ec != std::errc() || rest != end || port == 0 || port > 65535) return std::nullopt;
  bool wildcard = address == "0.0.0.0" || address == "::";
  return Binding{address, static_cast<std::uint16_t>(port), wildcard};
}

}  // namespace

std::vector<probe::Target> connector_targets(const Inventory& inventory, const std::vector<Prediction>& predictions,
                                             const std::optional<std::string>& server) {
  std::vector<probe::Target> targets;
  std::size_t receive = 0;
  for (std::size_t index = 0; index < predictions.size(); ++index) {
    if (predictions[index].kind != "receive") continue;
    const ReceiveConnector& connector = inventory.receive_connectors.at(receive++);
    std::string server_fqdn = inventory.server_fqdn(connector.server);
    std::vector<std::pair<std::string, std::uint16_t>> seen;
    for (const auto& text : connector.bindings) {
      auto binding = parse_binding(text);
      if (!binding)
        throw InventoryError(connector.source + ": connector '" + connector.name + "': binding '" + text +
                             "' is not ADDRESS:PORT");
      std::string host = binding->wildcard ? (server ? *server : server_fqdn) : binding->address;
      if (host.empty())
        throw InventoryError(connector.source + ": connector '" + connector.name +
                             "' listens on every address, but the export does not name its server: give --server NAME");
      if (std::find(seen.begin(), seen.end(), std::make_pair(host, binding->port)) != seen.end()) continue;
      seen.emplace_back(host, binding->port);
      // Validated exactly as a command-line target: an export is no more trusted than a server.
      std::string endpoint = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(binding->port);
      probe::Target target;
      try {
        target = probe::parse_target(endpoint);
      } catch (const probe::TargetError& e) {
        throw InventoryError(connector.source + ": connector '" + connector.name + "': binding '" + text + "': " + e.what());
      }
      target.mode = probe::Mode::starttls;  // Exchange's receive connectors speak STARTTLS, 465 ("Client Proxy") too
      const std::string& expected = connector.fqdn.empty() ? server_fqdn : connector.fqdn;
      if (!expected.empty()) target.expected_fqdn = expected;
      target.connector = connector.name;
      target.inventory = index;
      targets.push_back(std::move(target));
    }
  }
  return targets;
}

}  // namespace stp::inventory
