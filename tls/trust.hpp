#pragma once
// Trust anchors and chain verification, after the handshake and apart from it.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/openssl_ptr.hpp"

namespace stp::tls {

class TrustError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TrustAnchors {
 public:
  // --ca-file (PEM, one or more certificates) and/or --ca-path (a c_rehash'ed directory);
  // neither: the system's default store. Throws TrustError for a missing or non-PEM file.
  static TrustAnchors load(const std::optional<std::string>& ca_file, const std::optional<std::string>& ca_path);
  // Anchors from PEM text (the lab's CA, for the demo and the tests).
  static TrustAnchors from_pem(const std::string& pem);

  X509_STORE* store() const { return store_.get(); }

 private:
  explicit TrustAnchors(core::UniqueX509Store store) : store_(std::move(store)) {}
  core::UniqueX509Store store_;
};

struct ChainTrust {
  enum class Problem { none, self_signed, incomplete, untrusted };
  bool trusted = false;
  Problem problem = Problem::none;
  std::string error;   // OpenSSL's verification error, when not trusted
  std::string detail;  // which certificate is missing or unknown, in words
};

// Verifies the presented chain (leaf first, DER) for TLS server use at `now` (Unix seconds).
// The leaf's own validity dates and extended key usage are left to their own checks
// (certificate-expired, not-valid-for-smtp), so they are not counted against the chain here.
ChainTrust verify_chain(const std::vector<x509_st*>& chain, const TrustAnchors& anchors, std::int64_t now);

}  // namespace stp::tls
