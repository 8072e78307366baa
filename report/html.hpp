#pragma once
// The pieces every html report is made of (scan, inventory, diff): one self-contained page whose
// Content-Security-Policy allows its own style and script by their hashes and nothing else, the
// headline's counts, and the table the script sorts, filters and pages (rows with data-status).

#include <string>
#include <string_view>
#include <vector>

#include "tls/verdict.hpp"

namespace stp::report::html {

// Escaped for an element's text and for a quoted attribute alike.
std::string text(std::string_view bytes);

// The whole document around `body`: doctype, the policy, the style; the script at the end.
std::string page(const std::string& title, const std::string& body);

// The counts by status, worst first (critical, unknown, warning, ok).
std::string counts(const tls::Tally& tally);

// <td> with the status word, sorting worst first.
std::string status_cell(tls::Status status);

// The sortable, filterable table (id "endpoints") of `rows` (<tr data-status="..."> each), with its
// controls, hidden until the script shows them; `noun` names the rows ("endpoints", "connectors").
std::string table(const std::vector<std::string>& columns, const std::string& rows, const std::string& noun = "endpoints");

}  // namespace stp::report::html
