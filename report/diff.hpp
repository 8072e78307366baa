#pragma once
// `diff OLD NEW` rendered: what changed per endpoint (history/scan_diff compares) in text, json or jsonl.

#include "history/scan_diff.hpp"
#include "report/writer.hpp"

namespace stp::report {

// Writes the diff; its exit code is history::exit_code_of(diff), shown in the summary.
void write_diff(const history::ScanDiff& diff, Format format, const Writer::Sink& sink, bool color);

}  // namespace stp::report
