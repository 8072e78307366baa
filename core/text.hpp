#pragma once
// Text primitives every layer shares: ASCII case (protocol keywords, host names, PowerShell
// property names), joining lists, and UTF-8 (what is well-formed, and encoding a code point).

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stp::core {

inline bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

inline std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The items with `separator` between them, each after `prefix`: join({"a", "b"}) is "a, b".
inline std::string join(const std::vector<std::string>& items, std::string_view separator = ", ",
                        std::string_view prefix = "") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += prefix;
    out += item;
  }
  return out;
}

// Bytes as hexadecimal digits, two per byte.
inline std::string hex(std::string_view bytes, bool upper = false) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    out += digits[static_cast<unsigned char>(c) >> 4];
    out += digits[static_cast<unsigned char>(c) & 0x0f];
  }
  return out;
}

// The user's input quoted in an error message: one line of printable ASCII, at most 200 bytes of
// it, anything else shown as '?'.
inline std::string shown_in_error(std::string_view input) {
  std::string out;
  for (char c : input.substr(0, 200)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  return out;
}

// Length of the well-formed UTF-8 sequence at bytes[i] (no overlong forms, no surrogates, nothing
// above U+10FFFF), or 0 when there is none.
inline std::size_t utf8_sequence_length(std::string_view bytes, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  unsigned char lead = byte(i);
  std::size_t length = 0;
  unsigned min_second = 0x80, max_second = 0xBF;
  if (lead < 0x80) {
    length = 1;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_second = 0xA0;
    if (lead == 0xED) max_second = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_second = 0x90;
    if (lead == 0xF4) max_second = 0x8F;
  }
  bool ok = length > 0 && i + length <= bytes.size();
  for (std::size_t k = 1; ok && k < length; ++k) {
    unsigned char c = byte(i + k);
    unsigned lo = k == 1 ? min_second : 0x80, hi = k == 1 ? max_second : 0xBF;
    ok = c >= lo && c <= hi;
  }
  return ok ? length : 0;
}

inline bool is_valid_utf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t length = utf8_sequence_length(bytes, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

inline void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// UTF-16 (without its byte-order mark) as UTF-8; surrogate pairs joined. Null when the text is not
// UTF-16: an odd number of bytes, or an unpaired surrogate (its byte offset in `bad_at`).
inline std::optional<std::string> utf16_to_utf8(std::string_view bytes, bool little_endian, std::size_t* bad_at = nullptr) {
  if (bytes.size() % 2 != 0) {
    if (bad_at) *bad_at = bytes.size() - 1;
    return std::nullopt;
  }
  std::string out;
  out.reserve(bytes.size() / 2);
  auto unit = [&](std::size_t i) {
    auto lo = static_cast<unsigned char>(bytes[i]), hi = static_cast<unsigned char>(bytes[i + 1]);
    return static_cast<char32_t>(little_endian ? (hi << 8 | lo) : (lo << 8 | hi));
  };
  for (std::size_t i = 0; i < bytes.size(); i += 2) {
    char32_t c = unit(i);
    if (c >= 0xD800 && c <= 0xDBFF && i + 3 < bytes.size()) {
      char32_t low = unit(i + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        append_utf8(out, 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00));
        i += 2;
        continue;
      }
    }
    if (c >= 0xD800 && c <= 0xDFFF) {
      if (bad_at) *bad_at = i;
      return std::nullopt;
    }
    append_utf8(out, c);
  }
  return out;
}

}  // namespace stp::core
