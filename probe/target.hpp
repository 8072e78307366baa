#pragma once
// A target: one SMTP endpoint to probe, as the user wrote it (SPEC §2).

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace stp::probe {

enum class Mode { starttls, implicit };

struct Target {
  std::string text;                          // as given, for the report
  std::string host;                          // DNS name or IP literal, without brackets
  bool host_is_ip = false;
  std::uint16_t port = 25;
  Mode mode = Mode::starttls;
  bool mail_domain = false;                  // mx:DOMAIN: `host` is the domain, its MX hosts are probed
  std::optional<std::string> expected_fqdn;  // fqdn= annotation (or --fqdn, applied later)
  std::optional<std::string> connector;      // connector= annotation
  std::size_t position = 0;                  // 0-based order in the input (set by TargetSource)
  std::optional<std::size_t> inventory;      // scan --inventory: the index of its connector's prediction
};

// A target or targets-file line the user got wrong. `what()` says why, without location.
class TargetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses one target in any SPEC §2 form: host, host:port, [v6]:port, bare IPv6,
// smtp://, submission://, smtps://, mx:DOMAIN. Throws TargetError.
Target parse_target(std::string_view text);

// Parses one targets-file line: a target followed by fqdn= / connector= annotations
// (values may be quoted with "). Returns nothing for blank and # lines. Throws TargetError.
std::optional<Target> parse_target_line(std::string_view line);

// --connect-to HOST:PORT:HOST2:PORT2 (IPv6 addresses in brackets; HOST, PORT, HOST2 or PORT2 may
// be empty). Throws TargetError.
struct ConnectTo;
ConnectTo parse_connect_to(std::string_view text);

// A host name as --resolve entries and lookups compare it: lower case, no trailing dot.
std::string host_key(std::string_view name);

// True for a syntactically valid DNS host name (LDH labels, '_' allowed, trailing dot allowed).
bool is_dns_name(std::string_view name);

// A DNS name with a dot inside it (a trailing dot does not count): what a server's greeting or EHLO
// reply must start with to name its host. "ESMTP", "Mail" or "EX01" are banner words, not names.
bool is_dotted_host_name(std::string_view name);

}  // namespace stp::probe
