#pragma once
// Small text helpers the export readers share: trimming, comma lists (and probe/text.hpp's case).

#include <string>
#include <string_view>
#include <vector>

#include "core/text.hpp"

namespace stp::inventory::text {

using core::iequals;
using core::lower;
using core::upper;

inline std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// "a, b,c" → {"a", "b", "c"}: items trimmed, empty ones dropped.
inline std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> items;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ',') {
      auto item = trim(s.substr(start, i - start));
      if (!item.empty()) items.emplace_back(item);
      start = i + 1;
    }
  }
  return items;
}

}  // namespace stp::inventory::text
