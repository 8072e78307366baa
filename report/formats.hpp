#pragma once
// The writers behind Writer::make, one file each.

#include <memory>

#include "report/writer.hpp"

namespace stp::report {

std::unique_ptr<Writer> make_text_writer(Writer::Sink sink, const WriterOptions& options);
std::unique_ptr<Writer> make_csv_writer(Writer::Sink sink);
std::unique_ptr<Writer> make_nagios_writer(Writer::Sink sink, const WriterOptions& options);
std::unique_ptr<Writer> make_prometheus_writer(Writer::Sink sink);
std::unique_ptr<Writer> make_junit_writer(Writer::Sink sink);
std::unique_ptr<Writer> make_html_writer(Writer::Sink sink, const WriterOptions& options);

}  // namespace stp::report
