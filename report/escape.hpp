#pragma once
// Untrusted bytes made safe for each place a report goes: one rule per sink, applied where the
// sink writes (text and nagios on a terminal, JSON, JUnit XML, CSV, Prometheus labels). Everything
// else in report/ calls these; nothing from a server or an export is written any other way.

#include <string>
#include <string_view>

namespace stp::report {

// JSON (the serializer then escapes control characters): every byte sequence that is not
// well-formed UTF-8 becomes U+FFFD.
std::string valid_utf8(std::string_view bytes);

// A terminal (text, nagios, the inventory and diff reports): printable UTF-8 kept as it is; a
// backslash doubled; C0 controls, DEL, C1 controls, bidirectional marks, embeddings, overrides and
// isolates (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), line and paragraph separators
// (U+2028, U+2029), the BOM (U+FEFF), noncharacters (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF) and invalid
// bytes shown as \xNN per byte. Unambiguous: the escaped text decodes back to the bytes. Nothing a
// server sent can move the cursor, change colours, set a title, reorder or break the line shown.
std::string terminal_safe(std::string_view bytes);

// A Nagios plugin line: terminal_safe(), and '|' (which would start the perfdata) as \x7C.
std::string plugin_safe(std::string_view bytes);

// XML 1.0 text and attribute values (JUnit): markup escaped; what XML cannot hold at all (C0 but
// tab, LF and CR; U+FFFE, U+FFFF; invalid bytes) shown as \xNN, a backslash doubled.
std::string xml_safe(std::string_view bytes);

// One CSV field (RFC 4180): valid UTF-8; quoted when it holds a comma, a quote or a line break,
// quotes doubled; a value that a spreadsheet would take for a formula (starting with = + - @, a
// tab or a CR) gets a leading apostrophe, whoever chose it.
std::string csv_field(std::string_view bytes);

// A Prometheus label value (text exposition format): valid UTF-8; backslash, double quote and
// line feed escaped as the format requires.
std::string prometheus_label(std::string_view bytes);

}  // namespace stp::report
