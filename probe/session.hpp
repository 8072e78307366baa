#pragma once
// One probe of one endpoint: connect, SMTP dialogue, STARTTLS, handshake, capture.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "probe/evidence.hpp"
#include "probe/settings.hpp"

namespace stp::probe {

// Never throws for anything a server or the network does: every failure is recorded in the
// Evidence with its phase. `client_context` comes from make_client_context().
boost::asio::awaitable<Evidence> probe_endpoint(Target target, const ProbeSettings& settings,
                                                boost::asio::ssl::context& client_context);

// The FQDN a certificate is judged against, by SPEC §2's order: fqdn= / --fqdn, the target's
// host name, the greeting's FQDN, the EHLO reply's FQDN.
std::optional<std::string> choose_checked_fqdn(const Evidence& evidence);

}  // namespace stp::probe
