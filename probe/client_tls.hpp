#pragma once
// The probe's TLS client side: a context that completes a handshake with any server that
// speaks TLS 1.0 to 1.3, whatever its certificate, and the capture of what the server presented.

#include <boost/asio/ssl/context.hpp>

#include "probe/evidence.hpp"

struct ssl_st;
struct ossl_lib_ctx_st;

namespace stp::probe {

// Verification is off on purpose: the chain is captured as presented and judged afterwards in tls/.
// Security level 0 and every protocol version from TLS 1.0 let Exchange 2007-era servers answer.
// `library` is the OpenSSL library context the handshakes fetch from and parse certificates in
// (null: OpenSSL's default one).
boost::asio::ssl::context make_client_context(ossl_lib_ctx_st* library = nullptr);

// A library context of its own for event loop number `loop`, made on first use and kept for the
// life of the process (certificates parsed in it may outlive a scan). OpenSSL 3.0 takes a lock in
// its shared stores for every certificate it parses; one context per loop keeps the loops from
// contending for those locks.
ossl_lib_ctx_st* loop_library(unsigned loop);

// Before the handshake: where a certificate request from the server is recorded.
void watch_certificate_request(ssl_st* ssl, TlsEvidence* evidence);

// After a handshake (good or failed): version, cipher and the peer chain as presented.
void capture_session(ssl_st* ssl, TlsEvidence& evidence);

}  // namespace stp::probe
