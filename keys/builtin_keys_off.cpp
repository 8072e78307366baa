// Built without the engine (STARTTLS_PROBE_BUILTIN_KEYS=OFF, or an OpenSSL other than 3.0.x, or
// one without ENGINE support): certificates are decoded by OpenSSL's provider decoders.

#include "keys/builtin_keys.hpp"

namespace stp::keys {

bool use_builtin_key_decoding() { return false; }

std::string key_decoding_path() { return "OpenSSL's provider decoders (built without the engine)"; }

RememberedChecks remembered_signature_checks() { return {}; }

}  // namespace stp::keys
