// starttls-probe-fleet: a separate process serving lab endpoints on many loopback addresses, for
// the benchmark. It writes a targets file and the lab CA, prints "ready", and serves until its
// standard input closes or --seconds pass (it always stops by itself).

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <sys/resource.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab/lab.hpp"

namespace {

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
  std::cout << "ready " << served << " endpoints" << std::endl;

  // Serve until stdin closes (the benchmark ends) or the time is up.
  pollfd input{STDIN_FILENO, POLLIN, 0};
  auto stop = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  char sink[256];
  while (std::chrono::steady_clock::now() < stop) {
    if (::poll(&input, 1, 500) > 0 && ::read(STDIN_FILENO, sink, sizeof sink) <= 0) break;
  }
  return 0;
}
