#pragma once
// Certificate public keys decoded by OpenSSL's built-in RSA and EC code instead of its provider
// decoders: a workaround for OpenSSL 3.0's slow certificate parsing; the built-in EC method also
// remembers each thread's ECDSA answers, so a repeated chain is not verified again
// (key_decoding.cpp says how).

#include <cstddef>

namespace stp::probe {

// Call first thing in main(), before any key or certificate exists in the process: from then on
// every RSA and EC key operation of the process runs through OpenSSL's built-in (1.1.1-style)
// methods, and keys made earlier would mix the two kinds. Later calls do nothing. Returns false
// when OpenSSL refused (nothing changed then: the provider decoders stay in use).
bool use_builtin_key_decoding();

// How many ECDSA checks this thread answered from memory (the same key, digest and signature
// checked before): a chain seen again costs no signature check. For tests.
std::size_t remembered_signature_checks();

}  // namespace stp::probe
