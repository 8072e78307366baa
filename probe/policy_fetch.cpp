#include "probe/policy_fetch.hpp"

#include <openssl/ssl.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "core/text.hpp"
#include "net/asio.hpp"
#include "probe/client_tls.hpp"

namespace stp::probe {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::size_t max_header_bytes = std::size_t{8} * 1024;
constexpr std::size_t max_shown_header = 256;

std::string bounded(std::string_view text) { return core::shown_in_error(std::string(text.substr(0, max_shown_header))); }

}  // namespace

net::awaitable<PolicyFetchEvidence> fetch_sts_policy(std::string host, std::vector<tcp::endpoint> endpoints,
                                                     net::ssl::context& tls, std::chrono::milliseconds timeout) {
  PolicyFetchEvidence out;
  out.host = host;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto executor = co_await net::this_coro::executor;
  beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
  auto& tcp_layer = beast::get_lowest_layer(stream);
  tcp_layer.expires_at(deadline);
  error_code ec;
  std::string connect_errors;
  for (const auto& endpoint : endpoints) {
    std::tie(ec) = co_await tcp_layer.async_connect(endpoint, use_tuple);
    if (!ec) {
      out.address = endpoint.address().to_string();
      break;
    }
    connect_errors += (connect_errors.empty() ? "" : "; ") + endpoint.address().to_string() + ": " + ec.message();
    if (ec == beast::error::timeout) break;
    tcp_layer.close();
  }
  if (!out.address) {
    out.error = endpoints.empty() ? "no address to connect to" : "TCP connect failed (" + connect_errors + ")";
    co_return out;
  }
  SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, host.data());
  std::tie(ec) = co_await stream.async_handshake(net::ssl::stream_base::client, use_tuple);
  TlsEvidence captured;
  capture_session(stream.native_handle(), captured);
  out.chain_der = std::move(captured.chain_der);
  out.tls_version = captured.version;
  if (ec) {
    out.error = ec == beast::error::timeout ? "no TLS handshake within --timeout" : "the TLS handshake failed: " + ec.message();
    co_return out;
  }
  http::request<http::empty_body> request{http::verb::get, "/.well-known/mta-sts.txt", 11};
  request.set(http::field::host, host);
  request.set(http::field::user_agent, "starttls-probe");
  request.set(http::field::accept, "text/plain");
  request.set(http::field::connection, "close");
  std::tie(ec, std::ignore) = co_await http::async_write(stream, request, net::as_tuple(net::use_awaitable));
  if (ec) {
    out.error = "sending the request failed: " + ec.message();
    co_return out;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(max_header_bytes);
  parser.body_limit(max_policy_bytes);
  std::tie(ec, std::ignore) = co_await http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
  if (parser.is_header_done()) {
    const auto& response = parser.get();
    out.status = static_cast<int>(response.result_int());
    out.content_type = bounded(response[http::field::content_type]);
    out.location = bounded(response[http::field::location]);
  }
  if (ec == http::error::body_limit) {
    out.body_too_large = true;
  } else if (ec && !(ec == http::error::end_of_stream && parser.is_done())) {
    out.status = 0;
    out.error = ec == beast::error::timeout ? "no whole response within --timeout" : "reading the response failed: " + ec.message();
    co_return out;
  }
  if (!out.body_too_large) out.body = parser.get().body();
  // A polite close; the fetch is over whatever it says.
  tcp_layer.expires_after(std::chrono::milliseconds(200));
  std::tie(ec) = co_await stream.async_shutdown(use_tuple);
  co_return out;
}

}  // namespace stp::probe
