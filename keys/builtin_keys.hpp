#pragma once
// Certificate public keys decoded by OpenSSL's built-in RSA and EC code instead of its provider
// decoders: a workaround for OpenSSL 3.0's slow certificate parsing, through an ENGINE
// (builtin_keys.cpp says how). Built only against OpenSSL 3.0.x with ENGINE support (CMake option
// STARTTLS_PROBE_BUILTIN_KEYS); switched off at run time with STARTTLS_PROBE_BUILTIN_KEYS=0.

#include <cstddef>
#include <string>

namespace stp::keys {

// Call first thing in main(), before any key or certificate exists in the process: from then on
// every RSA and EC key operation of the process runs through OpenSSL's built-in (1.1.1-style)
// methods, and keys made earlier would mix the two kinds. Later calls do nothing. True when the
// built-in methods are in use; false when not built, switched off by the environment variable
// STARTTLS_PROBE_BUILTIN_KEYS=0, or refused by OpenSSL (then the provider decoders stay in use).
bool use_builtin_key_decoding();

// Which path is in use, in words, for --version (after use_builtin_key_decoding()).
std::string key_decoding_path();

// What this thread's memory of ECDSA answers holds (the built-in EC method remembers the valid
// signatures it checked, so a chain seen again is not verified again). For tests and the bench.
struct RememberedChecks {
  std::size_t hits = 0;     // checks answered from memory
  std::size_t entries = 0;  // answers held
  std::size_t bytes = 0;    // the bytes of their keys (curve, point, digest, signature)
};
RememberedChecks remembered_signature_checks();

}  // namespace stp::keys
