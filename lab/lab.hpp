#pragma once
// The lab: emulated SMTP endpoints, Exchange-like and hostile, on 127.0.0.1 ephemeral ports,
// with a private CA made at start. Used by `demo`, the tests and the benchmark.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <deque>
#include <vector>

#include "lab/policy_site.hpp"

namespace stp::lab {

enum class Scenario {
  // Exchange-like and everyday servers.
  healthy,                     // CA-issued certificate for the connector FQDN, leaf + intermediate
  no_starttls,                 // EHLO without STARTTLS (Exchange's 12014 symptom)
  starttls_rejected,           // 454 4.7.0 on STARTTLS
  exchange_default,            // Exchange's self-signed default: CN=EX03, SANs EX03 and its FQDN
  wrong_eku,                   // extendedKeyUsage clientAuth only: not usable for TLS server auth
  expired,                     // notAfter in the past
  missing_intermediate,        // the server sends its leaf without the intermediate
  wildcard,                    // *.contoso.test, Postfix-like EHLO ending in lowercase "250 starttls"
  cn_only,                     // the name only in the subject CN, no subjectAltName
  legacy_tls10,                // speaks only TLS 1.0 with legacy suites
  weak_legacy_certificate,     // RSA-1024 leaf signed with SHA-1
  implicit_tls,                // TLS from the first byte (smtps://)
  client_certificate_request,  // asks for a client certificate, naming the lab CA
  ehlo_refused,                // EHLO refused with 502, HELO accepted
  greeting_rejected,           // 554 greeting
  custom_banner,               // Exchange's Set-ReceiveConnector -Banner "220 Mail Service": no host in the greeting
  exim_banner,                 // exim's "220 ESMTP service ready"; EHLO names exim-nohost.mta.test
  rsa_pss_key,                 // the leaf's key is RSASSA-PSS (id-RSASSA-PSS), not rsaEncryption
  anonymous_tls,               // TLS 1.2 with anonymous (aNULL) suites only: no server certificate at all
  // Hostile peers.
  silent,                      // accepts and never speaks
  trickle,                     // the greeting one byte at a time
  endless_lines,               // "220-xxxx" lines without end
  garbage_after_starttls,      // 220 to STARTTLS, then plain text instead of a TLS handshake
  stalled_handshake,           // 220 to STARTTLS, then silence: the handshake never completes
  injected_after_starttls,     // plaintext right after the STARTTLS 220, then a normal handshake
  hangup_mid_dialogue,         // closes the connection when EHLO arrives
  control_characters,          // ANSI escapes, NUL, BEL and invalid UTF-8 in the greeting
  slow_multiline_greeting,     // "220-" line, a pause, then "220 ": catches clients that talk early
  busy,                        // 421 greeting, then closes (transient: a retry is in order)
  reset_after_ehlo,            // resets the connection (RST) when EHLO arrives (transient)
  enormous_line,               // "220 " and then megabytes without a line end
  code_change,                 // an EHLO reply whose code changes midway (250-, then 550)
  byte_by_byte,                // every reply written one byte per write, quickly
  reset_in_handshake,          // 220 to STARTTLS, reads the ClientHello, then resets
  tls_record_flood,            // after the handshake, EHLO answered with tiny TLS records forever
  never_closes,                // ignores QUIT: no 221, no close
  hostile_text,                // escapes, backslashes, bidi marks, U+2028, U+FFFF, '|', '=' in greeting and certificate
};

std::string_view scenario_name(Scenario scenario);

struct EndpointInfo {
  Scenario scenario;
  std::string address = "127.0.0.1";  // where it listens
  std::uint16_t port = 0;
  std::string fqdn;       // the connector FQDN this endpoint should serve
  std::string connector;  // a label, as an Exchange connector name
  bool implicit = false;
  std::vector<std::string> chain_der;  // what its handshake presents, leaf first (empty: no TLS)

  // "127.0.0.1:PORT fqdn=NAME connector="LABEL"" ([::1]:PORT on IPv6), or smtps://... for implicit TLS.
  std::string target_line() const;
};

struct EndpointStats {
  std::size_t connections = 0;
  std::vector<std::chrono::steady_clock::time_point> accepted;  // when each connection came in
  std::size_t max_concurrent = 0;
  std::size_t early_talkers = 0;       // clients that sent bytes before the greeting's last line
  std::vector<std::string> commands;   // command verbs received, in order, upper-cased
};

class Lab {
 public:
  struct Options {
    std::chrono::milliseconds trickle_interval{200};   // between bytes of a trickling greeting
    std::chrono::milliseconds greeting_pause{300};     // in the slow multi-line greeting
    // Each endpoint its own leaf and key under the shared intermediate, as servers on the internet
    // (by default the endpoints of a scenario share one, as an Exchange organisation's connectors do).
    bool certificate_per_endpoint = false;
  };

  Lab();
  explicit Lab(Options options);
  ~Lab();
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  // Opens a listener for a scenario on a loopback address ("127.0.0.1", "::1", any 127.x.y.z).
  // Listeners accept as soon as they are added. Call from one thread.
  const EndpointInfo& add(Scenario scenario, const std::string& address = "127.0.0.1", std::uint16_t port = 0);
  const std::deque<EndpointInfo>& endpoints() const;
  EndpointStats stats(std::size_t endpoint_index) const;

  // An HTTPS site on 127.0.0.1 answering as `site` says, its certificate from the lab's CA: returns
  // its port (for --connect-to mta-sts.DOMAIN:443:127.0.0.1:PORT).
  std::uint16_t add_policy_site(const PolicySite& site);

  // The lab's root CA certificate (PEM): the trust anchor for its endpoints.
  std::string ca_pem() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stp::lab
