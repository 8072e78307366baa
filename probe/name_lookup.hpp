#pragma once
// A host name's addresses, asked of the resolver (dns.hpp) as A and AAAA questions in flight
// together, each bounded by the probe's time: a silent DNS server costs only the names that wait
// on it, never the others.

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include "probe/dns.hpp"
#include "probe/settings.hpp"

namespace stp::probe {

struct LookupAnswer {
  std::vector<boost::asio::ip::address> addresses;  // IPv6 first where this host has IPv6, each once
  bool timed_out = false;
  std::string error;  // why there are no addresses
  Dnssec dnssec = Dnssec::insecure;  // of the address records: secure only when every answer is
  std::string why_bogus;
  std::string canonical_name;  // where a CNAME led, when one did
};

// The addresses of `host` in `family`, within `timeout`. Without -4/-6, IPv6 is asked only where
// this machine has an IPv6 address of its own beyond loopback (as getaddrinfo's AI_ADDRCONFIG).
boost::asio::awaitable<LookupAnswer> look_up(Resolver& resolver, const std::string& host, Family family,
                                             std::chrono::milliseconds timeout);

}  // namespace stp::probe
