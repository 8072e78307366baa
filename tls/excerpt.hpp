#pragma once
// Server and certificate text quoted inside a finding's message: kept as it is, only bounded.
// tls/ decides what a message says, never how it is shown: each report format escapes the whole
// message by its own rule (report/escape.hpp), so there is one escaping per sink, never two.

#include <string>
#include <string_view>

namespace stp::tls {

// At most `max_bytes` of `bytes`, cut before a UTF-8 continuation byte, "…" when cut.
inline std::string excerpt(std::string_view bytes, std::size_t max_bytes = 80) {
  if (bytes.size() <= max_bytes) return std::string(bytes);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(bytes[cut]) & 0xC0) == 0x80) --cut;
  return std::string(bytes.substr(0, cut)) + "…";
}

}  // namespace stp::tls
