#pragma once
// What an administrator exported from Exchange: receive and send connectors, certificates and
// servers, read from any number of exports (Format-List or ConvertTo-Json, any mix).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "inventory/dates.hpp"
#include "inventory/powershell.hpp"

namespace stp::inventory {

// Get-ExchangeCertificate.
struct ExportedCertificate {
  std::string thumbprint;                   // uppercase hex SHA-1
  std::string subject, issuer;              // as exported (Windows distinguished-name form)
  std::vector<std::string> domains;         // CertificateDomains
  bool domains_truncated = false;           // the export cut the list short ($FormatEnumerationLimit)
  std::optional<bool> has_private_key;      // null: not exported
  std::optional<bool> self_signed;          // IsSelfSigned; null: not exported
  std::optional<std::int64_t> not_before, not_after;
  std::vector<std::string> services;        // IMAP, POP, IIS, SMTP, ... (upper case); empty: None
  bool services_exported = false;
  std::optional<int> version;               // X.509 version, when exported
  std::string status;                       // Valid, Invalid, ... as exported
  std::string server;                       // from Identity (SERVER\THUMBPRINT) or PSComputerName; empty: any
  std::string source;                       // file:line

  bool has_service(std::string_view service) const;
};

struct ReceiveConnector {
  std::string name;
  std::string server;                       // Server (a NetBIOS name or an FQDN)
  std::string fqdn;                         // Fqdn; empty: the server's FQDN
  std::vector<std::string> bindings;        // 0.0.0.0:25, [::]:25, 192.0.2.10:2525
  std::vector<std::string> auth_mechanisms; // Tls, Integrated, BasicAuth, ...
  bool auth_mechanism_exported = false;      // false: not in the export (unknown, not "none")
  std::string tls_certificate_name;         // <I>issuer<S>subject, or empty
  std::string transport_role;
  std::string source;
};

struct SendConnector {
  std::string name;
  std::string fqdn;
  std::string tls_certificate_name;
  std::vector<std::string> source_servers;  // SourceTransportServers
  bool ignore_starttls = false;             // IgnoreSTARTTLS
  std::string source;
};

// Get-ExchangeServer: the server's FQDN, for connectors without one.
struct ExchangeServer {
  std::string name;
  std::string fqdn;
};

struct Inventory {
  std::vector<ReceiveConnector> receive_connectors;
  std::vector<SendConnector> send_connectors;
  std::vector<ExportedCertificate> certificates;
  std::vector<ExchangeServer> servers;

  // The server's FQDN as far as the export tells (Get-ExchangeServer, a certificate's Identity,
  // or the name itself when it has a dot); `known` says whether it came from the export.
  std::string server_fqdn(const std::string& server, bool* known = nullptr) const;
  // The certificates exported for that server (and those whose server the export does not name).
  std::vector<const ExportedCertificate*> certificates_of(const std::string& server) const;
  // The certificate with that thumbprint (any server), or null.
  const ExportedCertificate* certificate(const std::string& thumbprint) const;
};

// Reads every file and sorts its records into connectors, certificates and servers; each file's
// culture dates are read in the order its own dates show, else `date_order` (--date-order). Throws
// InventoryError naming file:line for a record that is none of them or a value that cannot be read.
Inventory load_inventory(const std::vector<std::string>& files, std::optional<DateOrder> date_order = std::nullopt);
// The same for the records of one file already read (the tests' and fuzzers' entry).
void add_records(Inventory& inventory, const std::vector<Record>& records,
                 std::optional<DateOrder> date_order = std::nullopt);

// Where a certificate's dates, as read, disagree with the export's own word: NotBefore not before
// NotAfter, `Status : Valid` with a NotBefore after `now`, `Status : DateInvalid` with dates that
// include `now`. Each names file:line; a swapped day and month is the usual cause.
std::vector<std::string> date_disagreements(const Inventory& inventory, std::int64_t now);

// Flags as exported: "IMAP, POP, IIS, SMTP" or the enum's number (see the README for the
// numbering assumed). `names` lists the flag names from bit 0 up.
std::vector<std::string> flag_names(const Value& value, const std::vector<std::string>& names);

// Two servers are the same when their names are, or one's first label is the other's name
// (EX01 and ex01.contoso.com).
bool same_server(const std::string& a, const std::string& b);

}  // namespace stp::inventory
