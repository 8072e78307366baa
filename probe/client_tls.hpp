#pragma once
// The probe's TLS client side: a context that completes a handshake with any server that
// speaks TLS 1.0 to 1.3, whatever its certificate, and the capture of what the server presented.

#include <boost/asio/ssl/context.hpp>

#include "probe/evidence.hpp"

struct ssl_st;

namespace stp::probe {

// Verification is off on purpose: the chain is captured as presented and judged afterwards in tls/.
// Security level 0 and every protocol version from TLS 1.0 let Exchange 2007-era servers answer.
boost::asio::ssl::context make_client_context();

// Before the handshake: where a certificate request from the server is recorded.
void watch_certificate_request(ssl_st* ssl, TlsEvidence* evidence);

// After a handshake (good or failed): version, cipher and the peer chain as presented.
void capture_session(ssl_st* ssl, TlsEvidence& evidence);

}  // namespace stp::probe
