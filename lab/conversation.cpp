#include "lab/conversation.hpp"

#include <array>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include "core/text.hpp"

namespace stp::lab {
namespace {

namespace ssl = boost::asio::ssl;
using namespace std::chrono_literals;

constexpr std::size_t max_command_bytes = 1024;
constexpr std::size_t endless_cap_bytes = std::size_t{64} << 20;  // even a hostile lab stops by itself
constexpr auto idle_limit = 60s;                                   // a client that goes quiet is dropped

std::string exchange_date() { return "Sun, 29 Nov 2026 09:00:00 +0000"; }

// ---- What each scenario says. A step returns false when the connection is over after it. ----
using Step = net::awaitable<bool> (*)(Connection&);

net::awaitable<bool> greet_exchange(Connection& c) {
  co_return co_await c.send("220 " + c.fqdn() + " Microsoft ESMTP MAIL Service ready at " + exchange_date() + "\r\n");
}
net::awaitable<bool> greet_postfix(Connection& c) { co_return co_await c.send("220 " + c.fqdn() + " ESMTP Postfix (Debian/GNU)\r\n"); }
net::awaitable<bool> greet_custom_banner(Connection& c) { co_return co_await c.send("220 Mail Service\r\n"); }
net::awaitable<bool> greet_exim_banner(Connection& c) { co_return co_await c.send("220 ESMTP service ready\r\n"); }
net::awaitable<bool> greet_hostile(Connection& c) { co_return co_await c.send("220 " + c.fqdn() + " " + hostile_text() + "\r\n"); }

net::awaitable<bool> greet_after_handshake(Connection& c) {  // smtps://: TLS from the first byte
  bool secure = co_await c.handshake();
  if (!secure) co_return false;
  co_return co_await greet_exchange(c);
}

net::awaitable<bool> stay_silent(Connection& c) {
  co_await c.drain();
  co_return false;
}

net::awaitable<bool> greet_busy(Connection& c) {
  co_await c.send("421 4.3.2 " + c.fqdn() + " Service not available, try again later\r\n");
  co_return false;
}

// RFC 5321 3.1: after a 554 greeting the server waits for QUIT and answers 503 to the rest.
net::awaitable<bool> greet_rejecting(Connection& c) { co_return co_await c.send("554 5.3.2 " + c.fqdn() + " Service not available\r\n"); }

net::awaitable<bool> greet_trickling(Connection& c) {
  std::string greeting = "220 " + c.fqdn() + " ESMTP is here, but it takes its time to say so\r\n";
  for (char ch : greeting) {
    bool sent = co_await c.send(std::string(1, ch));
    if (!sent) co_return false;
    co_await c.pause(c.options().trickle_interval);
  }
  co_return true;
}

net::awaitable<bool> greet_endless_lines(Connection& c) {
  std::string chunk;
  for (int i = 0; i < 64; ++i) chunk += "220-" + c.fqdn() + " " + std::string(60, 'x') + "\r\n";
  co_await c.send_until_cap(chunk);
  co_return false;
}

net::awaitable<bool> greet_enormous_line(Connection& c) {  // one line, never ended
  bool sent = co_await c.send("220 " + c.fqdn() + " ");
  if (sent) co_await c.send_until_cap(std::string(65536, 'x'));
  co_return false;
}

net::awaitable<bool> greet_control_characters(Connection& c) {
  std::string greeting = "220 " + c.fqdn() + " \x1b[2J\x1b[31mESMTP\a ready";
  greeting += std::string("\0\x01\x7f \xff\xfe\xc3(", 8);  // NUL, SOH, DEL, invalid UTF-8
  greeting += " \x1b]0;owned\a\r\n";
  co_return co_await c.send(greeting);
}

net::awaitable<bool> greet_slowly(Connection& c) {  // postscreen: a pause inside a multi-line greeting
  bool sent = co_await c.send("220-" + c.fqdn() + " ESMTP postscreen-like: please wait\r\n");
  if (!sent) co_return false;
  co_await c.pause(c.options().greeting_pause);
  c.client_talked_early();
  co_return co_await c.send("220 " + c.fqdn() + " ESMTP ready\r\n");
}

std::string exchange_ehlo(const Connection& c) {
  bool offer = !c.tls_on() && c.scenario() != Scenario::no_starttls && c.scenario() != Scenario::implicit_tls;
  return "250-" + c.fqdn() + " Hello [127.0.0.1]\r\n250-SIZE 37748736\r\n250-PIPELINING\r\n250-DSN\r\n"
         "250-ENHANCEDSTATUSCODES\r\n" + std::string(offer ? "250-STARTTLS\r\n" : "") +
         "250-X-ANONYMOUSTLS\r\n250-AUTH NTLM\r\n250-X-EXPS GSSAPI NTLM\r\n250-8BITMIME\r\n"
         "250-BINARYMIME\r\n250-CHUNKING\r\n250 XRDST\r\n";
}

net::awaitable<bool> ehlo_exchange(Connection& c) { co_return co_await c.send(exchange_ehlo(c)); }

net::awaitable<bool> ehlo_postfix(Connection& c) {  // STARTTLS on the last line, in lower case
  co_return co_await c.send("250-" + c.fqdn() + "\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-ETRN\r\n"
                            "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n" +
                            std::string(c.tls_on() ? "250 CHUNKING\r\n" : "250 starttls\r\n"));
}

net::awaitable<bool> ehlo_exim(Connection& c) {
  co_return co_await c.send("250-" + c.fqdn() + " Hello probe [127.0.0.1]\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n"
                            "250-PIPELINING\r\n" + std::string(c.tls_on() ? "" : "250-STARTTLS\r\n") + "250 HELP\r\n");
}

net::awaitable<bool> ehlo_hostile(Connection& c) {
  if (c.tls_on()) co_return co_await ehlo_exchange(c);
  co_return co_await c.send("250-" + c.fqdn() + " " + hostile_text() + "\r\n250-X-HOSTILE " + hostile_text() +
                            "\r\n250 STARTTLS\r\n");
}

net::awaitable<bool> ehlo_refused(Connection& c) { co_return co_await c.send("502 5.5.2 Error: command not recognized\r\n"); }

net::awaitable<bool> ehlo_changing_code(Connection& c) {
  co_return co_await c.send("250-" + c.fqdn() + " Hello\r\n250-PIPELINING\r\n550 5.7.1 changed my mind\r\n");
}

net::awaitable<bool> hang_up(Connection&) { co_return false; }

net::awaitable<bool> reset_connection(Connection& c) {
  c.reset();
  co_return false;
}

net::awaitable<bool> ehlo_flooding(Connection& c) {  // over TLS: each line its own record, without end
  if (!c.tls_on()) co_return co_await ehlo_exchange(c);
  co_await c.send_until_cap("250-flood.record\r\n");
  co_return false;
}

net::awaitable<bool> starttls_with(Connection& c, const std::string& ready) {
  if (c.tls_on()) co_return co_await c.send("502 5.5.2 Error: command not recognized\r\n");
  if (!c.speaks_tls()) co_return co_await c.send("454 4.7.0 TLS not available due to local problem\r\n");
  bool sent = co_await c.send(ready);
  if (!sent) co_return false;
  co_return co_await c.handshake();
}

net::awaitable<bool> starttls_standard(Connection& c) { co_return co_await starttls_with(c, "220 2.0.0 SMTP server ready\r\n"); }

// Response injection: plaintext in the same write as the 220, before the handshake.
net::awaitable<bool> starttls_injecting(Connection& c) {
  co_return co_await starttls_with(c, "220 2.0.0 SMTP server ready\r\n250-injected\r\n250 PIPELINING\r\n");
}

net::awaitable<bool> starttls_then_garbage(Connection& c) {  // answers the ClientHello with plain text
  bool sent = co_await c.send("220 2.0.0 SMTP server ready\r\n");
  if (!sent) co_return false;
  bool hello = co_await c.read_some_bytes();
  if (hello) {
    co_await c.send("HTTP/1.1 400 Bad Request\r\n\r\n");
    co_await c.drain();
  }
  co_return false;
}

net::awaitable<bool> starttls_then_reset(Connection& c) {
  bool sent = co_await c.send("220 2.0.0 SMTP server ready\r\n");
  if (sent) co_await c.read_some_bytes();  // the ClientHello (or nothing): either way, reset
  c.reset();
  co_return false;
}

net::awaitable<bool> starttls_then_stall(Connection& c) {
  bool sent = co_await c.send("220 2.0.0 SMTP server ready\r\n");
  if (sent) co_await c.drain();
  co_return false;
}

net::awaitable<bool> quit_standard(Connection& c) {
  co_await c.send("221 2.0.0 Service closing transmission channel\r\n");
  co_return false;
}

net::awaitable<bool> quit_never_closing(Connection& c) {  // no answer, no close: the client must leave by itself
  co_await c.drain();
  co_return false;
}

// A scenario is the Exchange-like server with some of its steps replaced.
struct Behaviour {
  Step greet = greet_exchange;
  Step ehlo = ehlo_exchange;
  Step starttls = starttls_standard;
  Step quit = quit_standard;
};

Behaviour behaviour_of(Scenario scenario) {
  Behaviour b;
  switch (scenario) {
    case Scenario::implicit_tls: b.greet = greet_after_handshake; break;
    case Scenario::silent: b.greet = stay_silent; break;
    case Scenario::busy: b.greet = greet_busy; break;
    case Scenario::greeting_rejected: b.greet = greet_rejecting; break;
    case Scenario::trickle: b.greet = greet_trickling; break;
    case Scenario::endless_lines: b.greet = greet_endless_lines; break;
    case Scenario::enormous_line: b.greet = greet_enormous_line; break;
    case Scenario::control_characters: b.greet = greet_control_characters; break;
    case Scenario::slow_multiline_greeting: b.greet = greet_slowly; break;
    case Scenario::custom_banner: b.greet = greet_custom_banner; break;
    case Scenario::wildcard:
    case Scenario::cn_only: b = {greet_postfix, ehlo_postfix}; break;
    case Scenario::exim_banner: b = {greet_exim_banner, ehlo_exim}; break;
    case Scenario::hostile_text: b = {greet_hostile, ehlo_hostile}; break;
    case Scenario::ehlo_refused: b.ehlo = ehlo_refused; break;
    case Scenario::code_change: b.ehlo = ehlo_changing_code; break;
    case Scenario::hangup_mid_dialogue: b.ehlo = hang_up; break;
    case Scenario::reset_after_ehlo: b.ehlo = reset_connection; break;
    case Scenario::tls_record_flood: b.ehlo = ehlo_flooding; break;
    case Scenario::injected_after_starttls: b.starttls = starttls_injecting; break;
    case Scenario::garbage_after_starttls: b.starttls = starttls_then_garbage; break;
    case Scenario::reset_in_handshake: b.starttls = starttls_then_reset; break;
    case Scenario::stalled_handshake: b.starttls = starttls_then_stall; break;
    case Scenario::never_closes: b.quit = quit_never_closing; break;
    default: break;
  }
  return b;
}

net::awaitable<bool> answer(Connection& c, const Behaviour& b, const std::string& verb) {
  if (c.scenario() == Scenario::greeting_rejected && verb != "QUIT")
    co_return co_await c.send("503 5.5.1 Bad sequence of commands\r\n");
  if (verb == "EHLO") co_return co_await b.ehlo(c);
  if (verb == "HELO") co_return co_await c.send("250 " + c.fqdn() + " Hello [127.0.0.1]\r\n");
  if (verb == "STARTTLS") co_return co_await b.starttls(c);
  if (verb == "QUIT") co_return co_await b.quit(c);
  co_return co_await c.send("502 5.5.2 Error: command not recognized\r\n");
}

}  // namespace

const std::string& hostile_text() {
  // Terminal escapes (CSI, OSC), a backslash that looks like an escape, bidi marks (RLM, ALM, RLO),
  // line and paragraph separators, noncharacters XML cannot hold, a spreadsheet formula, a Nagios
  // perfdata bar, markup and quotes.
  static const std::string text =
      "\x1b[31mred\x1b[0m \x1b]0;title\x07 \\x41 \u200F\u061C\u202Eevil \u2028\u2029 \uFFFE\uFFFF "
      "|=cmd|' /C calc'!A0 <b>&amp;\"'";
  return text;
}

Connection::Connection(tcp::socket socket, Setup setup)
    : setup_(std::move(setup)), timer_(socket.get_executor()),
      stream_(std::move(socket), setup_.tls != nullptr ? *setup_.tls : *setup_.plain) {}

net::awaitable<bool> Connection::send(std::string text) {
  auto& raw = stream_.next_layer();
  if (scenario() == Scenario::byte_by_byte && !tls_on_) {  // every reply one byte per write, quickly
    for (char ch : text) {
      auto [ec, n] = co_await net::async_write(raw, net::buffer(&ch, 1), use_tuple);
      if (ec) co_return false;
      co_await pause(std::chrono::microseconds(200));
    }
    co_return true;
  }
  if (tls_on_) {
    auto [ec, n] = co_await net::async_write(stream_, net::buffer(text), use_tuple);
    co_return !ec;
  }
  auto [ec, n] = co_await net::async_write(raw, net::buffer(text), use_tuple);
  co_return !ec;
}

net::awaitable<bool> Connection::send_until_cap(const std::string& chunk) {
  for (std::size_t sent = 0; sent < endless_cap_bytes; sent += chunk.size()) {
    bool more = co_await send(chunk);
    if (!more) co_return false;
  }
  co_return true;
}

net::awaitable<void> Connection::pause(std::chrono::steady_clock::duration duration) {
  timer_.expires_after(duration);
  co_await timer_.async_wait(use_tuple);
}

net::awaitable<bool> Connection::handshake() {
  auto& raw = stream_.next_layer();
  timer_.expires_after(idle_limit);
  timer_.async_wait([&raw](error_code ec) { if (!ec) raw.close(ec); });
  auto [ec] = co_await stream_.async_handshake(ssl::stream_base::server, use_tuple);
  timer_.cancel();
  tls_on_ = !ec;
  co_return !ec;
}

net::awaitable<void> Connection::drain() {
  auto& raw = stream_.next_layer();
  timer_.expires_after(idle_limit);
  timer_.async_wait([&raw](error_code ec) { if (!ec) raw.close(ec); });
  std::array<char, 512> sink{};
  for (;;) {
    auto [ec, n] = co_await raw.async_read_some(net::buffer(sink), use_tuple);
    if (ec) break;
  }
  timer_.cancel();
}

net::awaitable<bool> Connection::read_some_bytes() {
  std::array<char, 512> bytes{};
  auto [ec, n] = co_await stream_.next_layer().async_read_some(net::buffer(bytes), use_tuple);
  co_return !ec;
}

net::awaitable<std::optional<std::string>> Connection::read_command() {
  auto& raw = stream_.next_layer();
  timer_.expires_after(idle_limit);
  timer_.async_wait([&raw](error_code ec) { if (!ec) raw.close(ec); });
  auto buffer = net::dynamic_buffer(input_, max_command_bytes);
  std::tuple<error_code, std::size_t> line_read;
  if (tls_on_) line_read = co_await net::async_read_until(stream_, buffer, "\n", use_tuple);
  else line_read = co_await net::async_read_until(raw, buffer, "\n", use_tuple);
  auto [ec, n] = line_read;
  timer_.cancel();
  if (ec) co_return std::nullopt;
  std::string line = input_.substr(0, n);
  input_.erase(0, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  std::string verb = core::upper(line.substr(0, line.find(' ')));
  setup_.on_command(verb);
  co_return verb;
}

bool Connection::client_talked_early() {
  error_code ec;
  bool early = stream_.next_layer().available(ec) > 0;
  if (early) setup_.on_early_talker();
  return early;
}

void Connection::reset() {
  auto& raw = stream_.next_layer();
  error_code ignored;
  raw.set_option(tcp::socket::linger(true, 0), ignored);  // close() now sends RST
  raw.close(ignored);
}

net::awaitable<void> converse(Connection& connection) {
  const Behaviour behaviour = behaviour_of(connection.scenario());
  bool open = co_await behaviour.greet(connection);
  while (open) {
    std::optional<std::string> verb = co_await connection.read_command();
    if (!verb) break;
    open = co_await answer(connection, behaviour, *verb);
  }
}

}  // namespace stp::lab
