#pragma once
// Words and colours the text reports share (scan, inventory, diff): one status, one look.

#include <string>

#include "tls/verdict.hpp"

namespace stp::report {

const char* severity_word(tls::Severity severity);  // info, WARNING, CRITICAL, UNKNOWN
const char* status_word(tls::Status status);        // OK, WARNING, CRITICAL, UNKNOWN

// `text` in the colour of the severity or status (ANSI), or as it is without `color`.
std::string colored(tls::Severity severity, const std::string& text, bool color);
std::string colored(tls::Status status, const std::string& text, bool color);

}  // namespace stp::report
