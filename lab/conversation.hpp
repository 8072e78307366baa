#pragma once
// The server side of one lab connection: the socket (under TLS once STARTTLS is done), the lab's
// primitives on it, and what each scenario says (conversation.cpp). lab.cpp accepts; this talks.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "lab/lab.hpp"
#include "net/asio.hpp"

namespace stp::lab {

class Connection {
 public:
  struct Setup {
    const EndpointInfo* info;
    boost::asio::ssl::context* tls;  // null: the scenario never handshakes
    boost::asio::ssl::context* plain;
    Lab::Options options;
    std::function<void(const std::string& verb)> on_command;  // each command's verb, for the stats
    std::function<void()> on_early_talker;                   // bytes sent before the greeting ended
  };
  Connection(tcp::socket socket, Setup setup);

  Scenario scenario() const { return setup_.info->scenario; }
  const std::string& fqdn() const { return setup_.info->fqdn; }
  const Lab::Options& options() const { return setup_.options; }
  bool speaks_tls() const { return setup_.tls != nullptr; }
  bool tls_on() const { return tls_on_; }

  boost::asio::awaitable<bool> send(std::string text);  // false: the client is gone
  boost::asio::awaitable<bool> send_until_cap(const std::string& chunk);  // again and again: a hostile server
  boost::asio::awaitable<void> pause(std::chrono::steady_clock::duration duration);
  boost::asio::awaitable<bool> handshake();
  boost::asio::awaitable<void> drain();  // reads and drops until the client hangs up or the idle limit
  boost::asio::awaitable<bool> read_some_bytes();  // whatever comes first (a ClientHello), dropped
  boost::asio::awaitable<std::optional<std::string>> read_command();  // the verb, upper case
  bool client_talked_early();
  void reset();  // RST instead of FIN

 private:
  Setup setup_;
  boost::asio::steady_timer timer_;
  boost::asio::ssl::stream<tcp::socket> stream_;
  bool tls_on_ = false;
  std::string input_;
};

// What the hostile-text scenario puts in its greeting, EHLO reply and certificate.
const std::string& hostile_text();

// The whole conversation of one connection, as its scenario has it.
boost::asio::awaitable<void> converse(Connection& connection);

}  // namespace stp::lab
