// starttls-probe serve: the exporter answered by a real HTTP client over loopback, probing lab
// endpoints with real TLS handshakes.

#include <poll.h>

#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <catch2/catch.hpp>

#include "lab/lab.hpp"
#include "net/endpoint.hpp"
#include "serve/exporter.hpp"
#include "serve/request.hpp"
#include "tls/trust.hpp"

using namespace stp;
namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

// The exporter on an event loop of its own thread, on a free loopback port.
struct RunningExporter {
  explicit RunningExporter(serve::ExporterSettings settings) {
    settings.listen = tcp::endpoint(net::ip::make_address("127.0.0.1"), 0);
    exporter.emplace(io, std::move(settings));
    port = exporter->local_endpoint().port();
    thread = std::thread([this] { io.run(); });
  }
  ~RunningExporter() {
    net::post(io, [this] {
      exporter->stop();
      io.stop();
    });
    thread.join();
    exporter.reset();
  }
  RunningExporter(const RunningExporter&) = delete;
  RunningExporter& operator=(const RunningExporter&) = delete;

  net::io_context io{1};
  std::optional<serve::Exporter> exporter;
  std::uint16_t port = 0;
  std::thread thread;
};

struct Answer {
  unsigned status = 0;
  std::string body, content_type, csp;
};

Answer ask(std::uint16_t port, const std::string& target, http::verb verb = http::verb::get,
           const std::string& scrape_timeout = "") {
  net::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::empty_body> request(verb, target, 11);
  request.set(http::field::host, "127.0.0.1");
  if (!scrape_timeout.empty()) request.set("X-Prometheus-Scrape-Timeout-Seconds", scrape_timeout);
  http::write(socket, request);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response);
  return {response.result_int(), response.body(), std::string(response[http::field::content_type]),
          std::string(response["Content-Security-Policy"])};
}

serve::ExporterSettings settings_for(const tls::TrustAnchors& anchors) {
  serve::ExporterSettings settings;
  settings.judge = {tls::JudgeSettings{}, &anchors};
  settings.probe.retries = 0;
  settings.probe.dane = false;
  settings.probe.ehlo_name = "probe.contoso.test";
  settings.timeout = std::chrono::seconds(5);
  return settings;
}

std::string endpoint_of(const lab::EndpointInfo& info) { return info.address + ":" + std::to_string(info.port); }

// Waits (bounded) until a raw connection is closed by the other side; true when it was.
bool closed_by_peer(tcp::socket& socket, std::chrono::milliseconds within) {
  pollfd wait{socket.native_handle(), POLLIN, 0};
  if (::poll(&wait, 1, static_cast<int>(within.count())) <= 0) return false;
  char byte;
  boost::system::error_code ec;
  std::size_t n = socket.read_some(net::buffer(&byte, 1), ec);
  // The answer to a bad request may come first; then the close.
  while (!ec && n > 0) {
    if (::poll(&wait, 1, static_cast<int>(within.count())) <= 0) return false;
    n = socket.read_some(net::buffer(&byte, 1), ec);
  }
  return ec == net::error::eof || ec == net::error::connection_reset;
}

}  // namespace

TEST_CASE("serve: /probe of a healthy endpoint and of a closed port, /metrics and the front page", "[serve][lab]") {
  lab::Lab lab;
  const auto& healthy = lab.add(lab::Scenario::healthy);
  tls::TrustAnchors anchors = tls::TrustAnchors::from_pem(lab.ca_pem());
  RunningExporter running(settings_for(anchors));

  Answer good = ask(running.port, "/probe?target=" + endpoint_of(healthy) + "&fqdn=" + healthy.fqdn +
                                      "&connector=Default+Frontend%20EX01");
  CHECK(good.status == 200);
  CHECK(good.content_type == "text/plain; version=0.0.4; charset=utf-8");
  std::string labels = "target=\"" + endpoint_of(healthy) + "\",address=\"127.0.0.1\",connector=\"Default Frontend EX01\"";
  CHECK_THAT(good.body, Catch::Contains("starttls_probe_up{" + labels + "} 1\n"));
  CHECK_THAT(good.body, Catch::Contains("starttls_probe_status{" + labels + "} 0\n"));
  CHECK_THAT(good.body, Catch::Contains("starttls_probe_info{" + labels + ",checked_fqdn=\"" + healthy.fqdn + "\""));
  CHECK_THAT(good.body, Catch::Contains("starttls_probe_cert_not_after_seconds{" + labels + "} "));
  CHECK_THAT(good.body, Catch::EndsWith("# TYPE starttls_probe_success gauge\nstarttls_probe_success 1\n"));

  // The wrong name: answered, critical, success 0.
  Answer wrong = ask(running.port, "/probe?target=" + endpoint_of(healthy) + "&fqdn=other.contoso.test");
  CHECK(wrong.status == 200);
  CHECK_THAT(wrong.body, Catch::Contains("code=\"name-mismatch\",severity=\"critical\"} 1"));
  CHECK_THAT(wrong.body, Catch::EndsWith("starttls_probe_success 0\n"));

  // Nothing listens at 127.0.0.3:9.
  Answer refused = ask(running.port, "/probe?target=127.0.0.3:9");
  CHECK(refused.status == 200);
  CHECK_THAT(refused.body, Catch::Contains("starttls_probe_up{target=\"127.0.0.3:9\",address=\"127.0.0.3\",connector=\"\"} 0\n"));
  CHECK_THAT(refused.body, Catch::EndsWith("starttls_probe_success 0\n"));

  Answer metrics = ask(running.port, "/metrics");
  CHECK(metrics.status == 200);
  CHECK_THAT(metrics.body, Catch::Contains("starttls_probe_exporter_probes_total{outcome=\"success\"} 1\n"));
  CHECK_THAT(metrics.body, Catch::Contains("starttls_probe_exporter_probes_total{outcome=\"failure\"} 2\n"));
  CHECK_THAT(metrics.body, Catch::Contains("starttls_probe_exporter_probe_duration_seconds_count 3\n"));
  CHECK_THAT(metrics.body, Catch::Contains("starttls_probe_exporter_probes_in_flight 0\n"));

  Answer front = ask(running.port, "/");
  CHECK(front.status == 200);
  CHECK(front.content_type == "text/html; charset=utf-8");
  CHECK(front.csp == "default-src 'none'");
  CHECK_THAT(front.body, Catch::Contains(">" + endpoint_of(healthy) + "</a>"));

  // Bad requests: one line saying why.
  CHECK(ask(running.port, "/probe").body == "no target: ask /probe?target=HOST[:PORT]\n");
  CHECK(ask(running.port, "/probe?target=").status == 400);
  CHECK(ask(running.port, "/probe?target=mail.contoso.test:0").body == "target: bad port '0': must be 1 to 65535\n");
  CHECK(ask(running.port, "/probe?target=a.test&target=b.test").status == 400);
  CHECK(ask(running.port, "/probe?target=a.test&module=smtp").body ==
        "unknown parameter 'module' (target, fqdn and connector are known)\n");
  CHECK(ask(running.port, "/probe?target=a.test&fqdn=not%20a%20name").status == 400);
  CHECK(ask(running.port, "/probe?target=%zz").status == 400);
  CHECK(ask(running.port, "/nothing-here").status == 404);
  CHECK(ask(running.port, "/probe?target=a.test", http::verb::post).status == 405);
  CHECK_THAT(ask(running.port, "/metrics").body,
             Catch::Contains("starttls_probe_exporter_requests_refused_total{code=\"400\"} 7\n"));
}

TEST_CASE("serve: the scrape's timeout bounds a probe, and --max-concurrent answers 503", "[serve][lab]") {
  lab::Lab lab;
  const auto& silent = lab.add(lab::Scenario::silent);
  tls::TrustAnchors anchors = tls::TrustAnchors::from_pem(lab.ca_pem());
  serve::ExporterSettings settings = settings_for(anchors);
  settings.max_concurrent = 1;
  settings.timeout = std::chrono::seconds(30);
  RunningExporter running(settings);

  // Prometheus says 1.5 s: the probe gets 1 s, and the answer says what it saw.
  auto started = std::chrono::steady_clock::now();
  Answer bounded = ask(running.port, "/probe?target=" + endpoint_of(silent), http::verb::get, "1.5");
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(bounded.status == 200);
  CHECK_THAT(bounded.body, Catch::Contains("code=\"timeout\""));
  CHECK_THAT(bounded.body, Catch::EndsWith("starttls_probe_success 0\n"));
  CHECK(took < std::chrono::milliseconds(1500));

  // One probe in flight (3 s of silence) and --max-concurrent 1: the next is 503 at once.
  auto first = std::async(std::launch::async, [&] {
    return ask(running.port, "/probe?target=" + endpoint_of(silent), http::verb::get, "3.5");
  });
  bool in_flight = false;
  for (int i = 0; i < 100 && !in_flight; ++i) {
    in_flight = ask(running.port, "/metrics").body.find("starttls_probe_exporter_probes_in_flight 1\n") != std::string::npos;
    if (!in_flight) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(in_flight);
  Answer busy = ask(running.port, "/probe?target=" + endpoint_of(silent));
  CHECK(busy.status == 503);
  CHECK(busy.body == "too many probes in flight (--max-concurrent 1): try again\n");
  CHECK(first.get().status == 200);
  CHECK_THAT(ask(running.port, "/metrics").body,
             Catch::Contains("starttls_probe_exporter_requests_refused_total{code=\"503\"} 1\n"));
}

TEST_CASE("serve: a slow or oversized request costs one connection and a timeout", "[serve]") {
  serve::ExporterSettings settings;  // nothing is probed here
  settings.request_timeout = std::chrono::seconds(1);
  RunningExporter running(settings);
  net::io_context io;
  tcp::endpoint exporter(net::ip::make_address("127.0.0.1"), running.port);

  // Slowloris: half a request header, then nothing. Others are served meanwhile; it is closed.
  std::vector<tcp::socket> slow;
  for (int i = 0; i < 20; ++i) {
    slow.emplace_back(io);
    slow.back().connect(exporter);
    net::write(slow.back(), net::buffer(std::string("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")));
  }
  CHECK(ask(running.port, "/metrics").status == 200);
  for (auto& socket : slow) CHECK(closed_by_peer(socket, std::chrono::seconds(5)));

  // A header past 8 KiB: 400, closed.
  tcp::socket big(io);
  big.connect(exporter);
  net::write(big, net::buffer("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n"));
  std::string reply(12, '\0');
  boost::system::error_code ec;
  net::read(big, net::buffer(reply), ec);
  CHECK(reply == "HTTP/1.1 400");
  CHECK(closed_by_peer(big, std::chrono::seconds(5)));

  // A request with a body: not asked for here.
  tcp::socket body(io);
  body.connect(exporter);
  net::write(body, net::buffer(std::string("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")));
  net::read(body, net::buffer(reply), ec);
  CHECK(reply == "HTTP/1.1 400");
}

TEST_CASE("serve: the query string and the scrape timeout header, read strictly", "[serve]") {
  using serve::BadRequest;
  CHECK(serve::parse_query("target=a.test&fqdn=b.test") ==
        std::map<std::string, std::string>{{"target", "a.test"}, {"fqdn", "b.test"}});
  CHECK(serve::parse_query("connector=Front+End%2FEX01&&") == std::map<std::string, std::string>{{"connector", "Front End/EX01"}});
  CHECK_THROWS_AS(serve::parse_query("target=%4"), BadRequest);
  CHECK_THROWS_AS(serve::parse_query("target=%G0"), BadRequest);
  CHECK_THROWS_AS(serve::parse_query("a=1&a=2"), BadRequest);
  std::string many;
  for (int i = 0; i < 17; ++i) many += "p" + std::to_string(i) + "=1&";
  CHECK_THROWS_AS(serve::parse_query(many), BadRequest);

  auto target = serve::probe_target_of("target=mx%3Acontoso.test");
  CHECK(target.mail_domain);
  CHECK(target.host == "contoso.test");
  auto smtps = serve::probe_target_of("target=smtps://mail.contoso.test&fqdn=Mail.Contoso.Test.&connector=EX01");
  CHECK(smtps.port == 465);
  CHECK(smtps.expected_fqdn == "mail.contoso.test");
  CHECK(smtps.connector == "EX01");
  CHECK_THROWS_AS(serve::probe_target_of("target=mail.contoso.test&connector=" + std::string(300, 'x')), BadRequest);

  using std::chrono::milliseconds;
  CHECK(serve::probe_budget("10", milliseconds(30000)) == milliseconds(9500));
  CHECK(serve::probe_budget("0.3", milliseconds(30000)) == milliseconds(100));
  CHECK(serve::probe_budget("", milliseconds(30000)) == milliseconds(30000));
  CHECK(serve::probe_budget("soon", milliseconds(30000)) == milliseconds(30000));
  CHECK(serve::probe_budget("-5", milliseconds(30000)) == milliseconds(30000));
  CHECK(serve::probe_budget("nan", milliseconds(30000)) == milliseconds(30000));
  CHECK(serve::probe_budget("1e999", milliseconds(30000)) == milliseconds(30000));
}

TEST_CASE("an address with an optional port (--listen, --dns-server), read by one parser", "[serve][dns]") {
  auto at = [](std::string_view text, std::optional<std::uint16_t> port, unsigned min_port = 1) {
    auto endpoint = stp::parse_endpoint(text, port, min_port);
    return endpoint ? endpoint->address().to_string() + "@" + std::to_string(endpoint->port()) : std::string("none");
  };
  CHECK(at("192.0.2.53", 53) == "192.0.2.53@53");
  CHECK(at("192.0.2.53:5353", 53) == "192.0.2.53@5353");
  CHECK(at("2001:db8::53", 53) == "2001:db8::53@53");
  CHECK(at("[2001:db8::53]", 53) == "2001:db8::53@53");
  CHECK(at("[2001:db8::53]:5353", 53) == "2001:db8::53@5353");
  CHECK(at("127.0.0.1:0", std::nullopt, 0) == "127.0.0.1@0");
  CHECK(at("127.0.0.1:0", 53) == "none");
  CHECK(at("127.0.0.1", std::nullopt) == "none");
  for (const char* bad : {"", "nowhere", "nowhere:25", "192.0.2.53:", "192.0.2.53:99999", "192.0.2.53:5x", "[2001:db8::53",
                          "[2001:db8::53]5353", "[2001:db8::53]:", "[::1]:123456"})
    CHECK(at(bad, 53) == "none");
}
