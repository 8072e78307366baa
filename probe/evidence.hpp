#pragma once
// What one probe saw: plain data, no judgement. tls/ judges it; report/ renders it.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "probe/dns_answer.hpp"
#include "probe/target.hpp"

struct x509_st;

namespace stp::probe {

// A certificate as OpenSSL parsed it during the handshake: the same bytes as the DER beside it,
// kept so that judging does not parse them again (OpenSSL 3.0 parses slowly).
using SharedX509 = std::shared_ptr<x509_st>;

// The step a probe was in. Failures and timeouts name it.
enum class Phase { resolve, connect, greeting, ehlo, starttls, handshake, ehlo_after_tls, quit };

// Why a probe ended early. `none` also covers "STARTTLS not offered": that is an answer, not a failure.
enum class Failure {
  none,
  dns,                // the host name did not resolve
  connect,            // TCP connect refused or failed on every address
  timeout,            // a phase took longer than its limit (see failure_phase, deadline_hit)
  greeting_rejected,  // greeting not 2xx
  ehlo_rejected,      // EHLO and HELO both refused
  starttls_rejected,  // STARTTLS answered with anything but 220
  handshake_failed,   // TLS handshake failed
  protocol_error,     // malformed or oversized reply, or connection closed mid-dialogue
};

struct SmtpEvidence {
  std::vector<std::string> greeting;        // reply lines as received
  std::vector<std::string> ehlo;            // EHLO (or HELO) reply lines before TLS
  bool used_helo = false;                   // EHLO was refused and HELO answered
  bool starttls_offered = false;
  std::vector<std::string> starttls_reply;  // reply lines to STARTTLS
  std::string injected;                     // plaintext after the STARTTLS 220, discarded (first bytes)
  std::size_t injected_bytes = 0;           // how many bytes were discarded in all
  std::vector<std::string> ehlo_after_tls;  // EHLO reply lines over TLS
  bool ehlo_after_tls_failed = false;       // EHLO over TLS failed after a good handshake
};

struct TlsEvidence {
  bool attempted = false;                   // a handshake was started
  bool established = false;
  std::optional<std::string> version;       // "TLSv1.3"
  std::optional<std::string> cipher;        // OpenSSL's name of the negotiated suite
  std::optional<std::string> sni;           // server name sent, if any
  bool client_certificate_requested = false;
  std::vector<std::string> acceptable_ca_names_der;  // CA names of a certificate request, DER
  std::vector<std::string> chain_der;       // peer chain as presented, leaf first, DER
  std::vector<SharedX509> chain_parsed;     // the same chain, parsed (empty when unknown)
  std::string error;                        // handshake error text from OpenSSL
};

// The TLSA records of `_PORT._tcp.HOST` (RFC 7672), as the DNS gave them.
struct TlsaEvidence {
  std::string name;                  // the owner name looked up (a CNAME'd host's target first)
  DnsAnswer::Status status = DnsAnswer::Status::nodata;
  Dnssec dnssec = Dnssec::insecure;
  std::string why_bogus;
  std::vector<TlsaRecord> records;   // empty: none published (or the lookup failed: see status)
  std::string failure;               // why there is no answer, when there is none
};

// The TXT records at one name (MTA-STS's and TLS-RPT's announcements), each as one text.
struct TxtEvidence {
  std::string name;
  DnsAnswer::Status status = DnsAnswer::Status::nodata;
  std::vector<std::string> texts;
  std::string failure;               // why there is no answer, when there is none
};

// The HTTPS GET of an MTA-STS policy (https://mta-sts.DOMAIN/.well-known/mta-sts.txt) as it went:
// what the server presented and sent, bounded; tls/ judges the certificate and the policy.
struct PolicyFetchEvidence {
  std::string host;                          // mta-sts.DOMAIN (SNI, Host, the name checked)
  std::optional<std::string> address;        // the address connected to
  std::vector<std::string> chain_der;        // the HTTPS server's chain as presented, leaf first
  std::optional<std::string> tls_version;
  int status = 0;                            // the HTTP status; 0 when no response came
  std::string content_type;                  // as sent, bounded
  std::string location;                      // a redirect's target, as sent, bounded (not followed)
  std::string body;                          // at most max_policy_bytes
  bool body_too_large = false;
  std::string error;                         // why no response came, in words
};
inline constexpr std::size_t max_policy_bytes = std::size_t{64} * 1024;

struct MtaStsEvidence {
  TxtEvidence txt;                           // _mta-sts.DOMAIN
  std::optional<PolicyFetchEvidence> fetch;  // made when a TXT record there starts "v=STSv1"
};

// What the DNS said on the way to this endpoint: evidence beside the SMTP server's.
struct DnsEvidence {
  bool host_looked_up = false;             // the host's addresses came from the DNS (not a literal or --resolve)
  Dnssec address_dnssec = Dnssec::insecure;
  std::string address_why_bogus;
  std::string canonical_name;              // where the host's CNAME led, when it had one
  // mx:DOMAIN targets
  std::optional<std::string> domain;
  std::optional<int> mx_preference;        // 0 for an implicit MX; null for a null MX
  Dnssec mx_dnssec = Dnssec::insecure;
  std::string mx_why_bogus;
  bool implicit_mx = false;                // no MX records: the domain itself (RFC 5321 §5.1)
  bool null_mx = false;                    // "MX 0 .": the domain accepts no mail (RFC 7505)
  std::vector<std::string> mx_hosts_same_preference;  // the other MX hosts of this one's preference
  std::string mx_not_conforming;           // the MX host is a CNAME or an address literal: why, in words
  std::optional<TlsaEvidence> tlsa;        // null: not looked up (--no-dane, a literal, implicit TLS)
  std::optional<MtaStsEvidence> mta_sts;   // mx: targets; null: not looked up (--no-mta-sts)
  std::optional<TxtEvidence> tls_rpt;      // mx: targets: _smtp._tls.DOMAIN; null: not looked up
};

struct Timings {  // milliseconds; negative = the phase did not happen
  double connect = -1, greeting = -1, ehlo = -1, starttls = -1, handshake = -1, total = -1;
};

struct Evidence {
  Target target;
  std::optional<std::string> address;         // the address connected to
  std::optional<std::string> advertised_fqdn; // first word of the greeting, when a host name
  std::optional<std::string> ehlo_fqdn;       // first word of the EHLO reply, when a host name
  std::optional<std::string> checked_fqdn;    // SPEC §2 order
  std::string ehlo_name;                      // the name this probe sent in EHLO/HELO
  SmtpEvidence smtp;
  TlsEvidence tls;
  Failure failure = Failure::none;
  Phase failure_phase = Phase::resolve;
  bool deadline_hit = false;                  // the timeout was the whole-probe deadline
  std::string deadline_name;                  // what set that deadline ("--deadline", "-t", ...)
  bool transient = false;                     // connect error, 421 greeting or reset: worth a retry
  int attempts = 1;                           // connections tried, retries included
  std::string failure_detail;                 // what went wrong, in words (may quote the server)
  DnsEvidence dns;
  Timings timings;
  std::int64_t started_at_ms = 0;             // when this endpoint's probe began, Unix milliseconds (0: unknown)
};

const char* to_string(Phase phase);
const char* to_string(Failure failure);

}  // namespace stp::probe
