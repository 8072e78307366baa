#include "probe/scanner.hpp"

#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <netdb.h>
#include <unistd.h>

#include "probe/client_tls.hpp"
#include "probe/session.hpp"

namespace stp::probe {
namespace {

namespace net = boost::asio;

// Takes targets one by one until the source is dry. `concurrency` of these run at once.
net::awaitable<void> worker(TargetSource& source, const ProbeSettings& settings, net::ssl::context& context,
                            const std::function<void(Evidence&&)>& on_result) {
  while (auto target = source.next()) on_result(co_await probe_endpoint(std::move(*target), settings, context));
}

}  // namespace

void run_scan(TargetSource& source, const ScanSettings& settings, const std::function<void(Evidence&&)>& on_result) {
  net::io_context io(1);
  auto context = make_client_context();
  ProbeSettings probe = settings.probe;
  if (!probe.ehlo_name) probe.ehlo_name = machine_fqdn();

  std::exception_ptr failure;
  for (std::size_t i = 0; i < std::max<std::size_t>(settings.concurrency, 1); ++i) {
    net::co_spawn(io, worker(source, probe, context, on_result), [&](std::exception_ptr e) {
      if (e && !failure) {
        failure = e;
        io.stop();
      }
    });
  }
  io.run();
  if (failure) std::rethrow_exception(failure);
}

std::optional<std::string> machine_fqdn() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return std::nullopt;
  std::string host = name;
  if (host.find('.') == std::string::npos) {
    addrinfo hints{};
    hints.ai_flags = AI_CANONNAME;
    addrinfo* info = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &info) == 0) {
      if (info->ai_canonname) host = info->ai_canonname;
      ::freeaddrinfo(info);
    }
  }
  if (host.find('.') == std::string::npos || !is_dns_name(host)) return std::nullopt;
  return host;
}

}  // namespace stp::probe
