#pragma once
// Server bytes quoted inside a message: printable ASCII, C-style escapes, bounded length.

#include <cstdio>
#include <string>
#include <string_view>

namespace stp::tls {

inline std::string printable(std::string_view bytes, std::size_t max_bytes = 80) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < max_bytes; ++i) {
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\\') out += "\\\\";
    else if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
    else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    }
  }
  if (bytes.size() > max_bytes) out += "…";
  return out;
}

}  // namespace stp::tls
