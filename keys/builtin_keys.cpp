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

#include "keys/builtin_keys.hpp"

#include <cstdint>
#include <iterator>
#include <string>
#include <cstdlib>
#include <unordered_set>

#include <openssl/ec.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>

namespace stp::keys {
namespace {

constexpr int claimed_types[] = {EVP_PKEY_RSA, EVP_PKEY_EC};

// ---- ECDSA checks remembered ----
// An ECDSA check is a pure function of the curve, the public point, the digest and the signature.
// Chains repeat within a scan (a CA's intermediate is in every chain it issued for; an Exchange
// organisation's connectors present the same certificate), so each thread remembers the valid
// signatures it checked: a repeated chain's signatures are checked once per thread, while the
// handshake's CertificateVerify, over a fresh transcript each time, never repeats. The key is the
// inputs themselves (length-prefixed), not a hash of them: a remembered answer is always the right one.
//
// Bounded by construction: only valid signatures are remembered (a server can send any number of
// invalid ones), and only those no longer than the curve's largest DER signature (ECDSA_size:
// 139 bytes for P-521). An entry is then at most ~350 bytes of key, so 4,096 entries stay near
// 1.5 MiB per thread whatever the servers send.

using VerifyFunction = int (*)(EVP_PKEY_CTX*, const unsigned char*, std::size_t, const unsigned char*, std::size_t);
VerifyFunction builtin_ec_verify = nullptr;

constexpr std::size_t remembered_limit = 4096;  // answers per thread; forgotten all at once when full
constexpr std::size_t max_digest_size = 64;     // SHA-512

struct Remembered {
  std::unordered_set<std::string> valid;
  std::size_t hits = 0;
  std::size_t bytes = 0;
};
thread_local Remembered remembered;

void append_field(std::string& key, const unsigned char* data, std::size_t size) {
  auto length = static_cast<std::uint32_t>(size);
  key.append(reinterpret_cast<const char*>(&length), sizeof length);
  key.append(reinterpret_cast<const char*>(data), size);
}

int remembered_ec_verify(EVP_PKEY_CTX* ctx, const unsigned char* signature, std::size_t signature_size,
                         const unsigned char* digest, std::size_t digest_size) {
  const EC_KEY* key = EVP_PKEY_get0_EC_KEY(EVP_PKEY_CTX_get0_pkey(ctx));
  const EC_GROUP* group = key != nullptr ? EC_KEY_get0_group(key) : nullptr;
  const EC_POINT* point = key != nullptr ? EC_KEY_get0_public_key(key) : nullptr;
  int curve = group != nullptr ? EC_GROUP_get_curve_name(group) : NID_undef;
  int largest_signature = key != nullptr ? ECDSA_size(key) : 0;
  unsigned char encoded[200];
  std::size_t encoded_size = point != nullptr && curve != NID_undef
                                 ? EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, encoded,
                                                      sizeof encoded, nullptr)
                                 : 0;
  // A named curve, an encodable point and inputs no larger than the curve allows, or no
  // remembering (explicit curve parameters, odd keys, oversized input).
  bool rememberable = encoded_size > 0 && largest_signature > 0 &&
                      signature_size <= static_cast<std::size_t>(largest_signature) && digest_size <= max_digest_size;
  if (!rememberable) return builtin_ec_verify(ctx, signature, signature_size, digest, digest_size);

  std::string inputs;
  inputs.reserve(sizeof curve + encoded_size + digest_size + signature_size + 12);
  inputs.append(reinterpret_cast<const char*>(&curve), sizeof curve);
  append_field(inputs, encoded, encoded_size);
  append_field(inputs, digest, digest_size);
  append_field(inputs, signature, signature_size);
  if (remembered.valid.count(inputs) != 0) {
    ++remembered.hits;
    return 1;
  }
  int answer = builtin_ec_verify(ctx, signature, signature_size, digest, digest_size);
  if (answer == 1) {
    if (remembered.valid.size() >= remembered_limit) {
      remembered.valid.clear();
      remembered.bytes = 0;
    }
    remembered.bytes += inputs.size();
    remembered.valid.insert(std::move(inputs));
  }
  return answer;
}

// OpenSSL's built-in EC method with its verification remembered; made once, kept for the process.
const EVP_PKEY_METHOD* remembering_ec_method() {
  static const EVP_PKEY_METHOD* method = [] {
    const EVP_PKEY_METHOD* builtin = EVP_PKEY_meth_find(EVP_PKEY_EC);
    EVP_PKEY_METHOD* copy = builtin != nullptr ? EVP_PKEY_meth_new(EVP_PKEY_EC, 0) : nullptr;
    if (copy == nullptr) return builtin;
    EVP_PKEY_meth_copy(copy, builtin);
    int (*verify_init)(EVP_PKEY_CTX*) = nullptr;
    EVP_PKEY_meth_get_verify(builtin, &verify_init, &builtin_ec_verify);
    if (builtin_ec_verify == nullptr) return builtin;
    EVP_PKEY_meth_set_verify(copy, verify_init, remembered_ec_verify);
    return static_cast<const EVP_PKEY_METHOD*>(copy);
  }();
  return method;
}

// ENGINE_PKEY_METHS_PTR: with no method asked for, the list of key types; else the built-in method.
int builtin_methods(ENGINE* /*engine*/, EVP_PKEY_METHOD** method, const int** types, int type) {
  if (method == nullptr) {
    *types = claimed_types;
    return static_cast<int>(std::size(claimed_types));
  }
  for (int claimed : claimed_types) {
    if (claimed == type) {
      *method = const_cast<EVP_PKEY_METHOD*>(type == EVP_PKEY_EC ? remembering_ec_method() : EVP_PKEY_meth_find(type));
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

bool switched_off_by_environment() {
  const char* setting = std::getenv("STARTTLS_PROBE_BUILTIN_KEYS");  // NOLINT(concurrency-mt-unsafe): first thing in main
  return setting != nullptr && std::string(setting) == "0";
}

}  // namespace

bool use_builtin_key_decoding() {
  static const bool registered = !switched_off_by_environment() && register_engine();
  return registered;
}

std::string key_decoding_path() {
  if (use_builtin_key_decoding()) return "OpenSSL's built-in RSA and EC methods (an engine; STARTTLS_PROBE_BUILTIN_KEYS=0 turns it off)";
  if (switched_off_by_environment()) return "OpenSSL's provider decoders (STARTTLS_PROBE_BUILTIN_KEYS=0)";
  return "OpenSSL's provider decoders (OpenSSL refused the engine)";
}

RememberedChecks remembered_signature_checks() {
  return {remembered.hits, remembered.valid.size(), remembered.bytes};
}

}  // namespace stp::keys
