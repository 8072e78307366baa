#pragma once
// Results as the JSON of SPEC §5 (jsonl and json formats).

#include <string>

#include <boost/json/object.hpp>

#include "inventory/predict.hpp"
#include "probe/evidence.hpp"
#include "report/writer.hpp"
#include "tls/assessment.hpp"

namespace stp::report {

// Text for JSON: network and export bytes made valid UTF-8; null when absent.
boost::json::value json_text(std::string_view bytes);
boost::json::value json_text_or_null(const std::optional<std::string>& value);

// Every SPEC §5 field, null or [] where it does not apply. Network bytes become valid UTF-8.
// `prediction` (scan --inventory) becomes the "inventory" field; null without one.
boost::json::object result_json(const probe::Evidence& evidence, const tls::Assessment& assessment,
                                const inventory::Prediction* prediction = nullptr);

// The result of `inspect`: the same fields; target is the file, and host, address, port, mode,
// smtp, tls and timings are null.
boost::json::object inspect_json(const std::string& file, const std::optional<std::string>& fqdn,
                                 const tls::Assessment& assessment);

// One line of jsonl: the object, then '\n'.
std::string jsonl_line(const boost::json::object& result);

// The json format: {"results": [...], "summary": {...}} and a final '\n'; the summary carries the
// tool's version and the run's start and end from `options`.
std::string json_document(boost::json::array results, const tls::Tally& tally, const WriterOptions& options);

// Unix milliseconds now, and as RFC 3339 in UTC with milliseconds (2026-11-29T09:00:00.123Z).
std::int64_t unix_ms_now();
std::string format_time_ms(std::int64_t unix_ms);

}  // namespace stp::report
