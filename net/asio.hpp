#pragma once
// The Asio names every event-loop file of the project uses (probe/ and lab/), said once.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace stp {

namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

// Awaited operations hand back their error as a value (STYLE.md: expected failures are values).
inline constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

}  // namespace stp
