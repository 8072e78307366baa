#pragma once
// Untrusted bytes made safe to show.

#include <string>
#include <string_view>

namespace stp::report {

// Valid UTF-8: every byte sequence that is not well-formed UTF-8 becomes U+FFFD.
// (JSON writers then escape control characters.)
std::string valid_utf8(std::string_view bytes);

// Safe for a terminal: printable UTF-8 kept; control characters (C0, DEL, C1), ESC sequences
// bidirectional overrides and invalid bytes shown as \xNN. Nothing a server sent can move the
// cursor, change colours, set a window title or reorder the text. (Messages from tls/ arrive
// already escaped that way, so a backslash is left as it is.)
std::string terminal_safe(std::string_view bytes);

}  // namespace stp::report
