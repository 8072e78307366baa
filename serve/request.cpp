#include "serve/request.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace stp::serve {
namespace {

constexpr std::size_t max_parameters = 16;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      int high = i + 2 < text.size() ? hex_digit(text[i + 1]) : -1;
      int low = high >= 0 ? hex_digit(text[i + 2]) : -1;
      if (low < 0) throw BadRequest("a bad %-escape in the query string");
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> parameters;
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string name = decoded(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? std::string() : decoded(pair.substr(eq + 1));
    if (parameters.size() == max_parameters) throw BadRequest("more than 16 parameters in the query string");
    if (!parameters.emplace(std::move(name), std::move(value)).second)
      throw BadRequest("a parameter is given twice in the query string");
  }
  return parameters;
}

probe::Target probe_target_of(std::string_view query) {
  auto parameters = parse_query(query);
  for (const auto& [name, value] : parameters)
    if (name != "target" && name != "fqdn" && name != "connector")
      throw BadRequest("unknown parameter '" + name.substr(0, 64) + "' (target, fqdn and connector are known)");
  auto target = parameters.find("target");
  if (target == parameters.end() || target->second.empty()) throw BadRequest("no target: ask /probe?target=HOST[:PORT]");
  probe::Target parsed;
  try {
    parsed = probe::parse_target(target->second);
  } catch (const probe::TargetError& e) {
    throw BadRequest(std::string("target: ") + e.what());
  }
  if (auto fqdn = parameters.find("fqdn"); fqdn != parameters.end()) {
    if (!probe::is_dns_name(fqdn->second)) throw BadRequest("fqdn: not a DNS name");
    parsed.expected_fqdn = probe::host_key(fqdn->second);
  }
  if (auto connector = parameters.find("connector"); connector != parameters.end()) {
    if (connector->second.size() > 256) throw BadRequest("connector: longer than 256 bytes");
    parsed.connector = connector->second;
  }
  return parsed;
}

std::chrono::milliseconds probe_budget(std::string_view header, std::chrono::milliseconds otherwise) {
  if (header.empty() || header.size() > 32) return otherwise;
  std::string text(header);
  char* end = nullptr;
  double seconds = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(seconds) || seconds <= 0 || seconds > 86400) return otherwise;
  return std::chrono::milliseconds(std::max<long long>(100, std::llround((seconds - 0.5) * 1000)));
}

}  // namespace stp::serve
