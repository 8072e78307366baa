#pragma once
// How probes behave: names, limits and time budgets (SPEC §2 scan options).

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "probe/smtp_reply.hpp"

namespace stp::probe {

enum class SniMode { automatic, off, fixed };
enum class Family { any, v4, v6 };  // -4 / -6

// Where the resolver sends its questions and what it trusts.
struct DnsSettings {
  std::vector<std::string> servers;    // --dns-server ADDR[:PORT] (repeatable); empty: /etc/resolv.conf
  std::optional<std::string> anchors;  // --dnssec-anchor FILE; null: no DNSSEC validation (all insecure)
};

// --connect-to HOST:PORT:HOST2:PORT2 (curl's): connect to HOST2:PORT2 whenever HOST:PORT is to
// be reached; names, SNI, checks and DNS evidence still use HOST. An empty part matches any / keeps.
struct ConnectTo {
  std::string host;                  // lower case; empty: any host
  std::optional<std::uint16_t> port; // null: any port
  std::string to_host;               // empty: the same host
  std::optional<std::uint16_t> to_port;
};

struct ProbeSettings {
  std::optional<std::string> ehlo_name;  // --ehlo; unset = this machine's FQDN or the local address literal
  SniMode sni_mode = SniMode::automatic;
  std::string sni_name;                  // for SniMode::fixed
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds reply_timeout{30'000};  // each reply, and the TLS handshake
  std::chrono::milliseconds deadline{120'000};      // the whole probe of one endpoint
  std::string deadline_name = "--deadline";         // what set it, for the message ("-t" in check)
  // --resolve NAME:ADDR[,ADDR]: addresses used for NAME instead of DNS (lower-case name, no
  // trailing dot), e.g. to probe a new server under the production name before DNS moves.
  std::map<std::string, std::vector<std::string>> static_hosts;
  Family family = Family::any;
  DnsSettings dns;                                // --dns-server, --dnssec-anchor
  bool dane = true;                               // look up TLSA records (--no-dane: off)
  bool mta_sts = true;                            // mx: targets' MTA-STS policies (--no-mta-sts: off)
  std::vector<ConnectTo> connect_to;              // --connect-to, first match wins
  bool all_addresses = false;                     // one result per address a name resolves to
  int retries = 1;                                // after a transient failure (connect error, 421, reset)
  std::chrono::milliseconds retry_backoff{1000};  // the first pause; it doubles each time
  ReplyLimits reply_limits;
  std::size_t max_injected_kept = 512;   // bytes of discarded plaintext kept as evidence
};

}  // namespace stp::probe
