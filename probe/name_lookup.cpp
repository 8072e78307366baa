#include "probe/name_lookup.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <netdb.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/asio.hpp"

namespace stp::probe {


// Where a lookup thread hands its news: the event loop of the probe that asked, while it exists.
struct NameLookups::Mailbox {
  explicit Mailbox(net::any_io_executor e) : executor(std::move(e)) {}

  template <class Handler>
  void post(Handler handler) {
    std::lock_guard lock(mutex);
    if (open) net::post(executor, std::move(handler));
  }
  void close() {
    std::lock_guard lock(mutex);
    open = false;
  }

  std::mutex mutex;
  net::any_io_executor executor;
  bool open = true;
};

namespace {

constexpr std::size_t max_threads = 64;  // lookups at once; more wait their turn at no cost to their time

struct Job {
  std::string host;
  std::chrono::milliseconds timeout;
  std::shared_ptr<NameLookups::Mailbox> mailbox;
  std::atomic<bool> abandoned{false};  // the probe gave up or went away: a queued job is skipped
  // Touched only on the probe's event loop:
  bool started = false, done = false;
  LookupAnswer answer;
  net::steady_timer* waiter = nullptr;  // the probe's timer while it waits
};

LookupAnswer look_up(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;  // as Asio's resolver asked: no IPv6 answers where this host has no IPv6
  addrinfo* list = nullptr;
  LookupAnswer answer;
  int status = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (status != 0) {
    answer.error = status == EAI_SYSTEM ? std::string("system error") : ::gai_strerror(status);
    return answer;
  }
  for (addrinfo* entry = list; entry != nullptr; entry = entry->ai_next) {
    net::ip::address address;
    if (entry->ai_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(entry->ai_addr);
      net::ip::address_v4::bytes_type bytes;
      std::copy_n(reinterpret_cast<const unsigned char*>(&in->sin_addr), 4, bytes.begin());
      address = net::ip::address_v4(bytes);
    } else if (entry->ai_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(entry->ai_addr);
      net::ip::address_v6::bytes_type bytes;
      std::copy_n(reinterpret_cast<const unsigned char*>(&in6->sin6_addr), 16, bytes.begin());
      address = net::ip::address_v6(bytes, in6->sin6_scope_id);
    } else {
      continue;
    }
    if (std::find(answer.addresses.begin(), answer.addresses.end(), address) == answer.addresses.end())
      answer.addresses.push_back(address);
  }
  ::freeaddrinfo(list);
  return answer;
}

// The threads, shared by every event loop of the process, started as lookups need them. Never
// freed: a thread may still wait on a silent DNS server when the process exits.
class Pool {
 public:
  void submit(std::shared_ptr<Job> job) {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(job));
    if (idle_ == 0 && threads_ < max_threads) {
      ++threads_;
      std::thread([this] { work(); }).detach();
    } else {
      ready_.notify_one();
    }
  }

 private:
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      ++idle_;
      ready_.wait(lock, [this] { return !queue_.empty(); });
      --idle_;
      auto job = std::move(queue_.front());
      queue_.pop_front();
      if (job->abandoned) continue;
      lock.unlock();
      // The time limit starts now, on the probe's loop.
      job->mailbox->post([job] {
        job->started = true;
        if (job->waiter != nullptr) job->waiter->expires_after(job->timeout);
      });
      LookupAnswer answer = look_up(job->host);
      job->mailbox->post([job, answer = std::move(answer)]() mutable {
        job->answer = std::move(answer);
        job->done = true;
        if (job->waiter != nullptr) job->waiter->cancel();
      });
      job.reset();
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::size_t threads_ = 0, idle_ = 0;
};

Pool& pool() {
  static auto* shared = new Pool();
  return *shared;
}

}  // namespace

NameLookups::NameLookups(net::any_io_executor executor) : mailbox_(std::make_shared<Mailbox>(std::move(executor))) {}

NameLookups::~NameLookups() { mailbox_->close(); }

net::awaitable<LookupAnswer> NameLookups::lookup(std::string host, std::chrono::milliseconds timeout) {
  auto job = std::make_shared<Job>();
  job->host = std::move(host);
  job->timeout = timeout;
  job->mailbox = mailbox_;
  // Until a thread starts the lookup, the timer never fires: queueing costs no time of its own.
  net::steady_timer timer(co_await net::this_coro::executor, std::chrono::steady_clock::time_point::max());
  job->waiter = &timer;
  struct Leave {  // however this coroutine ends (an answer, its time, the loop stopping)
    Job& job;
    ~Leave() {
      job.waiter = nullptr;
      job.abandoned = true;
    }
  } leave{*job};
  pool().submit(job);
  for (;;) {
    auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    if (job->done) co_return std::move(job->answer);
    if (!ec && job->started) {
      LookupAnswer late;
      late.timed_out = true;
      co_return late;
    }
    // Woken because the lookup started (the timer now runs to its limit): wait on.
  }
}

}  // namespace stp::probe
