#include "probe/client_tls.hpp"

#include <mutex>
#include <stdexcept>
#include <vector>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/der.hpp"
#include "core/openssl_ptr.hpp"

namespace stp::probe {
namespace {

constexpr int max_ca_names = 64;

int evidence_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Called when the server sends a CertificateRequest. We have no client certificate: record, decline.
int on_certificate_request(SSL* ssl, X509** /*certificate*/, EVP_PKEY** /*key*/) {
  auto* evidence = static_cast<TlsEvidence*>(SSL_get_ex_data(ssl, evidence_index()));
  if (evidence == nullptr) return 0;
  evidence->client_certificate_requested = true;
  evidence->acceptable_ca_names_der.clear();
  if (const STACK_OF(X509_NAME)* names = SSL_get_client_CA_list(ssl)) {
    int count = sk_X509_NAME_num(names);
    for (int i = 0; i < count && i < max_ca_names; ++i)
      evidence->acceptable_ca_names_der.push_back(core::der_of(sk_X509_NAME_value(names, i), i2d_X509_NAME));
  }
  return 0;
}

}  // namespace

boost::asio::ssl::context make_client_context(OSSL_LIB_CTX* library) {
  SSL_CTX* ctx = SSL_CTX_new_ex(library, nullptr, TLS_client_method());
  if (ctx == nullptr) throw std::runtime_error("OpenSSL could not make a TLS client context");
  boost::asio::ssl::context context(ctx);
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
  SSL_CTX_set_max_proto_version(ctx, 0);  // the highest this OpenSSL knows
  SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
  // Old servers without secure renegotiation (RFC 5746) must still answer; the probe sends no secrets.
  SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_TICKET);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  // OpenSSL would still try to verify the chain during the handshake (against an empty store, to
  // fail); the chain is judged once, afterwards, against the scan's anchors.
  SSL_CTX_set_cert_verify_callback(ctx, [](X509_STORE_CTX*, void*) { return 1; }, nullptr);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  // Whole socket reads instead of a record header and then its body: half the read calls.
  SSL_CTX_set_read_ahead(ctx, 1);
  SSL_CTX_set_max_cert_list(ctx, 100L * 1024);  // a server's Certificate message: bounded (OpenSSL's default, made explicit)
  SSL_CTX_set_client_cert_cb(ctx, on_certificate_request);
  return context;
}

OSSL_LIB_CTX* loop_library(unsigned loop) {
  static std::mutex mutex;
  // Never freed, and held by a pointer no destructor clears: certificates parsed in a context may
  // be freed during exit, and the contexts stay reachable (not leaks) to the end.
  static auto* libraries = new std::vector<OSSL_LIB_CTX*>();
  std::lock_guard lock(mutex);
  while (libraries->size() <= loop) {
    OSSL_LIB_CTX* library = OSSL_LIB_CTX_new();
    if (library == nullptr) throw std::runtime_error("OpenSSL could not make a library context");
    libraries->push_back(library);
  }
  return (*libraries)[loop];
}

void watch_certificate_request(SSL* ssl, TlsEvidence* evidence) {
  SSL_set_ex_data(ssl, evidence_index(), evidence);
}

void capture_session(SSL* ssl, TlsEvidence& evidence) {
  if (SSL_is_init_finished(ssl)) {
    evidence.version = SSL_get_version(ssl);
    if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl)) evidence.cipher = SSL_CIPHER_get_name(cipher);
  }
  evidence.chain_der.clear();
  evidence.chain_parsed.clear();
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      X509* cert = sk_X509_value(chain, i);
      evidence.chain_der.push_back(core::der_of(cert, i2d_X509));
      X509_up_ref(cert);
      evidence.chain_parsed.push_back(core::shared_x509(cert));
    }
  }
}

}  // namespace stp::probe
