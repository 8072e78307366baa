#pragma once
// An address and port as people write them on a command line.

#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>

namespace stp {

// "192.0.2.1", "192.0.2.1:53", "2001:db8::1", "[2001:db8::1]" or "[2001:db8::1]:53": the endpoint,
// or nothing when the text is none of those or its port is outside [min_port, 65535]. A text
// without a port takes `default_port`; without one, a port is required.
std::optional<boost::asio::ip::tcp::endpoint> parse_endpoint(std::string_view text, std::optional<std::uint16_t> default_port,
                                                             unsigned min_port = 1);

}  // namespace stp
