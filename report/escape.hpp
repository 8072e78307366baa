#pragma once
// Untrusted bytes made safe to show.

#include <string>
#include <string_view>

namespace stp::report {

// Valid UTF-8: every byte sequence that is not well-formed UTF-8 becomes U+FFFD.
// (JSON writers then escape control characters; text output escapes them visibly.)
std::string valid_utf8(std::string_view bytes);

}  // namespace stp::report
