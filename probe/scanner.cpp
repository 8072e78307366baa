#include "probe/scanner.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <future>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>

#include <netdb.h>
#include <sys/resource.h>
#include <unistd.h>

#include "net/asio.hpp"
#include "probe/client_tls.hpp"
#include "probe/session.hpp"

namespace stp::probe {
namespace {


// Files a scan needs besides one socket per probe: stdio, the output, resolver threads, certificates.
constexpr std::size_t spare_files = 64;

// Hands out targets to workers on any thread, one at a time, until closed.
class SharedSource {
 public:
  explicit SharedSource(TargetSource& source) : source_(source) {}
  std::optional<Target> next() {
    std::lock_guard lock(mutex_);
    if (closed_) return std::nullopt;
    return source_.next();
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }

 private:
  TargetSource& source_;
  std::mutex mutex_;
  bool closed_ = false;
};

// How long in-flight probes may go on after SIGINT/SIGTERM.
constexpr auto grace = std::chrono::seconds(1);

// Takes targets one by one until the source is dry. `concurrency` of these run, spread over the loops.
net::awaitable<void> worker(SharedSource& source, const ProbeSettings& settings, ProbeContext& context,
                            const std::function<void(Evidence&&)>& on_result) {
  while (auto target = source.next()) co_await probe_target(std::move(*target), settings, context, on_result);
}

}  // namespace

namespace {

// One single-threaded event loop per core, each with its own TLS context and name lookups; workers
// are dealt out round-robin. The TLS handshakes are the work, and they spread over the cores this
// way with no locking inside a probe.
struct EventLoops {
  EventLoops(unsigned count, Politeness& politeness, const DnsSettings& dns) {
    tls.reserve(count);  // reserved: each ProbeContext holds a reference into `tls`
    contexts.reserve(count);
    for (unsigned i = 0; i < count; ++i) {
      ios.push_back(std::make_unique<net::io_context>(1));
      tls.push_back(make_client_context(loop_library(i)));
      resolvers.push_back(std::make_unique<Resolver>(ios.back()->get_executor(), dns));
      contexts.push_back({tls.back(), politeness, *resolvers.back()});
    }
  }

  void stop() {
    for (auto& each : ios) each->stop();
  }

  // Runs every loop, the first on this thread, until all are out of work.
  void run() {
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < ios.size(); ++i) threads.emplace_back([&io = *ios[i]] { io.run(); });
    ios[0]->run();
    for (auto& t : threads) t.join();
  }

  std::vector<std::unique_ptr<net::io_context>> ios;
  std::vector<net::ssl::context> tls;
  // Declared after the loops, so destroyed before them (each watches its loop's descriptor).
  std::vector<std::unique_ptr<Resolver>> resolvers;
  std::vector<ProbeContext> contexts;
};

}  // namespace

ScanOutcome run_scan(TargetSource& source, const ScanSettings& settings,
                     const std::function<void(Evidence&&)>& on_result) {
  ::signal(SIGPIPE, SIG_IGN);
  Politeness politeness(settings.per_host, settings.rate);
  ProbeSettings probe = settings.probe;
  if (!probe.ehlo_name) probe.ehlo_name = machine_fqdn();
  SharedSource shared(source);
  std::size_t concurrency = std::max<std::size_t>(settings.concurrency, 1);
  unsigned cores = settings.threads ? settings.threads : std::max(1u, std::thread::hardware_concurrency());
  EventLoops loops(static_cast<unsigned>(std::min<std::size_t>(cores, concurrency)), politeness, probe.dns);
  net::io_context& first = *loops.ios[0];

  // SIGINT/SIGTERM: hand out no more targets; what is in flight has `grace` to finish, then every
  // loop stops and the probes still running are dropped (their results are never half-written).
  ScanOutcome outcome;
  std::optional<net::signal_set> signals;
  net::steady_timer last_call(first);
  if (settings.stop_on_signals) {
    signals.emplace(first, SIGINT, SIGTERM);
    signals->async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      outcome.interrupted = true;
      shared.close();
      last_call.expires_after(grace);
      last_call.async_wait([&](const boost::system::error_code& timer_ec) {
        if (!timer_ec) loops.stop();
      });
    });
  }

  std::mutex finish_mutex;
  std::exception_ptr failure;
  std::size_t running = concurrency;
  for (std::size_t i = 0; i < concurrency; ++i) {
    std::size_t loop = i % loops.ios.size();
    net::co_spawn(*loops.ios[loop], worker(shared, probe, loops.contexts[loop], on_result), [&](const std::exception_ptr& e) {
      std::lock_guard lock(finish_mutex);
      if (e && !failure) {
        failure = e;
        loops.stop();
      }
      if (--running == 0) {
        // The last worker is done: nothing may keep the first loop waiting any longer.
        net::post(first, [&] {
          if (signals) signals->cancel();
          last_call.cancel();
        });
      }
    });
  }
  loops.run();
  if (failure) std::rethrow_exception(failure);
  return outcome;
}

std::optional<std::string> machine_fqdn() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return std::nullopt;
  std::string host = name;
  if (host.find('.') == std::string::npos) {
    // The canonical name, from /etc/hosts or DNS. A silent DNS server must not hold the scan's
    // start: the lookup gets a few seconds on a thread of its own, then the local address is used.
    auto canonical = std::make_shared<std::promise<std::string>>();
    auto answer = canonical->get_future();
    std::thread([canonical, host] {
      addrinfo hints{};
      hints.ai_flags = AI_CANONNAME;
      addrinfo* info = nullptr;
      std::string found = host;
      if (::getaddrinfo(host.c_str(), nullptr, &hints, &info) == 0) {
        if (info->ai_canonname) found = info->ai_canonname;
        ::freeaddrinfo(info);
      }
      canonical->set_value(found);
    }).detach();
    if (answer.wait_for(std::chrono::seconds(3)) == std::future_status::ready) host = answer.get();
  }
  if (host.find('.') == std::string::npos || !is_dns_name(host)) return std::nullopt;
  return host;
}

std::size_t fit_open_file_limit(std::size_t concurrency, std::string& warning) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return concurrency;
  rlim_t needed = concurrency + spare_files;
  if (limit.rlim_cur >= needed) return concurrency;
  rlimit raised = limit;
  raised.rlim_cur = std::min(needed, limit.rlim_max);
  if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  if (limit.rlim_cur >= needed) return concurrency;
  std::size_t fits = limit.rlim_cur > spare_files ? limit.rlim_cur - spare_files : 1;
  warning = "--concurrency " + std::to_string(concurrency) + " needs " + std::to_string(needed) +
            " open files but the limit is " + std::to_string(limit.rlim_cur) + " (hard limit " +
            std::to_string(limit.rlim_max) + "): probing at most " + std::to_string(fits) +
            " at once (raise it with ulimit -n)";
  return fits;
}

}  // namespace stp::probe
