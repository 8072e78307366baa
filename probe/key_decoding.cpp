// OpenSSL 3.0 decodes every certificate's public key through its provider decoders and does not
// cache the decoder search (openssl/openssl#17950, #19119, #20051; 3.1 caches part of it): parsing
// one certificate costs ~75-90 us here, against ~5 us (RSA) and ~14 us (EC P-256) by the code that
// OpenSSL 1.1.1 used, and a probe parses two or three. OpenSSL 3.0 still takes that older code when an
// ENGINE claims the key type (x509_pubkey_decode asks ENGINE_get_pkey_meth_engine first), so this
// file registers an engine whose methods are OpenSSL's own built-in RSA and EC ones: the same
// arithmetic and checks, without the search.
//
// The claim is process-wide: every RSA and EC key operation (verification, the TLS key exchange,
// key generation) then runs through those built-in methods, OpenSSL's legacy path, as it does for
// any application with an engine for these key types. Keys must not be made before the switch (a
// provider key under a built-in method cannot, for one, sign a certificate), hence main() calls it
// first; names of curves must be OpenSSL's own ("prime256v1", not "P-256").
// ENGINE is deprecated in 3.0, hence the suppression, kept to this file.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "probe/key_decoding.hpp"

#include <iterator>

#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>

namespace stp::probe {
namespace {

constexpr int claimed_types[] = {EVP_PKEY_RSA, EVP_PKEY_EC};

// ENGINE_PKEY_METHS_PTR: with no method asked for, the list of key types; else the built-in method.
int builtin_methods(ENGINE* /*engine*/, EVP_PKEY_METHOD** method, const int** types, int type) {
  if (method == nullptr) {
    *types = claimed_types;
    return static_cast<int>(std::size(claimed_types));
  }
  for (int claimed : claimed_types) {
    if (claimed == type) {
      *method = const_cast<EVP_PKEY_METHOD*>(EVP_PKEY_meth_find(type));
      return *method != nullptr ? 1 : 0;
    }
  }
  *method = nullptr;
  return 0;
}

bool register_engine() {
  ENGINE* engine = ENGINE_new();
  if (engine == nullptr) return false;
  bool ok = ENGINE_set_id(engine, "starttls-probe-builtin-keys") == 1 &&
            ENGINE_set_name(engine, "OpenSSL's built-in RSA and EC key methods") == 1 &&
            ENGINE_set_pkey_meths(engine, builtin_methods) == 1 && ENGINE_add(engine) == 1 &&
            ENGINE_register_pkey_meths(engine) == 1;
  ENGINE_free(engine);  // OpenSSL's list of engines holds it (ENGINE_add) until OpenSSL's cleanup at exit
  ERR_clear_error();
  return ok;
}

}  // namespace

bool use_builtin_key_decoding() {
  static const bool registered = register_engine();
  return registered;
}

}  // namespace stp::probe
