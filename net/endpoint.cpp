#include "net/endpoint.hpp"

#include <algorithm>
#include <string>

namespace stp {

std::optional<boost::asio::ip::tcp::endpoint> parse_endpoint(std::string_view text, std::optional<std::uint16_t> default_port,
                                                             unsigned min_port) {
  std::string_view host = text, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    port = rest.empty() ? rest : rest.substr(1);
    if (!rest.empty() && port.empty()) return std::nullopt;
  } else if (std::count(text.begin(), text.end(), ':') == 1) {  // more colons: a bare IPv6 address
    host = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
    if (port.empty()) return std::nullopt;
  }
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return std::nullopt;
  unsigned number = 0;
  if (port.empty()) {
    if (!default_port) return std::nullopt;
    number = *default_port;
  } else {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    number = static_cast<unsigned>(std::stoul(std::string(port)));
  }
  if (number < min_port || number > 65535) return std::nullopt;
  return boost::asio::ip::tcp::endpoint(address, static_cast<std::uint16_t>(number));
}

}  // namespace stp
