#pragma once
// The resolver: libunbound, asynchronous and DNSSEC-validating, running inside one event loop
// through its pluggable event interface (its sockets and timers are Asio waits). Every question is bounded by its own time; thousands may be in flight, and a
// silent server costs only the names that wait on it. /etc/hosts is read; queries go to
// --dns-server, else to the servers of /etc/resolv.conf (else 127.0.0.1, as the C library does):
// the resolver never recurses from the root itself.

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "probe/dns_answer.hpp"
#include "probe/settings.hpp"
#include "probe/target_source.hpp"

namespace stp::probe {

// A --dns-server or --dnssec-anchor the resolver cannot use: an input error before any probe.
class DnsSetupError : public InputError {
 public:
  using InputError::InputError;
};

// "192.0.2.53", "192.0.2.53:5353", "[2001:db8::53]:5353" or "2001:db8::53" as libunbound's
// "ADDR@PORT"; throws DnsSetupError naming the option for anything else.
std::string forwarder_address(const std::string& server);

// The default trust anchor (Debian's dns-root-data), when that package is installed.
std::optional<std::string> default_dnssec_anchors();

class Resolver {
 public:
  // Answers are delivered on `executor` (one event loop). Throws DnsSetupError for settings that
  // cannot work (an anchor file that does not read as DS or DNSKEY records).
  Resolver(boost::asio::any_io_executor executor, const DnsSettings& settings);
  ~Resolver();  // questions still out are cancelled
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  struct Question;
  using Ticket = std::shared_ptr<Question>;

  // Sends a question now (class IN); several sent before the first wait are in flight together.
  Ticket ask(const std::string& name, std::uint16_t type);
  // Its answer, or Status::timeout at `deadline` (the question is then cancelled).
  boost::asio::awaitable<DnsAnswer> wait(Ticket question, std::chrono::steady_clock::time_point deadline);
  // Both in one.
  boost::asio::awaitable<DnsAnswer> query(std::string name, std::uint16_t type, std::chrono::milliseconds timeout);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace stp::probe
