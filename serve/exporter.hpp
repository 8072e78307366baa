#pragma once
// starttls-probe serve (SPEC §2): a Prometheus exporter in blackbox_exporter's manner. GET
// /probe?target=T probes T on demand and answers the prometheus format for it plus
// starttls_probe_success; /metrics is the exporter's own; / lists recent probes.
//
// One event loop serves HTTP and runs the probes. Every request is bounded: 8 KiB of request
// header, no body, 10 s to send a request and to take the answer, a connection idle 10 s is
// closed; at most --max-concurrent probes run at once (more are 503) and a bounded number of
// connections are held (more are closed at once).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "probe/settings.hpp"
#include "tls/assessment.hpp"

namespace stp::serve {

struct ExporterSettings {
  boost::asio::ip::tcp::endpoint listen{boost::asio::ip::make_address("127.0.0.1"), 9525};
  std::size_t max_concurrent = 50;           // probes in flight; more are answered 503
  probe::ProbeSettings probe;                // scan options as defaults for every probe
  std::chrono::milliseconds timeout{30'000};  // a probe's time when the scraper sends no timeout
  tls::Judge judge;                          // anchors must outlive the exporter
  std::chrono::milliseconds request_timeout{10'000};  // to send a request, and to take an answer
};

// Listens at once (throws std::system_error when the address cannot be had); serves on `io`.
class Exporter {
 public:
  Exporter(boost::asio::io_context& io, ExporterSettings settings);
  ~Exporter();
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;

  boost::asio::ip::tcp::endpoint local_endpoint() const;
  // Stops accepting and closes every connection; probes in flight end by their own limits.
  void stop();

  struct State;  // exporter.cpp's alone

 private:
  std::shared_ptr<State> state_;
};

// `starttls-probe serve`: serves until SIGINT or SIGTERM, then stops cleanly and returns 0.
// `listening` is told the address once it is bound.
int run_exporter(const ExporterSettings& settings, const std::function<void(const boost::asio::ip::tcp::endpoint&)>& listening);

}  // namespace stp::serve
