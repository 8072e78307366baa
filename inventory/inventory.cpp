#include "inventory/inventory.hpp"

#include "inventory/text.hpp"
#include "tls/certificate.hpp"

#include <algorithm>
#include <cctype>

namespace stp::inventory {
namespace {

using text::iequals;
using text::lower;
using text::upper;

std::string first_label(const std::string& name) { return lower(name.substr(0, name.find('.'))); }

// Field readers: each names file:line in its error.
struct Reader {
  const Record& record;
  DateOrder order = DateOrder::mdy;  // of the file's culture dates

  const Value* get(std::string_view name) const { return record.find(name); }
  std::string text(std::string_view name) const {
    const Value* v = get(name);
    return v ? v->text : std::string();
  }
  std::vector<std::string> list(std::string_view name) const {
    const Value* v = get(name);
    if (!v) return {};
    // A scalar that PowerShell printed without braces may still list several: "a, b".
    if (v->items.size() == 1) return text::split_commas(v->items[0]);
    return v->items;
  }
  // Names, addresses and bindings never hold a space: one that does was wrapped inside a word.
  std::vector<std::string> names(std::string_view name) const {
    auto items = list(name);
    for (auto& item : items) item.erase(std::remove(item.begin(), item.end(), ' '), item.end());
    return items;
  }
  std::optional<bool> boolean(std::string_view name) const {
    const Value* v = get(name);
    if (!v || v->text.empty()) return std::nullopt;
    std::string t = lower(v->text);
    if (t == "true" || t == "1") return true;
    if (t == "false" || t == "0") return false;
    throw InventoryError(record.where(v) + ": " + std::string(name) + " is '" + v->text + "', not True or False");
  }
  // Identity is "SERVER\NAME" (connectors) or "SERVER\THUMBPRINT" (certificates); no backslash, no server.
  struct Identity {
    std::string server, name;
  };
  Identity identity() const {
    std::string id = text("Identity");
    auto slash = id.find('\\');
    if (slash == std::string::npos) return {{}, id};
    return {id.substr(0, slash), id.substr(slash + 1)};
  }
  std::optional<std::int64_t> date(std::string_view name) const {
    const Value* v = get(name);
    if (!v || v->text.empty()) return std::nullopt;
    auto parsed = parse_powershell_date(v->text, order);
    if (!parsed)
      throw InventoryError(record.where(v) + ": cannot read the date " + std::string(name) + " '" + v->text +
                           "' (as " + std::string(describe(order)) + ", with a time)");
    return parsed;
  }
};

bool is_certificate(const Record& r) {
  return r.find("Thumbprint") &&
         (r.find("CertificateDomains") || r.find("Services") || r.find("NotAfter") || r.find("HasPrivateKey"));
}
// Certificate properties that only Get-ExchangeCertificate prints: a record with them and without a
// Thumbprint is a certificate that cannot be used, not an unknown record.
bool looks_like_certificate(const Record& r) {
  return r.find("CertificateDomains") || r.find("HasPrivateKey") || r.find("IsSelfSigned") || r.find("RootCAType") ||
         (r.find("Services") && (r.find("NotAfter") || r.find("Subject")));
}
bool is_receive_connector(const Record& r) {
  return r.find("Bindings") || r.find("AuthMechanism") || r.find("PermissionGroups") || r.find("RemoteIPRanges");
}
bool is_send_connector(const Record& r) {
  return r.find("SourceTransportServers") || r.find("AddressSpaces") || r.find("SmartHosts") || r.find("IgnoreSTARTTLS") ||
         r.find("DNSRoutingEnabled");
}
bool is_server(const Record& r) {
  return r.find("Fqdn") && (r.find("ServerRole") || r.find("AdminDisplayVersion") || r.find("Edition") || r.find("Site"));
}

ExportedCertificate read_certificate(const Record& record, DateOrder order) {
  Reader r{record, order};
  ExportedCertificate c;
  c.source = record.where();
  std::string thumbprint = r.text("Thumbprint");
  thumbprint.erase(std::remove(thumbprint.begin(), thumbprint.end(), ' '), thumbprint.end());
  c.thumbprint = upper(thumbprint);
  if (c.thumbprint.size() != 40 || !std::all_of(c.thumbprint.begin(), c.thumbprint.end(), [](char ch) {
        return std::isxdigit(static_cast<unsigned char>(ch)) != 0;
      }))
    throw InventoryError(record.where(r.get("Thumbprint")) + ": Thumbprint '" + r.text("Thumbprint") +
                         "' is not 40 hexadecimal digits");
  c.subject = r.text("Subject");
  c.issuer = r.text("Issuer");
  c.domains = r.names("CertificateDomains");
  if (const Value* v = r.get("CertificateDomains")) c.domains_truncated = v->truncated;
  c.has_private_key = r.boolean("HasPrivateKey");
  c.self_signed = r.boolean("IsSelfSigned");
  c.not_before = r.date("NotBefore");
  c.not_after = r.date("NotAfter");
  if (const Value* v = r.get("Services")) {
    c.services_exported = true;
    c.services = flag_names(*v, {"IMAP", "POP", "UM", "IIS", "SMTP", "Federation", "UMCallRouter"});
    for (auto& s : c.services) s = upper(s);
  }
  if (const Value* v = r.get("Version"); v && !v->text.empty() &&
                                          std::all_of(v->text.begin(), v->text.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; }))
    c.version = std::stoi(v->text.substr(0, 3));
  c.status = r.text("Status");
  c.server = r.identity().server;
  return c;
}

ReceiveConnector read_receive_connector(const Record& record) {
  Reader r{record};
  ReceiveConnector c;
  c.source = record.where();
  c.name = r.text("Name");
  auto identity = r.identity();
  if (c.name.empty()) c.name = identity.name;
  c.server = r.text("Server");
  if (c.server.empty()) c.server = identity.server;
  c.fqdn = r.text("Fqdn");
  c.bindings = r.names("Bindings");
  c.auth_mechanism_exported = r.get("AuthMechanism") != nullptr;
  if (const Value* v = r.get("AuthMechanism"))
    c.auth_mechanisms = flag_names(*v, {"Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS", "ExchangeServer",
                                        "ExternalAuthoritative"});
  c.tls_certificate_name = r.text("TlsCertificateName");
  c.transport_role = r.text("TransportRole");
  if (c.name.empty()) c.name = "(unnamed, " + record.where() + ")";
  return c;
}

SendConnector read_send_connector(const Record& record) {
  Reader r{record};
  SendConnector c;
  c.source = record.where();
  c.name = r.text("Name");
  if (c.name.empty()) c.name = r.identity().name;
  c.fqdn = r.text("Fqdn");
  c.tls_certificate_name = r.text("TlsCertificateName");
  c.source_servers = r.names("SourceTransportServers");
  c.ignore_starttls = r.boolean("IgnoreSTARTTLS").value_or(false);
  if (c.name.empty()) c.name = "(unnamed, " + record.where() + ")";
  return c;
}

}  // namespace

bool ExportedCertificate::has_service(std::string_view service) const {
  return std::find(services.begin(), services.end(), upper(service)) != services.end();
}

std::vector<std::string> flag_names(const Value& value, const std::vector<std::string>& names) {
  std::vector<std::string> out;
  const std::string& t = value.text;
  if (!t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    unsigned long bits = t.size() > 9 ? 0 : std::stoul(t);
    for (std::size_t i = 0; i < names.size(); ++i)
      if (bits & (1ul << i)) out.push_back(names[i]);
    return out;
  }
  for (auto& word : text::split_commas(t)) {
    word.erase(std::remove(word.begin(), word.end(), ' '), word.end());  // wrapped inside a word
    if (lower(word) != "none") out.push_back(std::move(word));
  }
  return out;
}

bool same_server(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return false;
  bool a_fqdn = a.find('.') != std::string::npos, b_fqdn = b.find('.') != std::string::npos;
  if (a_fqdn && b_fqdn) return lower(a) == lower(b);
  return first_label(a) == first_label(b);
}

std::string Inventory::server_fqdn(const std::string& server, bool* known) const {
  if (known) *known = true;
  for (const auto& s : servers)
    if (same_server(s.name, server) || same_server(s.fqdn, server)) return s.fqdn;
  if (server.find('.') != std::string::npos) return server;
  for (const auto& c : certificates)
    if (c.server.find('.') != std::string::npos && same_server(c.server, server)) return c.server;
  if (known) *known = false;
  return server;
}

std::vector<const ExportedCertificate*> Inventory::certificates_of(const std::string& server) const {
  std::vector<const ExportedCertificate*> out;
  for (const auto& c : certificates)
    if (c.server.empty() || same_server(c.server, server)) out.push_back(&c);
  return out;
}

const ExportedCertificate* Inventory::certificate(const std::string& thumbprint) const {
  std::string wanted = upper(thumbprint);
  for (const auto& c : certificates)
    if (c.thumbprint == wanted) return &c;
  return nullptr;
}

void add_records(Inventory& inventory, const std::vector<Record>& records, std::optional<DateOrder> date_order) {
  if (records.empty()) return;
  const DateOrder order = date_order_of(records, records.front().file, date_order);
  for (const auto& record : records) {
    if (is_certificate(record)) {
      inventory.certificates.push_back(read_certificate(record, order));
    } else if (looks_like_certificate(record)) {
      throw InventoryError(record.where() +
                           ": a certificate without its Thumbprint, which identifies it: export Thumbprint too "
                           "(Get-ExchangeCertificate | Format-List *)");
    } else if (is_receive_connector(record)) {
      inventory.receive_connectors.push_back(read_receive_connector(record));
    } else if (is_send_connector(record)) {
      inventory.send_connectors.push_back(read_send_connector(record));
    } else if (is_server(record)) {
      inventory.servers.push_back({Reader{record}.text("Name"), Reader{record}.text("Fqdn")});
    } else {
      throw InventoryError(record.where() +
                           ": cannot tell what this record is: export receive connectors with Bindings and "
                           "AuthMechanism, send connectors with SourceTransportServers, certificates with "
                           "Thumbprint and Services, servers with Fqdn and ServerRole (see the README)");
    }
  }
}

Inventory load_inventory(const std::vector<std::string>& files, std::optional<DateOrder> date_order) {
  Inventory inventory;
  for (const auto& file : files) add_records(inventory, read_export(file), date_order);
  return inventory;
}

std::vector<std::string> date_disagreements(const Inventory& inventory, std::int64_t now) {
  std::vector<std::string> out;
  auto day = [](std::int64_t seconds) { return tls::format_time(seconds).substr(0, 10); };
  const std::string cause = ": the export's day and month may have been read the wrong way round (--date-order)";
  for (const auto& c : inventory.certificates) {
    if (!c.not_before || !c.not_after) continue;
    if (*c.not_before >= *c.not_after)
      out.push_back(c.source + ": NotBefore (" + day(*c.not_before) + ") is not before NotAfter (" + day(*c.not_after) +
                    ")" + cause);
    else if (iequals(c.status, "Valid") && *c.not_before > now)
      out.push_back(c.source + ": Status says Valid, but NotBefore reads as " + day(*c.not_before) + ", after today" +
                    cause);
    else if (iequals(c.status, "DateInvalid") && *c.not_before <= now && now < *c.not_after)
      out.push_back(c.source + ": Status says DateInvalid (expired or not yet valid when exported), but its dates read as " +
                    day(*c.not_before) + " to " + day(*c.not_after) + ", which include today: an old export, or" +
                    cause.substr(1));
  }
  return out;
}

}  // namespace stp::inventory
