// starttls-probe-fleet: a separate process serving lab endpoints on many loopback addresses, for
// the benchmark. It writes a targets file and the lab CA, prints "ready", and serves until its
// standard input closes or --seconds pass (it always stops by itself).

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>
#include <sys/resource.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "lab/lab.hpp"

namespace {

namespace asio = boost::asio;
using udp = asio::ip::udp;

// A name server far away: every query is passed to `upstream` after `delay`, and its answer back.
// At most 20,000 in flight; an answer the upstream does not give within 5 s is dropped.
class DelayingDnsProxy {
 public:
  DelayingDnsProxy(asio::io_context& io, udp::endpoint upstream, std::chrono::milliseconds delay)
      : io_(io), socket_(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), upstream_(std::move(upstream)),
        delay_(delay) {
    // Bursts of thousands of queries must not overflow the socket: a name server far away loses
    // none either. (SO_RCVBUFFORCE passes the system's limit as root; else SO_RCVBUF up to it.)
    int bytes = 16 << 20;
    if (::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
      ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
    receive();
  }
  std::uint16_t port() const { return socket_.local_endpoint().port(); }

 private:
  void receive() {
    socket_.async_receive_from(asio::buffer(buffer_), sender_, [this](boost::system::error_code ec, std::size_t n) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec && in_flight_ < 20000) forward(std::make_shared<std::string>(buffer_.data(), n), sender_);
      receive();
    });
  }

  void forward(const std::shared_ptr<std::string>& query, const udp::endpoint& client) {
    ++in_flight_;
    auto timer = std::make_shared<asio::steady_timer>(io_, delay_);
    timer->async_wait([this, timer, query, client](boost::system::error_code) {
      auto upstream = std::make_shared<udp::socket>(io_, udp::v4());
      auto reply = std::make_shared<std::array<char, 4096>>();
      upstream->async_send_to(asio::buffer(*query), upstream_, [query](boost::system::error_code, std::size_t) {});
      upstream->async_receive(asio::buffer(*reply), [this, upstream, reply, client, timer](boost::system::error_code ec,
                                                                                              std::size_t n) {
        if (!ec) {
          boost::system::error_code ignored;
          socket_.send_to(asio::buffer(reply->data(), n), client, 0, ignored);
        }
        timer->cancel();
        --in_flight_;
      });
      timer->expires_after(std::chrono::seconds(5));
      timer->async_wait([upstream](boost::system::error_code ec) {
        if (!ec) upstream->close();
      });
    });
  }

  asio::io_context& io_;
  udp::socket socket_;
  udp::endpoint upstream_, sender_;
  std::chrono::milliseconds delay_;
  std::array<char, 4096> buffer_{};
  std::size_t in_flight_ = 0;
};

void raise_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// 127.1.0.1, 127.1.0.2, ... : a distinct address per listener, so --per-host applies per listener.
std::string address_of(std::size_t i) {
  return "127." + std::to_string(1 + i / 65000) + "." + std::to_string((i % 65000) / 250) + "." +
         std::to_string(i % 250 + 1);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"starttls-probe-fleet: lab endpoints for the benchmark, on loopback only"};
  std::size_t healthy = 256, silent = 0, closed = 0, repeat = 1;
  int slow_ms = 0, seconds = 600;
  std::uint16_t port = 0;
  bool same_certificate = false;
  unsigned loops = std::thread::hardware_concurrency();
  std::string targets_file = "fleet-targets.txt", ca_file = "fleet-ca.pem";
  app.add_option("--healthy", healthy, "healthy endpoints (one per address)")->capture_default_str();
  app.add_option("--silent", silent, "endpoints that accept and never speak")->capture_default_str();
  app.add_option("--closed", closed, "targets on addresses where nothing listens")->capture_default_str();
  app.add_option("--repeat", repeat, "targets per healthy endpoint in the targets file")->capture_default_str();
  app.add_option("--slow-ms", slow_ms, "healthy endpoints pause this long inside a multi-line greeting")
      ->capture_default_str();
  app.add_option("--port", port, "one port for every listener (each has its own address) [ephemeral]");
  app.add_flag("--same-certificate", same_certificate,
               "every endpoint presents the same leaf, as an Exchange organisation's connectors do");
  app.add_option("--loops", loops, "event loops (labs), each on a thread of its own [cores]");
  app.add_option("--seconds", seconds, "stop after this long at the latest")->capture_default_str();
  app.add_option("--targets-file", targets_file, "where to write the targets")->capture_default_str();
  app.add_option("--ca-file", ca_file, "where to write the lab CA")->capture_default_str();
  std::string silent_dns;
  app.add_option("--silent-dns", silent_dns,
                 "a DNS server that never answers, on this loopback address (port 53, UDP and TCP)");
  int dns_delay_ms = 50;
  std::string dns_upstream;
  app.add_option("--dns-upstream", dns_upstream,
                 "ADDR:PORT of a DNS server (loopback) to pass queries to, each held back --dns-delay-ms");
  app.add_option("--dns-delay-ms", dns_delay_ms, "how long each DNS query is held back")->capture_default_str();
  std::vector<std::string> policy_sites;
  app.add_option("--policy-site", policy_sites,
                 "HOST=ANSWER[=FILE]: an MTA-STS policy site for HOST (policy with FILE's text, not-found, redirect, "
                 "wrong-type, oversized, endless, silent), certificate from the lab CA; its port is printed");
  CLI11_PARSE(app, argc, argv);
  raise_file_limit();
  // Bound and never read: queries pile up unanswered, as behind a dead or filtered name server.
  std::vector<int> silent_sockets;
  if (!silent_dns.empty()) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(53);
    if (::inet_pton(AF_INET, silent_dns.c_str(), &address.sin_addr) != 1 || (ntohl(address.sin_addr.s_addr) >> 24) != 127) {
      std::cerr << "--silent-dns wants a 127.x.y.z address\n";
      return 3;
    }
    for (int type : {SOCK_DGRAM, SOCK_STREAM}) {
      int fd = ::socket(AF_INET, type, 0);
      if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
          (type == SOCK_STREAM && ::listen(fd, 16) != 0)) {
        std::cerr << "--silent-dns " << silent_dns << ": " << std::strerror(errno)  // NOLINT(concurrency-mt-unsafe): one thread yet
                  << '\n';
        return 3;
      }
      silent_sockets.push_back(fd);
    }
  }

  stp::lab::Lab::Options options;
  options.greeting_pause = std::chrono::milliseconds(slow_ms);
  // Distinct certificates under one intermediate, as servers on the internet: a scanner that
  // remembers verified signatures gains on the shared intermediate only, not on the leaf.
  options.certificate_per_endpoint = !same_certificate;
  // One lab (an event loop on a thread of its own, with its own CA) per core, the endpoints dealt
  // out in turn: a single loop would hold the scanner back at ~3,000 handshakes/s of its own, less
  // when it shares the cores with the scanner.
  std::vector<std::unique_ptr<stp::lab::Lab>> labs;
  for (unsigned i = 0; i < std::max(1u, loops); ++i) labs.push_back(std::make_unique<stp::lab::Lab>(options));
  std::size_t turn = 0;
  auto next_lab = [&]() -> stp::lab::Lab& { return *labs[turn++ % labs.size()]; };
  auto scenario = slow_ms > 0 ? stp::lab::Scenario::slow_multiline_greeting : stp::lab::Scenario::healthy;
  std::size_t next_address = 0;
  std::vector<std::string> healthy_lines, lines;
  for (std::size_t i = 0; i < healthy; ++i)
    healthy_lines.push_back(next_lab().add(scenario, address_of(next_address++), port).target_line());
  for (std::size_t r = 0; r < repeat; ++r) lines.insert(lines.end(), healthy_lines.begin(), healthy_lines.end());
  for (std::size_t i = 0; i < silent; ++i)
    lines.push_back(next_lab().add(stp::lab::Scenario::silent, address_of(next_address++)).target_line());
  for (std::size_t i = 0; i < closed; ++i)
    lines.push_back(address_of(next_address + i % 1000) + ":9 fqdn=closed.contoso.test");
  // Silent and closed targets spread through the list (a fixed shuffle), not bunched at its end.
  std::shuffle(lines.begin(), lines.end(), std::mt19937(42));
  std::ofstream targets(targets_file);
  for (const auto& line : lines) targets << line << '\n';
  targets.close();
  std::ofstream ca(ca_file);
  std::size_t served = 0;
  for (const auto& lab : labs) {
    ca << lab->ca_pem();
    served += lab->endpoints().size();
  }
  ca.close();
  asio::io_context dns_io(1);
  std::optional<DelayingDnsProxy> proxy;
  std::thread dns_thread;
  if (!dns_upstream.empty()) {
    auto colon = dns_upstream.rfind(':');
    boost::system::error_code ec;
    auto address = asio::ip::make_address(dns_upstream.substr(0, colon), ec);
    if (ec || colon == std::string::npos || !address.is_loopback()) {
      std::cerr << "--dns-upstream wants a loopback ADDR:PORT\n";
      return 3;
    }
    proxy.emplace(dns_io, udp::endpoint(address, static_cast<std::uint16_t>(std::stoi(dns_upstream.substr(colon + 1)))),
                  std::chrono::milliseconds(dns_delay_ms));
    dns_thread = std::thread([&dns_io] { dns_io.run(); });
  }
  static const std::map<std::string, stp::lab::PolicySite::Answer> answers = {
      {"policy", stp::lab::PolicySite::Answer::policy},         {"not-found", stp::lab::PolicySite::Answer::not_found},
      {"redirect", stp::lab::PolicySite::Answer::redirect},     {"wrong-type", stp::lab::PolicySite::Answer::wrong_type},
      {"oversized", stp::lab::PolicySite::Answer::oversized},   {"endless", stp::lab::PolicySite::Answer::endless},
      {"silent", stp::lab::PolicySite::Answer::silent}};
  for (const auto& spec : policy_sites) {
    auto first = spec.find('='), second = spec.find('=', first == std::string::npos ? first : first + 1);
    stp::lab::PolicySite site;
    site.host = spec.substr(0, first);
    auto answer = answers.find(first == std::string::npos ? "" : spec.substr(first + 1, second - first - 1));
    if (answer == answers.end()) {
      std::cerr << "--policy-site " << spec << ": HOST=ANSWER[=FILE]\n";
      return 3;
    }
    site.answer = answer->second;
    if (second != std::string::npos) {
      std::ifstream file(spec.substr(second + 1));
      site.body.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    }
    std::cout << "policy-site " << site.host << " " << labs.front()->add_policy_site(site) << "\n";
  }
  std::cout << "ready " << served << " endpoints";
  if (proxy) std::cout << " dns-port " << proxy->port();
  std::cout << std::endl;

  // Serve until stdin closes (the benchmark ends) or the time is up.
  pollfd input{STDIN_FILENO, POLLIN, 0};
  auto stop = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  char sink[256];
  while (std::chrono::steady_clock::now() < stop) {
    if (::poll(&input, 1, 500) > 0 && ::read(STDIN_FILENO, sink, sizeof sink) <= 0) break;
  }
  dns_io.stop();
  if (dns_thread.joinable()) dns_thread.join();
  return 0;
}
