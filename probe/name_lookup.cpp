#include "probe/name_lookup.hpp"

#include <algorithm>

#include <ifaddrs.h>
#include <netinet/in.h>

#include "net/asio.hpp"

namespace stp::probe {
namespace {

bool has_own_ipv6() {
  static const bool has = [] {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return false;
    bool found = false;
    for (ifaddrs* entry = list; entry != nullptr && !found; entry = entry->ifa_next) {
      if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET6) continue;
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr);
      found = !IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) && !IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr);
    }
    ::freeifaddrs(list);
    return found;
  }();
  return has;
}

void add_addresses(const DnsAnswer& answer, std::vector<net::ip::address>& addresses) {
  for (const auto& data : answer.records) {
    net::ip::address address;
    if (data.size() == 4) {
      net::ip::address_v4::bytes_type bytes;
      std::copy_n(reinterpret_cast<const unsigned char*>(data.data()), 4, bytes.begin());
      address = net::ip::address_v4(bytes);
    } else if (data.size() == 16) {
      net::ip::address_v6::bytes_type bytes;
      std::copy_n(reinterpret_cast<const unsigned char*>(data.data()), 16, bytes.begin());
      address = net::ip::address_v6(bytes);
    } else {
      continue;
    }
    if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) addresses.push_back(address);
  }
}

}  // namespace

net::awaitable<LookupAnswer> look_up(Resolver& resolver, const std::string& host, Family family,
                                     std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool want_v6 = family == Family::v6 || (family == Family::any && has_own_ipv6());
  bool want_v4 = family != Family::v6;
  // Both questions are out before either answer is awaited.
  Resolver::Ticket v6 = want_v6 ? resolver.ask(host, rrtype::aaaa) : nullptr;
  Resolver::Ticket v4 = want_v4 ? resolver.ask(host, rrtype::a) : nullptr;
  std::vector<DnsAnswer> answers;
  if (v6) {
    DnsAnswer answer = co_await resolver.wait(std::move(v6), deadline);
    answers.push_back(std::move(answer));
  }
  if (v4) {
    DnsAnswer answer = co_await resolver.wait(std::move(v4), deadline);
    answers.push_back(std::move(answer));
  }
  LookupAnswer out;
  bool all_secure = true;
  for (const auto& answer : answers) {
    add_addresses(answer, out.addresses);
    all_secure = all_secure && answer.dnssec == Dnssec::secure;
    if (answer.dnssec == Dnssec::bogus && out.why_bogus.empty()) out.why_bogus = answer.why_bogus.empty() ? "bogus" : answer.why_bogus;
    if (out.canonical_name.empty()) out.canonical_name = answer.canonical_name;
  }
  out.dnssec = !out.why_bogus.empty() ? Dnssec::bogus : all_secure && !answers.empty() ? Dnssec::secure : Dnssec::insecure;
  if (!out.addresses.empty()) co_return out;
  // No address: the most telling reason. A bogus answer first, then a timeout, then the rest.
  auto with = [&](auto test) { return std::find_if(answers.begin(), answers.end(), test); };
  if (auto bogus = with([](const DnsAnswer& a) { return a.dnssec == Dnssec::bogus; }); bogus != answers.end()) {
    out.error = describe_failure(*bogus);
  } else if (with([](const DnsAnswer& a) { return a.status == DnsAnswer::Status::timeout; }) != answers.end()) {
    out.timed_out = true;
  } else if (auto failed = with([](const DnsAnswer& a) { return a.status != DnsAnswer::Status::nodata; });
             failed != answers.end()) {
    out.error = describe_failure(*failed);
  } else {
    out.error = std::string("no ") + (family == Family::v6 ? "IPv6" : family == Family::v4 ? "IPv4" : "") +
                (family == Family::any ? "" : " ") + "address records (NODATA)";
  }
  co_return out;
}

}  // namespace stp::probe
