#pragma once
// What a scraper asks of the exporter (SPEC §2 serve), read from the request line and headers:
// plain data, no sockets. Every byte comes from the network and is bounded here.

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "probe/target.hpp"

namespace stp::serve {

// A request the exporter answers 400: what() is the one line it answers with.
class BadRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The query string's parameters (application/x-www-form-urlencoded: %XX and '+' decoded). A
// parameter given twice, a bad escape, or more than 16 parameters is a BadRequest.
std::map<std::string, std::string> parse_query(std::string_view query);

// /probe's target=T[&fqdn=F][&connector=C]: the target in any form of SPEC §2, mx: included.
probe::Target probe_target_of(std::string_view query);

// The time a probe may take: X-Prometheus-Scrape-Timeout-Seconds less half a second (at least a
// tenth of one), else `otherwise`. A header that is no positive number is ignored.
std::chrono::milliseconds probe_budget(std::string_view scrape_timeout_header, std::chrono::milliseconds otherwise);

}  // namespace stp::serve
