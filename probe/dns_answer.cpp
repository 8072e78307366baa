#include "probe/dns_answer.hpp"

#include <cctype>

#include "core/text.hpp"

namespace stp::probe {

std::string_view to_string(Dnssec dnssec) {
  switch (dnssec) {
    case Dnssec::secure: return "secure";
    case Dnssec::insecure: return "insecure";
    case Dnssec::bogus: return "bogus";
  }
  return "insecure";
}

std::string describe_failure(const DnsAnswer& answer) {
  if (answer.dnssec == Dnssec::bogus)
    return "DNSSEC validation failed" +
           (answer.why_bogus.empty() ? std::string() : ": " + core::shown_in_error(answer.why_bogus));
  switch (answer.status) {
    case DnsAnswer::Status::answered: return "answered";
    case DnsAnswer::Status::nodata: return "no records of that type (NODATA)";
    case DnsAnswer::Status::nxdomain: return "NXDOMAIN (the name does not exist)";
    case DnsAnswer::Status::servfail: return "SERVFAIL (the DNS server could not answer)";
    case DnsAnswer::Status::refused: return "REFUSED by the DNS server";
    case DnsAnswer::Status::timeout: return "no answer within --timeout";
    case DnsAnswer::Status::error: return answer.error.empty() ? std::string("resolver error") : answer.error;
  }
  return "resolver error";
}

std::optional<std::string> read_wire_name(std::string_view rdata, std::size_t& offset) {
  std::string name;
  std::size_t total = 0;
  while (offset < rdata.size()) {
    auto length = static_cast<unsigned char>(rdata[offset++]);
    if (length == 0) return name;
    if (length > 63 || offset + length > rdata.size()) return std::nullopt;  // compression or overrun
    total += length + 1u;
    if (total > 255) return std::nullopt;
    if (!name.empty()) name += '.';
    for (char c : rdata.substr(offset, length)) {
      auto u = static_cast<unsigned char>(c);
      // A host name's letters, digits, '-' and '_'; anything else is kept escaped, never raw.
      if (std::isalnum(u) || c == '-' || c == '_') {
        name += static_cast<char>(std::tolower(u));
      } else {
        static constexpr char digits[] = "0123456789";
        name += '\\';
        name += digits[u / 100];
        name += digits[u / 10 % 10];
        name += digits[u % 10];
      }
    }
    offset += length;
  }
  return std::nullopt;
}

std::optional<MxRecord> parse_mx(std::string_view rdata) {
  if (rdata.size() < 3) return std::nullopt;
  MxRecord mx;
  mx.preference = static_cast<std::uint16_t>(static_cast<unsigned char>(rdata[0]) << 8 | static_cast<unsigned char>(rdata[1]));
  std::size_t offset = 2;
  auto host = read_wire_name(rdata, offset);
  if (!host || offset != rdata.size()) return std::nullopt;
  mx.host = std::move(*host);
  return mx;
}

std::optional<TlsaRecord> parse_tlsa(std::string_view rdata) {
  if (rdata.size() < 3) return std::nullopt;
  return TlsaRecord{static_cast<std::uint8_t>(rdata[0]), static_cast<std::uint8_t>(rdata[1]),
                    static_cast<std::uint8_t>(rdata[2]), std::string(rdata.substr(3))};
}

}  // namespace stp::probe
