#pragma once
// One target's probe: resolve, connect, SMTP dialogue, STARTTLS, handshake, capture; retries.

#include <functional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "probe/evidence.hpp"
#include "probe/name_lookup.hpp"
#include "probe/politeness.hpp"
#include "probe/settings.hpp"

namespace stp::probe {

// What every probe of a scan shares.
struct ProbeContext {
  boost::asio::ssl::context& tls;  // from make_client_context()
  Politeness& politeness;
  Resolver& resolver;              // this event loop's
};

// Probes one target and hands each result to `deliver`: one result, or one per address with
// --all-addresses. Never throws for anything a server or the network does: every failure is
// recorded in the Evidence with its phase.
boost::asio::awaitable<void> probe_target(Target target, const ProbeSettings& settings, ProbeContext& context,
                                          const std::function<void(Evidence&&)>& deliver);

// What the DNS says of `host`'s addresses and of its TLSA records at _PORT._tcp.HOST, asked on an
// event loop of its own (inspect --dane). Throws DnsSetupError for DNS settings that cannot work.
DnsEvidence dane_evidence(const std::string& host, std::uint16_t port, const ProbeSettings& settings);

// The FQDN a certificate is judged against, by SPEC §2's order: fqdn= / --fqdn, the target's
// host name, the greeting's FQDN, the EHLO reply's FQDN.
std::optional<std::string> choose_checked_fqdn(const Evidence& evidence);

}  // namespace stp::probe
