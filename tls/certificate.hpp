#pragma once
// The facts of one certificate, as SPEC §5's chain[] shows them. Pure parsing: no network.

#include <cstdint>
#include <memory>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

typedef struct X509_name_st X509_NAME;
struct x509_st;

namespace stp::tls {

struct CertificateFacts {
  std::string subject;                  // RFC 2253 order (most specific first), ", " between
  std::string issuer;
  std::string subject_windows;          // Windows' form (Get-ExchangeCertificate): S= for the state,
  std::string issuer_windows;           // values with a separator in double quotes
  std::optional<std::string> subject_cn;
  std::string serial;                   // uppercase hex
  std::int64_t not_before = 0;          // Unix seconds, UTC
  std::int64_t not_after = 0;
  std::vector<std::string> dns_names;   // DNS subjectAltNames
  std::vector<std::string> ip_addresses;
  std::vector<std::string> certificate_domains;  // subject CN, then DNS SANs (Exchange's CertificateDomains)
  std::string key_type;                 // RSA, EC, DSA, Ed25519, ...
  int key_bits = 0;
  std::string signature_algorithm;      // sha256WithRSAEncryption, ...
  bool has_extended_key_usage = false;
  std::vector<std::string> extended_key_usage;  // serverAuth, clientAuth, ... (or dotted OIDs)
  bool has_key_usage = false;
  std::vector<std::string> key_usage;   // digitalSignature, keyEncipherment, ...
  bool is_ca = false;
  bool self_signed = false;             // subject == issuer and the signature verifies with its own key
  int version = 0;                      // 1, 2 or 3
  std::string sha1;                     // uppercase hex, Exchange's Thumbprint
  std::string sha256;                   // lowercase hex
  std::string pem;
  std::string der;
  std::shared_ptr<x509_st> x509;        // the parsed certificate, for the checks

  // <I>issuer<S>subject in Windows' form: what Set-ReceiveConnector -TlsCertificateName takes.
  std::string tls_certificate_name() const { return "<I>" + issuer_windows + "<S>" + subject_windows; }
};

class CertificateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses a DER certificate. Throws CertificateError when the bytes are not one.
CertificateFacts describe_certificate(std::string_view der);
// The facts of a certificate already parsed (from the handshake): nothing is parsed again.
CertificateFacts describe_certificate(std::shared_ptr<x509_st> certificate);

// A DER distinguished name (a CertificateRequest's CA name) as text, in the same form as subject.
std::string describe_name(std::string_view der);
// A distinguished name as text: RFC 2253 order (most specific first), ", " between, UTF-8 kept.
std::string name_text(const X509_NAME* name);

// A distinguished name as Windows shows it (Get-ExchangeCertificate, TlsCertificateName): most
// specific attribute first, ", " between, S= for the state, E= for e-mail, values with a comma
// (or another separator) in double quotes.
std::string windows_name(const X509_NAME* name);

// RFC 3339 UTC: 2026-01-01T00:00:00Z.
std::string format_time(std::int64_t unix_seconds);

// The digest of `bytes`, raw (core::hex shows it).
enum class Digest { sha1, sha256, sha512 };
std::string digest(std::string_view bytes, Digest kind);

}  // namespace stp::tls
