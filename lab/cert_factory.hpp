#pragma once
// Keys and certificates made at run time with the OpenSSL API, for the lab, the demo and the tests.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/openssl_ptr.hpp"

namespace stp::lab {

struct KeySpec {
  enum class Kind { ec_p256, rsa, rsa_pss } kind = Kind::ec_p256;  // rsa_pss: an id-RSASSA-PSS key
  int rsa_bits = 2048;
};

struct CertSpec {
  std::optional<std::string> common_name;
  std::string organization = "starttls-probe lab";
  std::vector<std::string> dns_names;    // subjectAltName DNS entries
  std::vector<std::string> ip_addresses; // subjectAltName IP entries
  std::chrono::seconds valid_from{-86400};        // relative to now
  std::chrono::seconds valid_until{86400 * 365};  // relative to now
  bool is_ca = false;
  // Extended key usage by short name ("serverAuth", "clientAuth", ...); empty = no extension.
  std::vector<std::string> extended_key_usage;
  // Key usage as in openssl.cnf ("digitalSignature,keyEncipherment"); empty = no extension.
  std::string key_usage;
  std::string digest = "SHA256";  // "SHA1" for the legacy scenarios
  KeySpec key;
};

struct Credential {
  core::UniqueX509 certificate;
  core::UniqueEvpPkey key;

  std::string certificate_pem() const;
  std::string certificate_der() const;
  std::string key_pem() const;
};

core::UniqueEvpPkey make_key(const KeySpec& spec);

// What a CA certificate looks like here: the name as CN, CA:TRUE, keyCertSign and cRLSign.
CertSpec ca_spec(const std::string& common_name);

// What a server certificate for `fqdn` usually looks like: the name as CN and DNS SAN, serverAuth,
// digitalSignature, valid from yesterday for 200 days.
CertSpec server_spec(const std::string& fqdn);

// Issues a certificate signed by `issuer`, or self-signed when `issuer` is null.
// Throws std::runtime_error with OpenSSL's reason on failure.
Credential issue_certificate(const CertSpec& spec, const Credential* issuer);

}  // namespace stp::lab
