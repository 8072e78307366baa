#include "probe/dns_answer.hpp"

#include <algorithm>
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

std::optional<std::string> parse_txt(std::string_view rdata) {
  std::string text;
  for (std::size_t at = 0; at < rdata.size();) {
    std::size_t length = static_cast<unsigned char>(rdata[at]);
    if (at + 1 + length > rdata.size()) return std::nullopt;
    text += rdata.substr(at + 1, length);
    at += 1 + length;
  }
  return text;
}

namespace {

std::uint16_t read_u16(std::string_view bytes, std::size_t offset) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[offset]) << 8 | static_cast<unsigned char>(bytes[offset + 1]));
}

// The name at `offset` of a whole message, compression pointers followed (each one backwards, so
// that none loops), in uncompressed wire form with its letters in lower case; `offset` moves past
// the name as it stands in the message.
std::optional<std::string> expand_name(std::string_view message, std::size_t& offset) {
  std::string wire;
  std::size_t at = offset;
  bool jumped = false;
  while (at < message.size()) {
    auto length = static_cast<unsigned char>(message[at]);
    if ((length & 0xC0) == 0xC0) {
      if (at + 1 >= message.size()) return std::nullopt;
      std::size_t target = read_u16(message, at) & 0x3FFFu;
      if (target >= at) return std::nullopt;
      if (!jumped) offset = at + 2;
      jumped = true;
      at = target;
      continue;
    }
    if (length > 63 || at + 1 + length > message.size()) return std::nullopt;
    wire += static_cast<char>(length);
    for (char c : message.substr(at + 1, length)) wire += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (wire.size() > 255) return std::nullopt;
    at += 1u + length;
    if (length == 0) {
      if (!jumped) offset = at;
      return wire;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<DnsMessage> parse_dns_message(std::string_view packet) {
  constexpr std::size_t header = 12;
  constexpr std::uint16_t cname = 5;
  if (packet.size() < header) return std::nullopt;
  DnsMessage message;
  message.rcode = static_cast<unsigned char>(packet[3]) & 0x0F;
  if (read_u16(packet, 4) != 1) return std::nullopt;  // one question, as every resolver asks
  std::size_t answers = read_u16(packet, 6), offset = header;
  auto asked = expand_name(packet, offset);
  if (!asked || offset + 4 > packet.size()) return std::nullopt;
  std::uint16_t type = read_u16(packet, offset);
  offset += 4;
  struct Record {
    std::string owner;
    std::uint16_t type;
    std::string data;
  };
  std::vector<Record> records;
  for (std::size_t i = 0; i < answers; ++i) {
    auto owner = expand_name(packet, offset);
    if (!owner || offset + 10 > packet.size()) return std::nullopt;
    std::uint16_t record_type = read_u16(packet, offset);
    std::size_t length = read_u16(packet, offset + 8), start = offset + 10;
    if (start + length > packet.size()) return std::nullopt;
    std::string data(packet.substr(start, length));
    if (record_type == cname || record_type == rrtype::mx) {
      // Names in the data may point into the message: written out whole.
      std::size_t at = record_type == rrtype::mx ? start + 2 : start;
      if (at > start + length) return std::nullopt;
      auto name = expand_name(packet, at);
      if (!name || at != start + length) return std::nullopt;
      data.resize(record_type == rrtype::mx ? 2 : 0);
      data += *name;
    }
    records.push_back({std::move(*owner), record_type, std::move(data)});
    offset = start + length;
  }
  // Follow the CNAME chain from the asked name; each step at most once, so a loop ends.
  std::string name = *asked;
  for (std::size_t step = 0; step < records.size(); ++step) {
    auto next = std::find_if(records.begin(), records.end(),
                             [&](const Record& r) { return r.type == cname && r.owner == name && type != cname; });
    if (next == records.end()) break;
    name = next->data;
  }
  for (const auto& record : records)
    if (record.owner == name && record.type == type) message.records.push_back(record.data);
  if (name != *asked) {
    std::size_t at = 0;
    message.canonical_name = read_wire_name(name, at).value_or("");
  }
  return message;
}

}  // namespace stp::probe
