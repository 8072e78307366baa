#include "probe/target.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cctype>

#include <arpa/inet.h>

#include "core/text.hpp"
#include "probe/settings.hpp"

namespace stp::probe {
namespace {

struct Scheme {
  std::string_view name;
  Mode mode;
  std::uint16_t default_port;
};
constexpr std::array schemes{Scheme{"smtp", Mode::starttls, 25},
                             Scheme{"submission", Mode::starttls, 587},
                             Scheme{"smtps", Mode::implicit, 465}};

bool is_ipv4(std::string_view s) {
  std::array<unsigned char, 4> buf{};
  return inet_pton(AF_INET, std::string(s).c_str(), buf.data()) == 1;
}

bool is_ipv6(std::string_view s) {
  std::array<unsigned char, 16> buf{};
  return inet_pton(AF_INET6, std::string(s).c_str(), buf.data()) == 1;
}

std::uint16_t parse_port(std::string_view s) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
    throw TargetError("bad port '" + core::shown_in_error(s) + "': not a number");
  if (value == 0 || value > 65535)
    throw TargetError("bad port '" + core::shown_in_error(s) + "': must be 1 to 65535");
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string host_key(std::string_view name) {
  std::string key = core::lower(name);
  if (!key.empty() && key.back() == '.') key.pop_back();
  return key;
}

bool is_dns_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    std::string_view label = name.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
    start = dot + 1;
  }
  // An all-numeric name such as 192.0.2.300 is a mistyped address, not a host name.
  return !std::all_of(name.begin(), name.end(),
                      [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
}

bool is_dotted_host_name(std::string_view name) {
  if (!is_dns_name(name)) return false;
  if (name.back() == '.') name.remove_suffix(1);
  return name.find('.') != std::string_view::npos;
}

Target parse_target(std::string_view text) {
  Target t;
  t.text = std::string(text);
  std::string_view rest = text;
  if (rest.empty()) throw TargetError("empty target");
  if (rest.size() >= 3 && core::iequals(rest.substr(0, 3), "mx:")) {
    std::string_view domain = rest.substr(3);
    if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
    if (domain.find(':') != std::string_view::npos)
      throw TargetError("'" + core::shown_in_error(text) + "': an mx: target takes a mail domain, no port (senders use 25)");
    if (!is_dns_name(domain))
      throw TargetError("'" + core::shown_in_error(text) + "': mx: takes a mail domain, e.g. mx:contoso.com");
    t.host = host_key(domain);
    t.mail_domain = true;
    return t;
  }

  std::optional<std::uint16_t> default_port;
  if (auto sep = rest.find("://"); sep != std::string_view::npos) {
    std::string_view name = rest.substr(0, sep);
    auto scheme = std::find_if(schemes.begin(), schemes.end(),
                               [&](const Scheme& s) { return core::iequals(s.name, name); });
    if (scheme == schemes.end())
      throw TargetError("unknown scheme '" + core::shown_in_error(name) + "://' (use smtp://, submission:// or smtps://)");
    t.mode = scheme->mode;
    default_port = scheme->default_port;
    rest.remove_prefix(sep + 3);
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find('/') != std::string_view::npos)
      throw TargetError("'" + core::shown_in_error(text) + "': a target has no path");
  }
  t.port = default_port.value_or(25);

  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos) throw TargetError("'" + core::shown_in_error(text) + "': unclosed '['");
    t.host = std::string(rest.substr(1, close - 1));
    if (!is_ipv6(t.host)) throw TargetError("'" + core::shown_in_error(t.host) + "' in [] is not an IPv6 address");
    t.host_is_ip = true;
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw TargetError("'" + core::shown_in_error(text) + "': expected ':port' after ']'");
      t.port = parse_port(after.substr(1));
    }
    return t;
  }

  if (std::count(rest.begin(), rest.end(), ':') >= 2) {
    // A bare IPv6 literal: no port can follow without brackets.
    if (!is_ipv6(rest))
      throw TargetError("'" + core::shown_in_error(text) + "': write an IPv6 address with a port as [address]:port");
    t.host = std::string(rest);
    t.host_is_ip = true;
    return t;
  }

  std::string_view host = rest;
  if (auto colon = rest.find(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    t.port = parse_port(rest.substr(colon + 1));
  }
  if (host.empty()) throw TargetError("'" + core::shown_in_error(text) + "': empty host");
  t.host = std::string(host);
  t.host_is_ip = is_ipv4(host);
  if (!t.host_is_ip && !is_dns_name(host))
    throw TargetError("'" + core::shown_in_error(host) + "' is neither a host name nor an IP address");
  return t;
}

ConnectTo parse_connect_to(std::string_view text) {
  // Four parts separated by ':', a part in [] holding an IPv6 address.
  std::vector<std::string> parts;
  std::string_view rest = text;
  while (parts.size() < 4) {
    std::string part;
    if (!rest.empty() && rest.front() == '[') {
      auto close = rest.find(']');
      if (close == std::string_view::npos) throw TargetError("--connect-to: unclosed '['");
      part = std::string(rest.substr(1, close - 1));
      if (!is_ipv6(part)) throw TargetError("--connect-to: '" + core::shown_in_error(part) + "' in [] is not an IPv6 address");
      rest.remove_prefix(close + 1);
    } else {
      auto colon = rest.find(':');
      part = std::string(rest.substr(0, colon));
      rest.remove_prefix(colon == std::string_view::npos ? rest.size() : colon);
    }
    parts.push_back(std::move(part));
    if (parts.size() < 4) {
      if (rest.empty() || rest.front() != ':')
        throw TargetError("--connect-to '" + core::shown_in_error(text) + "': expected HOST:PORT:HOST2:PORT2");
      rest.remove_prefix(1);
    }
  }
  if (!rest.empty()) throw TargetError("--connect-to '" + core::shown_in_error(text) + "': expected HOST:PORT:HOST2:PORT2");
  for (std::size_t i : {0u, 2u})
    if (!parts[i].empty() && !is_ipv4(parts[i]) && !is_ipv6(parts[i]) && !is_dns_name(parts[i]))
      throw TargetError("--connect-to: '" + core::shown_in_error(parts[i]) + "' is neither a host name nor an IP address");
  ConnectTo rule;
  rule.host = host_key(parts[0]);
  rule.to_host = parts[2];
  if (!parts[1].empty()) rule.port = parse_port(parts[1]);
  if (!parts[3].empty()) rule.to_port = parse_port(parts[3]);
  return rule;
}

namespace {

// Splits a line into words; a value may be quoted with " (\" and \\ escape inside quotes).
std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i == line.size()) break;
    if (line[i] == '#') break;  // the rest of the line is a comment
    std::string word;
    bool quoted = false;
    for (; i < line.size(); ++i) {
      char c = line[i];
      if (quoted) {
        if (c == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) {
          word += line[++i];
        } else if (c == '"') {
          quoted = false;
        } else {
          word += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        break;
      } else {
        word += c;
      }
    }
    if (quoted) throw TargetError("unclosed '\"'");
    words.push_back(std::move(word));
  }
  return words;
}

}  // namespace

std::optional<Target> parse_target_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto words = split_words(line);
  if (words.empty()) return std::nullopt;
  Target t = parse_target(words.front());
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string& word = words[i];
    auto eq = word.find('=');
    if (eq == std::string::npos || eq == 0)
      throw TargetError("bad annotation '" + core::shown_in_error(word) + "' (expected fqdn=NAME or connector=NAME)");
    std::string key = word.substr(0, eq);
    std::string value = word.substr(eq + 1);
    if (value.empty()) throw TargetError("annotation '" + core::shown_in_error(key) + "=' has no value");
    if (key == "fqdn") {
      if (t.expected_fqdn) throw TargetError("fqdn= given twice");
      if (!is_dns_name(value)) throw TargetError("fqdn='" + core::shown_in_error(value) + "' is not a DNS name");
      t.expected_fqdn = value;
    } else if (key == "connector") {
      if (t.connector) throw TargetError("connector= given twice");
      t.connector = value;
    } else {
      throw TargetError("unknown annotation '" + core::shown_in_error(key) + "=' (expected fqdn= or connector=)");
    }
  }
  return t;
}

}  // namespace stp::probe
