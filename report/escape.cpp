#include "report/escape.hpp"

#include "probe/text.hpp"

namespace stp::report {

namespace {

using probe::utf8_sequence_length;

void append_hex(std::string& out, unsigned char c) {
  static constexpr char digits[] = "0123456789ABCDEF";
  out += "\\x";
  out += digits[c >> 4];
  out += digits[c & 0x0f];
}

}  // namespace

std::string valid_utf8(std::string_view bytes) {
  static constexpr std::string_view replacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t length = utf8_sequence_length(bytes, i);
    if (length > 0) {
      out.append(bytes.substr(i, length));
      i += length;
    } else {
      out.append(replacement);
      ++i;
    }
  }
  return out;
}

std::string terminal_safe(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t length = utf8_sequence_length(bytes, i);
    auto lead = static_cast<unsigned char>(bytes[i]);
    if (length == 0 || lead < 0x20 || lead == 0x7F) {
      append_hex(out, lead);  // invalid, C0 or DEL
      ++i;
    } else if (length == 2 && lead == 0xC2 && static_cast<unsigned char>(bytes[i + 1]) < 0xA0) {
      append_hex(out, lead);  // C1 controls U+0080..U+009F (0x9B is a one-byte CSI on some terminals)
      append_hex(out, static_cast<unsigned char>(bytes[i + 1]));
      i += 2;
    } else if (length == 3 && lead == 0xE2 &&
               ((bytes[i + 1] == '\x80' && static_cast<unsigned char>(bytes[i + 2]) >= 0xAA &&
                 static_cast<unsigned char>(bytes[i + 2]) <= 0xAE) ||
                (bytes[i + 1] == '\x81' && static_cast<unsigned char>(bytes[i + 2]) >= 0xA6 &&
                 static_cast<unsigned char>(bytes[i + 2]) <= 0xA9))) {
      // Bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069) could reorder what is shown.
      for (std::size_t k = 0; k < 3; ++k) append_hex(out, static_cast<unsigned char>(bytes[i + k]));
      i += 3;
    } else {
      out.append(bytes.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace stp::report
