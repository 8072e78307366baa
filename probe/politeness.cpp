#include "probe/politeness.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/asio.hpp"

namespace stp::probe {

using clock = std::chrono::steady_clock;

Politeness::Politeness(std::size_t per_host, double rate)
    : per_host_(per_host),
      interval_(rate > 0 ? std::chrono::nanoseconds(static_cast<long long>(1e9 / rate)) : std::chrono::nanoseconds(0)) {}

net::awaitable<void> Politeness::acquire(const net::ip::address& address) {
  if (per_host_ > 0) {
    auto executor = co_await net::this_coro::executor;
    net::steady_timer wake(executor, clock::time_point::max());
    bool waiting = false;
    {
      std::lock_guard lock(mutex_);
      Host& host = hosts_[address.to_string()];
      if (host.active < per_host_) {
        ++host.active;
      } else {
        // The slot is handed over by release(), on this probe's own executor.
        host.waiters.push_back([executor, &wake] { net::post(executor, [&wake] { wake.cancel(); }); });
        waiting = true;
      }
    }
    if (waiting) co_await wake.async_wait(net::as_tuple(net::use_awaitable));
  }
  co_await wait_for_rate();
}

void Politeness::release(const net::ip::address& address) {
  if (per_host_ == 0) return;
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    auto found = hosts_.find(address.to_string());
    if (found == hosts_.end()) return;
    Host& host = found->second;
    if (!host.waiters.empty()) {
      wake = std::move(host.waiters.front());  // the slot passes on: active stays the same
      host.waiters.pop_front();
    } else if (--host.active == 0) {
      hosts_.erase(found);  // memory stays bounded by the addresses in flight
    }
  }
  if (wake) wake();
}

net::awaitable<void> Politeness::wait_for_rate() {
  if (interval_.count() == 0) co_return;
  clock::time_point opening;
  {
    std::lock_guard lock(mutex_);
    opening = std::max(clock::now(), next_opening_);
    next_opening_ = opening + interval_;
  }
  if (opening > clock::now()) {
    net::steady_timer timer(co_await net::this_coro::executor, opening);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  }
}

}  // namespace stp::probe
