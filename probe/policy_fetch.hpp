#pragma once
// The HTTPS fetch of an MTA-STS policy (RFC 8461 §3.3), as a sender makes it: GET
// https://HOST/.well-known/mta-sts.txt with SNI and Host HOST, no redirect followed, the body cut
// at 64 KiB, the whole fetch bounded by one timeout. The certificate is captured, not judged here:
// tls/ verifies it for HOST.

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "probe/evidence.hpp"

namespace stp::probe {

// Tries `endpoints` in order until one connects; never throws for what the network or the server does.
boost::asio::awaitable<PolicyFetchEvidence> fetch_sts_policy(std::string host, std::vector<boost::asio::ip::tcp::endpoint> endpoints,
                                                             boost::asio::ssl::context& tls, std::chrono::milliseconds timeout);

}  // namespace stp::probe
