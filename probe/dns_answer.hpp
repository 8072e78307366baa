#pragma once
// What the DNS said, as plain data: one question's answer with its DNSSEC state, and the record
// types the probe reads (A, AAAA, MX, TLSA) decoded from their wire form. The resolver that asks
// lives in dns.hpp; tls/ judges these without I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stp::probe {

enum class Dnssec { secure, insecure, bogus };
std::string_view to_string(Dnssec dnssec);

namespace rrtype {
constexpr std::uint16_t a = 1, mx = 15, txt = 16, aaaa = 28, tlsa = 52;
}

struct DnsAnswer {
  enum class Status { answered, nodata, nxdomain, servfail, refused, timeout, error };
  Status status = Status::error;
  Dnssec dnssec = Dnssec::insecure;
  std::string why_bogus;             // the validator's reason when bogus
  std::string canonical_name;        // where CNAMEs led (no trailing dot), when they did
  std::vector<std::string> records;  // each record's data in wire form
  std::string error;                 // the resolver's own message for Status::error
};

// "SERVFAIL", "NXDOMAIN (the name does not exist)", "DNSSEC validation failed: <why>"...: why an
// answer holds no records, for a finding's message.
std::string describe_failure(const DnsAnswer& answer);

struct MxRecord {
  std::uint16_t preference = 0;
  std::string host;  // lower case, no trailing dot; "" for the null MX's "."
};

struct TlsaRecord {
  std::uint8_t usage = 0, selector = 0, matching_type = 0;
  std::string data;  // the association data, raw bytes
};

// A domain name in uncompressed wire form at `offset` of `rdata` (libunbound hands rdata so), as
// text in lower case without the trailing dot; `offset` moves past it. Null when malformed.
std::optional<std::string> read_wire_name(std::string_view rdata, std::size_t& offset);
std::optional<MxRecord> parse_mx(std::string_view rdata);
std::optional<TlsaRecord> parse_tlsa(std::string_view rdata);
// A TXT record's character-strings joined into one text (RFC 7208 §3.3's rule, which MTA-STS and
// TLS-RPT follow); null when a length runs past the data.
std::optional<std::string> parse_txt(std::string_view rdata);

// A whole DNS response as libunbound's event interface hands it (names compressed): its rcode and,
// at the end of the answer's CNAME chain, the data of each record of the asked type in the form
// above (an MX's host uncompressed). Null when malformed; every offset and pointer bounded.
struct DnsMessage {
  int rcode = 0;
  std::string canonical_name;        // where CNAMEs led (no trailing dot), when they did
  std::vector<std::string> records;  // data of the asked type's records at that name
};
std::optional<DnsMessage> parse_dns_message(std::string_view packet);

}  // namespace stp::probe
