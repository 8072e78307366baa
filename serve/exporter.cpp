#include "serve/exporter.hpp"

#include <csignal>
#include <ctime>
#include <deque>
#include <set>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "net/asio.hpp"
#include "probe/client_tls.hpp"
#include "probe/dns.hpp"
#include "probe/politeness.hpp"
#include "probe/scanner.hpp"
#include "probe/session.hpp"
#include "report/escape.hpp"
#include "report/writer.hpp"
#include "serve/request.hpp"

namespace stp::serve {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using Request = http::request<http::empty_body>;
using Response = http::response<http::string_body>;
using clock = std::chrono::steady_clock;

constexpr std::size_t max_header_bytes = 8 * std::size_t{1024};
constexpr std::size_t recent_kept = 50;
constexpr double duration_buckets[] = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

// One probe asked for by /probe: what it has found so far, and who waits for its end.
struct ProbeRun {
  probe::ProbeSettings settings;
  std::vector<probe::Evidence> results;
  bool done = false;
  net::steady_timer* waiter = nullptr;
};

struct Recent {
  std::time_t at;
  std::string target, outcome;
  double seconds;
};

Response plain(const Request& request, http::status status, std::string body,
               const char* type = "text/plain; charset=utf-8") {
  Response response(status, request.version());
  response.set(http::field::server, "starttls-probe");
  response.set(http::field::content_type, type);
  response.body() = std::move(body);
  return response;
}

std::string format_seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6f", seconds);
  return text;
}

}  // namespace

struct Exporter::State {
  State(net::io_context& io, ExporterSettings chosen)
      : settings(std::move(chosen)),
        acceptor(io),
        tls(probe::make_client_context()),
        politeness(0, 0),
        resolver(std::make_unique<probe::Resolver>(io.get_executor(), settings.probe.dns)),
        context{tls, politeness, *resolver} {
    if (!settings.probe.ehlo_name) settings.probe.ehlo_name = probe::machine_fqdn();
    acceptor.open(settings.listen.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    if (settings.listen.address().is_v6()) acceptor.set_option(net::ip::v6_only(false));
    acceptor.bind(settings.listen);
    acceptor.listen();
  }

  ExporterSettings settings;
  tcp::acceptor acceptor;
  net::ssl::context tls;
  probe::Politeness politeness;
  std::unique_ptr<probe::Resolver> resolver;
  probe::ProbeContext context;
  bool stopping = false;
  std::set<beast::tcp_stream*> connections;
  std::size_t in_flight = 0;
  // The exporter's own metrics.
  std::uint64_t succeeded = 0, failed = 0, timed_out = 0, bad_requests = 0, refused_busy = 0;
  std::vector<std::uint64_t> bucket_counts = std::vector<std::uint64_t>(std::size(duration_buckets), 0);
  double duration_sum = 0;
  std::deque<Recent> recent;

  std::size_t max_connections() const { return settings.max_concurrent + 64; }

  void count_probe(const std::string& target, const char* outcome, double seconds) {
    std::string_view name = outcome;
    (name == "success" ? succeeded : name == "timeout" ? timed_out : failed) += 1;
    for (std::size_t i = 0; i < std::size(duration_buckets); ++i)
      if (seconds <= duration_buckets[i]) ++bucket_counts[i];
    duration_sum += seconds;
    recent.push_front({std::time(nullptr), target, outcome, seconds});
    if (recent.size() > recent_kept) recent.pop_back();
  }

  std::string metrics() const {
    std::string out;
    out += "# HELP starttls_probe_exporter_probes_total Probes asked for through /probe, by outcome.\n"
           "# TYPE starttls_probe_exporter_probes_total counter\n";
    out += "starttls_probe_exporter_probes_total{outcome=\"success\"} " + std::to_string(succeeded) + "\n";
    out += "starttls_probe_exporter_probes_total{outcome=\"failure\"} " + std::to_string(failed) + "\n";
    out += "starttls_probe_exporter_probes_total{outcome=\"timeout\"} " + std::to_string(timed_out) + "\n";
    out += "# HELP starttls_probe_exporter_requests_refused_total Requests answered 400 (bad target) or 503 "
           "(--max-concurrent probes in flight).\n# TYPE starttls_probe_exporter_requests_refused_total counter\n";
    out += "starttls_probe_exporter_requests_refused_total{code=\"400\"} " + std::to_string(bad_requests) + "\n";
    out += "starttls_probe_exporter_requests_refused_total{code=\"503\"} " + std::to_string(refused_busy) + "\n";
    out += "# HELP starttls_probe_exporter_probes_in_flight Probes running now.\n"
           "# TYPE starttls_probe_exporter_probes_in_flight gauge\n";
    out += "starttls_probe_exporter_probes_in_flight " + std::to_string(in_flight) + "\n";
    out += "# HELP starttls_probe_exporter_probe_duration_seconds How long /probe's probes took.\n"
           "# TYPE starttls_probe_exporter_probe_duration_seconds histogram\n";
    std::uint64_t total = succeeded + failed + timed_out;
    for (std::size_t i = 0; i < std::size(duration_buckets); ++i) {
      std::string bound = format_seconds(duration_buckets[i]);
      while (bound.back() == '0') bound.pop_back();
      if (bound.back() == '.') bound.pop_back();
      out += "starttls_probe_exporter_probe_duration_seconds_bucket{le=\"" + bound + "\"} " +
             std::to_string(bucket_counts[i]) + "\n";
    }
    out += "starttls_probe_exporter_probe_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(total) + "\n";
    out += "starttls_probe_exporter_probe_duration_seconds_sum " + format_seconds(duration_sum) + "\n";
    out += "starttls_probe_exporter_probe_duration_seconds_count " + std::to_string(total) + "\n";
    return out;
  }

  // The front page: what this is, the recent probes. Every target is escaped; no script, no style.
  std::string index_page() const {
    std::string page =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>starttls-probe exporter</title>"
        "</head><body>\n<h1>starttls-probe exporter</h1>\n<p>Probe an SMTP endpoint: <a "
        "href=\"/probe?target=localhost:25\">/probe?target=HOST[:PORT]</a> (also <code>fqdn=</code>, "
        "<code>connector=</code>, <code>mx:DOMAIN</code>). The exporter's own metrics: <a "
        "href=\"/metrics\">/metrics</a>.</p>\n<h2>Recent probes</h2>\n<table>\n<tr><th>time (UTC)</th><th>target"
        "</th><th>outcome</th><th>seconds</th></tr>\n";
    for (const auto& r : recent) {
      char when[32];
      std::tm tm{};
      gmtime_r(&r.at, &tm);
      std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
      page += "<tr><td>" + std::string(when) + "</td><td><a href=\"/probe?target=" +
              report::xml_safe(r.target) + "\">" + report::xml_safe(r.target) + "</a></td><td>" + r.outcome +
              "</td><td>" + format_seconds(r.seconds).substr(0, 5) + "</td></tr>\n";
    }
    page += "</table>\n</body></html>\n";
    return page;
  }
};

namespace {

// The probe of /probe, run apart from the request so that a scrape that gives up leaves it to
// end by its own limits (still counted in flight until then).
// cppcheck-suppress passedByValue
net::awaitable<void> run_probe(std::shared_ptr<Exporter::State> state, std::shared_ptr<ProbeRun> run,
                               probe::Target target) {
  const std::function<void(probe::Evidence&&)> deliver = [run](probe::Evidence&& evidence) {
    run->results.push_back(std::move(evidence));
  };
  co_await probe::probe_target(std::move(target), run->settings, state->context, deliver);
}

// The prometheus format for what the probe found, and starttls_probe_success.
std::string probe_metrics(const Exporter::State& state, const ProbeRun& run, std::chrono::milliseconds budget,
                          bool& success) {
  std::string body;
  auto writer = report::Writer::make(report::Format::prometheus, [&](std::string_view text) { body += text; });
  tls::Tally tally;
  std::vector<tls::Assessment> assessments;
  assessments.reserve(run.results.size());
  for (const auto& evidence : run.results) {
    assessments.push_back(tls::assess(evidence, state.settings.judge, static_cast<std::int64_t>(std::time(nullptr))));
    tally.add(assessments.back().status);
    writer->add({&evidence, {}, {}, &assessments.back(), evidence.target.position});
  }
  writer->finish(tally);
  auto worst = tally.worst();
  success = run.done && tally.total() > 0 && (worst == tls::Status::ok || worst == tls::Status::warning);
  if (!run.done)
    body += "# the probe did not finish within " + std::to_string(budget.count()) + " ms: results so far above\n";
  body += "# HELP starttls_probe_success 1 when the endpoint's status is ok or warning, else 0.\n"
          "# TYPE starttls_probe_success gauge\nstarttls_probe_success " +
          std::string(success ? "1" : "0") + "\n";
  return body;
}

// cppcheck-suppress passedByValue
net::awaitable<Response> answer_probe(std::shared_ptr<Exporter::State> state, Request request, std::string query) {
  probe::Target target;
  try {
    target = probe_target_of(query);
  } catch (const BadRequest& e) {
    ++state->bad_requests;
    co_return plain(request, http::status::bad_request, std::string(e.what()) + "\n");
  }
  if (state->in_flight >= state->settings.max_concurrent) {
    ++state->refused_busy;
    co_return plain(request, http::status::service_unavailable,
                    "too many probes in flight (--max-concurrent " + std::to_string(state->settings.max_concurrent) +
                        "): try again\n");
  }
  auto header = request["X-Prometheus-Scrape-Timeout-Seconds"];
  auto budget = probe_budget(std::string_view(header.data(), header.size()), state->settings.timeout);
  auto run = std::make_shared<ProbeRun>();
  run->settings = state->settings.probe;
  run->settings.deadline = budget;
  run->settings.deadline_name = "the probe's time (the scrape timeout less half a second, else --timeout)";
  run->settings.reply_timeout = std::min(run->settings.reply_timeout, budget);
  run->settings.connect_timeout = std::min(run->settings.connect_timeout, budget);
  std::string shown = target.text;
  auto started = clock::now();
  auto executor = co_await net::this_coro::executor;
  ++state->in_flight;
  net::co_spawn(executor, run_probe(state, run, std::move(target)), [state, run](const std::exception_ptr&) {
    --state->in_flight;
    run->done = true;
    if (run->waiter) run->waiter->cancel();
  });
  // An mx: target probes its hosts one after another: the whole is held to the budget here.
  net::steady_timer timer(executor, budget + std::chrono::milliseconds(200));
  run->waiter = &timer;
  if (!run->done) co_await timer.async_wait(use_tuple);
  run->waiter = nullptr;
  bool success = false;
  std::string body = probe_metrics(*state, *run, budget, success);
  double seconds = std::chrono::duration<double>(clock::now() - started).count();
  state->count_probe(shown, !run->done ? "timeout" : success ? "success" : "failure", seconds);
  co_return plain(request, http::status::ok, std::move(body), "text/plain; version=0.0.4; charset=utf-8");
}

// cppcheck-suppress passedByValue
net::awaitable<Response> answer(std::shared_ptr<Exporter::State> state, Request request) {
  if (request.method() != http::verb::get) {
    Response response = plain(request, http::status::method_not_allowed, "only GET is answered here\n");
    response.set(http::field::allow, "GET");
    co_return response;
  }
  std::string_view whole(request.target().data(), request.target().size());
  std::size_t mark = whole.find('?');
  std::string_view path = whole.substr(0, mark);
  std::string query(mark == std::string_view::npos ? std::string_view() : whole.substr(mark + 1));
  if (path == "/probe") {
    Response response = co_await answer_probe(state, request, std::move(query));
    co_return response;
  }
  if (path == "/metrics")
    co_return plain(request, http::status::ok, state->metrics(), "text/plain; version=0.0.4; charset=utf-8");
  if (path == "/") {
    Response response = plain(request, http::status::ok, state->index_page(), "text/html; charset=utf-8");
    response.set("Content-Security-Policy", "default-src 'none'");
    co_return response;
  }
  co_return plain(request, http::status::not_found, "not found: /probe, /metrics and / are served here\n");
}

// One connection: requests one after another (keep-alive), each bounded in size and time.
// cppcheck-suppress passedByValue
net::awaitable<void> serve_connection(std::shared_ptr<Exporter::State> state, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  state->connections.insert(&stream);
  struct Leave {
    Exporter::State& state;
    beast::tcp_stream* stream;
    ~Leave() { state.connections.erase(stream); }
  } leave{*state, &stream};
  beast::flat_buffer buffer(max_header_bytes);
  while (!state->stopping) {
    http::request_parser<http::empty_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(max_header_bytes));
    parser.body_limit(0);
    stream.expires_after(state->settings.request_timeout);
    auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (read_error) {
      // A request that is not HTTP or too large is told so; a closed or idle connection just ends.
      if (read_error != http::error::end_of_stream && read_error != beast::error::timeout &&
          read_error != net::error::operation_aborted && read_error != net::error::connection_reset && !state->stopping) {
        Request bad;
        Response response = plain(bad, http::status::bad_request, "not a request answered here: " + read_error.message() + "\n");
        response.keep_alive(false);
        response.prepare_payload();
        stream.expires_after(state->settings.request_timeout);
        co_await http::async_write(stream, response, use_tuple);
      }
      break;
    }
    Request request = parser.release();
    bool keep_alive = request.keep_alive();
    Response response = co_await answer(state, std::move(request));
    response.keep_alive(keep_alive && !state->stopping);
    response.prepare_payload();
    stream.expires_after(state->settings.request_timeout);
    auto [write_error, written] = co_await http::async_write(stream, response, use_tuple);
    if (write_error || !response.keep_alive()) break;
  }
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

// cppcheck-suppress passedByValue
net::awaitable<void> accept_connections(std::shared_ptr<Exporter::State> state) {
  for (;;) {
    auto [ec, socket] = co_await state->acceptor.async_accept(use_tuple);
    if (state->stopping || ec == net::error::operation_aborted || ec == net::error::bad_descriptor) co_return;
    if (ec) continue;  // a connection that died in the backlog, or no file descriptor free now
    if (state->connections.size() >= state->max_connections()) continue;  // closed at once: the socket goes
    net::co_spawn(state->acceptor.get_executor(), serve_connection(state, std::move(socket)), net::detached);
  }
}

}  // namespace

Exporter::Exporter(net::io_context& io, ExporterSettings settings)
    : state_(std::make_shared<State>(io, std::move(settings))) {
  ::signal(SIGPIPE, SIG_IGN);
  net::co_spawn(io, accept_connections(state_), net::detached);
}

Exporter::~Exporter() {
  stop();
  // Before the event loop: the resolver's waits belong to it (probes left suspended reach it no more).
  state_->resolver.reset();
}

tcp::endpoint Exporter::local_endpoint() const { return state_->acceptor.local_endpoint(); }

void Exporter::stop() {
  state_->stopping = true;
  error_code ignored;
  state_->acceptor.close(ignored);
  for (auto* stream : state_->connections) stream->socket().close(ignored);
}

int run_exporter(const ExporterSettings& settings, const std::function<void(const tcp::endpoint&)>& listening) {
  net::io_context io(1);
  Exporter exporter(io, settings);
  listening(exporter.local_endpoint());
  // SIGINT/SIGTERM: no new connections or requests; probes in flight get a second, then the loop ends.
  net::signal_set signals(io, SIGINT, SIGTERM);
  net::steady_timer last_call(io);
  signals.async_wait([&](const error_code& ec, int) {
    if (ec) return;
    exporter.stop();
    last_call.expires_after(std::chrono::seconds(1));
    last_call.async_wait([&](const error_code& timer_ec) {
      if (!timer_ec) io.stop();
    });
  });
  io.run();
  return 0;
}

}  // namespace stp::serve
