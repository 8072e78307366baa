#include "lab/policy_site.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "net/asio.hpp"

namespace stp::lab {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using Stream = beast::ssl_stream<beast::tcp_stream>;

net::awaitable<void> answer(Stream& stream, const PolicySite& site) {
  http::response<http::string_body> response{http::status::ok, 11};
  response.set(http::field::server, "starttls-probe lab");
  response.set(http::field::connection, "close");
  response.set(http::field::content_type, "text/plain");
  switch (site.answer) {
    case PolicySite::Answer::policy: response.body() = site.body; break;
    case PolicySite::Answer::not_found:
      response.result(http::status::not_found);
      response.body() = "not here\n";
      break;
    case PolicySite::Answer::redirect:
      response.result(http::status::moved_permanently);
      response.set(http::field::location, "https://policies.elsewhere.test/.well-known/mta-sts.txt");
      break;
    case PolicySite::Answer::wrong_type:
      response.set(http::field::content_type, "text/html; charset=utf-8");
      response.body() = "<html><body>version: STSv1</body></html>\n";
      break;
    case PolicySite::Answer::oversized: response.body() = "version: STSv1\nmode: enforce\n" + std::string(std::size_t{100} * 1024, '#'); break;
    case PolicySite::Answer::endless: {
      http::response<http::empty_body> header{http::status::ok, 11};
      header.set(http::field::content_type, "text/plain");
      header.chunked(true);
      http::response_serializer<http::empty_body> serializer(header);
      auto [ec, n] = co_await http::async_write_header(stream, serializer, net::as_tuple(net::use_awaitable));
      (void)n;
      const std::string block(4096, 'x');
      for (int i = 0; !ec && i < 4096; ++i)  // 16 MiB at most, or until the client goes
        std::tie(ec, n) = co_await net::async_write(stream, http::make_chunk(net::buffer(block)), net::as_tuple(net::use_awaitable));
      co_return;
    }
    case PolicySite::Answer::silent: {
      char byte = 0;
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(60));
      auto [ec, n] = co_await stream.async_read_some(net::buffer(&byte, 1), net::as_tuple(net::use_awaitable));
      (void)ec;
      (void)n;
      co_return;
    }
  }
  response.prepare_payload();
  auto [ec, n] = co_await http::async_write(stream, response, net::as_tuple(net::use_awaitable));
  (void)n;
  if (!ec) std::tie(ec) = co_await stream.async_shutdown(use_tuple);
}

net::awaitable<void> serve(tcp::socket socket, std::shared_ptr<net::ssl::context> context, const PolicySite& site) {
  Stream stream(std::move(socket), *context);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  auto [ec] = co_await stream.async_handshake(net::ssl::stream_base::server, use_tuple);
  if (ec) co_return;
  beast::flat_buffer buffer(8192);
  http::request_parser<http::empty_body> request;
  request.header_limit(8192);
  std::tie(ec, std::ignore) = co_await http::async_read(stream, buffer, request, net::as_tuple(net::use_awaitable));
  if (ec) co_return;
  co_await answer(stream, site);
}

}  // namespace

// `site` by value: the coroutine keeps its own copy for as long as it serves.
// cppcheck-suppress passedByValue
net::awaitable<void> serve_policy_site(tcp::acceptor acceptor, std::shared_ptr<net::ssl::context> context, PolicySite site) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec == net::error::operation_aborted) co_return;
    if (ec) continue;
    // `site` outlives every connection: this loop runs as long as the lab.
    net::co_spawn(acceptor.get_executor(), serve(std::move(socket), context, site), net::detached);
  }
}

}  // namespace stp::lab
