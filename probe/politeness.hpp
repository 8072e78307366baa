#pragma once
// How hard the scan presses on the servers: at most `per_host` connections in flight to one IP
// address, and at most `rate` new connections per second overall. Shared by every probe of a scan,
// from any thread.

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

namespace stp::probe {

class Politeness {
 public:
  // `per_host` 0 = no limit; `rate` 0 = unlimited.
  Politeness(std::size_t per_host, double rate);

  // Waits for a connection slot to `address`, then for the rate's next opening.
  boost::asio::awaitable<void> acquire(const boost::asio::ip::address& address);
  // Gives the slot back: the longest waiter for the same address gets it.
  void release(const boost::asio::ip::address& address);

 private:
  struct Host {
    std::size_t active = 0;
    std::deque<std::function<void()>> waiters;  // each wakes one waiting probe, on its own thread
  };
  boost::asio::awaitable<void> wait_for_rate();

  std::size_t per_host_;
  std::chrono::nanoseconds interval_;  // between two new connections; 0 = unlimited
  std::mutex mutex_;
  std::unordered_map<std::string, Host> hosts_;
  std::chrono::steady_clock::time_point next_opening_{};
};

}  // namespace stp::probe
