#include "report/escape.hpp"

#include "core/text.hpp"

namespace stp::report {

namespace {

using core::utf8_sequence_length;

void append_hex(std::string& out, unsigned char c) {
  static constexpr char digits[] = "0123456789ABCDEF";
  out += "\\x";
  out += digits[c >> 4];
  out += digits[c & 0x0f];
}

// The code point of the well-formed sequence of `length` bytes at `p`.
char32_t code_point(std::string_view p, std::size_t length) {
  auto b = [&](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(p[k])); };
  switch (length) {
    case 1: return b(0);
    case 2: return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3: return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default: return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

bool is_noncharacter(char32_t c) { return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE; }

// What a terminal must not be handed as it is.
bool unshowable_on_terminal(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0x061C || c == 0x200E || c == 0x200F ||
         (c >= 0x2028 && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF || is_noncharacter(c);
}

// What XML 1.0's Char production leaves out (surrogates cannot occur in well-formed UTF-8).
bool not_xml_char(char32_t c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE || c == 0xFFFF;
}

// Well-formed UTF-8 kept unless `hide` says otherwise; hidden code points and invalid bytes as
// \xNN per byte; a backslash doubled, so that an escape in the output always means one.
template <class Hide>
std::string escaped(std::string_view bytes, Hide hide) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t length = utf8_sequence_length(bytes, i);
    if (length == 0) {
      append_hex(out, static_cast<unsigned char>(bytes[i]));
      ++i;
      continue;
    }
    std::string_view sequence = bytes.substr(i, length);
    if (hide(code_point(sequence, length))) {
      for (char c : sequence) append_hex(out, static_cast<unsigned char>(c));
    } else if (sequence == "\\") {
      out += "\\\\";
    } else {
      out.append(sequence);
    }
    i += length;
  }
  return out;
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

std::string terminal_safe(std::string_view bytes) { return escaped(bytes, unshowable_on_terminal); }

std::string plugin_safe(std::string_view bytes) {
  return escaped(bytes, [](char32_t c) { return c == '|' || unshowable_on_terminal(c); });
}

std::string xml_safe(std::string_view bytes) {
  std::string out;
  for (char c : escaped(bytes, not_xml_char)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#13;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string csv_field(std::string_view bytes) {
  std::string value = valid_utf8(bytes);
  if (!value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos)
    value.insert(0, 1, '\'');
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string prometheus_label(std::string_view bytes) {
  std::string out;
  for (char c : valid_utf8(bytes)) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace stp::report
