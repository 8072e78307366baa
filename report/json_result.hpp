#pragma once
// One result as the JSON object of SPEC §5 (jsonl and json formats).

#include <boost/json/object.hpp>

#include "probe/evidence.hpp"
#include "tls/assessment.hpp"

namespace stp::report {

// Every SPEC §5 field, null or [] where it does not apply. Network bytes become valid UTF-8.
boost::json::object result_json(const probe::Evidence& evidence, const tls::Assessment& assessment);

// One line of jsonl: the object, then '\n'.
std::string jsonl_line(const probe::Evidence& evidence, const tls::Assessment& assessment);

}  // namespace stp::report
